"""The constructor arguments that build a module again: those it was built with when they were
recorded, else read back from the attributes its constructor keeps (self.features =
features); checked by building it anew and comparing, part by part."""

from __future__ import annotations

import inspect
from typing import Any

import torch
from torch import nn

from designer.importer.carry import import_path
from designer.importer.construction import constructed_with
from designer.importer.errors import Unsupported
from nodes.custom_call import Reference, plain_constant

MISSING = inspect.Parameter.empty


def init_arguments(module: nn.Module) -> dict[str, Any]:
    """Keyword arguments, none of them at its default, that build a module like `module`;
    Unsupported saying why where there are none."""
    cls = type(module)
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        raise Unsupported(f"the constructor of {cls.__name__} has no signature to read") from None
    recorded = constructed_with(module)
    arguments = (
        recorded_arguments(signature, recorded) if recorded else kept_arguments(module, signature)
    )
    for name, value in arguments.items():
        if not plain_constant(value) and library_reference(value) is None:
            raise Unsupported(
                f"it is built with {name}={shown(value)}, which is not a constant a project can "
                "hold (numbers, text, True/False/None and tuples of them, or a library's class "
                "or function)"
            )
    defaults = {name: p.default for name, p in signature.parameters.items()}
    arguments = {
        name: value
        for name, value in arguments.items()
        if not (defaults.get(name, MISSING) is not MISSING and same(defaults[name], value))
    }
    check_rebuilt(module, arguments)
    return {name: library_reference(value) or value for name, value in arguments.items()}


def library_reference(value: Any) -> Reference | None:
    """A class or function of an installed library (not the user's own) by its import path,
    such as torch.nn.SiLU given as an activation; None for anything else."""
    if not (inspect.isclass(value) or inspect.isfunction(value) or inspect.isbuiltin(value)):
        return None
    path = import_path(value)
    if path is None or "." in path[1] or path[1].startswith("_"):
        return None
    return Reference(*path)


def recorded_arguments(signature: inspect.Signature, recorded) -> dict[str, Any]:
    args, kwargs = recorded
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as error:
        raise Unsupported(f"its recorded constructor arguments do not fit: {error}") from None
    arguments: dict[str, Any] = {}
    for name, value in bound.arguments.items():
        kind = signature.parameters[name].kind
        if kind == inspect.Parameter.VAR_POSITIONAL:
            if value:
                raise Unsupported(f"it is built with *{name}, which cannot be written by name")
        elif kind == inspect.Parameter.VAR_KEYWORD:
            arguments.update(value)
        elif kind == inspect.Parameter.POSITIONAL_ONLY:
            raise Unsupported(f"its constructor takes {name} by position only")
        else:
            arguments[name] = value
    return arguments


def kept_arguments(module: nn.Module, signature: inspect.Signature) -> dict[str, Any]:
    """Each constructor argument read from the attribute of its name (or _name)."""
    arguments: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        for attribute in (name, f"_{name}"):
            value = vars(module).get(attribute, MISSING)
            if value is not MISSING:
                arguments[name] = value
                break
        else:
            if parameter.default is MISSING:
                raise Unsupported(
                    f"its constructor's argument {name} is neither recorded nor kept on the "
                    f"module (as self.{name}), so it cannot be built again"
                )
    return arguments


def same(default: Any, value: Any) -> bool:
    try:
        return type(default) is type(value) and bool(default == value)
    except Exception:  # a default that does not compare (a tensor, say) is no match
        return False


def shown(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def check_rebuilt(module: nn.Module, arguments: dict[str, Any]) -> None:
    """Build the class with `arguments` and compare: the same submodules of the same classes,
    the same plain settings on each, and tensors of the same names, shapes and dtypes."""
    cls = type(module)
    try:
        with torch.random.fork_rng(devices=[]):
            rebuilt = cls(**arguments)
    except Exception as error:  # the user's constructor can raise anything
        raise Unsupported(
            f"{cls.__name__}({written(arguments)}) fails: {type(error).__name__}: {error}"
        ) from None
    differences = differences_between(module, rebuilt)
    if differences:
        raise Unsupported(
            f"{cls.__name__}({written(arguments)}) builds another module ({differences[0]}), "
            "so its constructor arguments are not known"
        )


def differences_between(original: nn.Module, rebuilt: nn.Module) -> list[str]:
    found = []
    theirs = dict(rebuilt.named_modules())
    for path, part in original.named_modules():
        where = path or "the module"
        other = theirs.get(path)
        if other is None or type(other) is not type(part):
            found.append(f"{where} differs")
            continue
        for name, value in vars(part).items():
            if name.startswith("_") or name == "training" or not plain_constant(value):
                continue
            if not same(value, vars(other).get(name, MISSING)):
                found.append(
                    f"{where}.{name} is {shown(vars(other).get(name))}, not {shown(value)}"
                )
    mine = {k: (v.shape, v.dtype) for k, v in original.state_dict().items()}
    built = {k: (v.shape, v.dtype) for k, v in rebuilt.state_dict().items()}
    if mine != built:
        key = next(iter(sorted(set(mine) ^ set(built)) or [k for k in mine if mine[k] != built[k]]))
        found.append(f"its tensor {key} differs")
    return found


def written(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{name}={shown(value)}" for name, value in arguments.items())
