"""Load an nn.Module from 'path/to/file.py:Name': run the file, then build or call Name."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import inspect
import keyword
import sys
import traceback
from itertools import count
from pathlib import Path
from types import ModuleType

from torch import nn

from designer.compiler.build import prepare_imports
from designer.compiler.probe import first_line
from designer.importer.construction import recording_constructions
from designer.importer.errors import ImportProblem
from designer.project.regular_file import regular_file_problem

_loads = count(1)


class NoCacheLoader(importlib.machinery.SourceFileLoader):
    """Loads a source file without writing a __pycache__ folder next to the user's code."""

    def set_data(self, path: str, data: bytes, *, _mode: int = 0o666) -> None:
        return None


def split_spec(spec: str) -> tuple[Path, str]:
    """'models/net.py:Net' -> (Path('models/net.py'), 'Net'); the last colon splits."""
    path, colon, name = spec.rpartition(":")
    if not colon or not path.strip() or not name.strip():
        raise ImportProblem(spec, "is not FILE.py:NAME (for example model.py:Net)")
    return Path(path.strip()), name.strip()


def line_in(error: BaseException, path: Path) -> str:
    """Where in the user's file the error happened, as 'line N', or '' if not in that file."""
    if isinstance(error, SyntaxError) and error.lineno and Path(error.filename or "") == path:
        return f"line {error.lineno}"
    lines = [
        frame.lineno
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename) == path
    ]
    return f"line {lines[-1]}" if lines else ""


def load_module(spec: str) -> nn.Module:
    """The module that NAME in FILE gives: an nn.Module subclass built with no arguments, a
    function returning a module, or a module instance. Runs the file, as importing it would;
    the file is not left in sys.modules. The modules of classes outside torch keep the
    arguments they were built with (see construction). Raises ImportProblem saying what is
    wrong and where."""
    path, name = split_spec(spec)
    if (problem := regular_file_problem(path)) is not None:
        raise ImportProblem(str(path), problem)
    path = path.resolve()
    module_name = f"netdesigner_import_{next(_loads)}"
    loader = NoCacheLoader(module_name, str(path))
    source = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    module = importlib.util.module_from_spec(source)
    sys.modules[module_name] = module
    sys.path.insert(0, str(path.parent))
    try:
        run_file(module, loader, path)
        with recording_constructions():
            return build(find(module, name, path), name, path)
    finally:
        sys.path.remove(str(path.parent))
        sys.modules.pop(module_name, None)


def run_file(module: ModuleType, loader: NoCacheLoader, path: Path) -> None:
    try:
        prepare_imports(loader.get_data(str(path)).decode("utf-8", "replace"))
        loader.exec_module(module)
    except SyntaxError as error:
        message = f"has a syntax error: {error.msg}"
        raise ImportProblem(str(path), message, line_in(error, path)) from None
    except (Exception, SystemExit) as error:  # the user's code can raise anything
        message = f"fails when run: {failure(error)}"
        raise ImportProblem(str(path), message, line_in(error, path)) from None


def failure(error: BaseException) -> str:
    """An exception of the user's code in words; sys.exit() is one too."""
    if isinstance(error, SystemExit):
        return f"it calls sys.exit({error.code!r})"
    return f"{type(error).__name__}: {first_line(error)}"


def find(module: ModuleType, name: str, path: Path) -> object:
    """What NAME (or NAME.ATTRIBUTE...) is in the loaded file. A name that is not a Python
    name, a dunder, or missing is refused with what the file offers instead."""
    parts = name.split(".")
    if not all(is_public_name(part) for part in parts):
        message = f"{name!r} is not the name of a class or function{offers(module)}"
        raise ImportProblem(str(path), message)
    value: object = module
    for part in parts:
        try:
            value = getattr(value, part)
        except Exception:  # a module's own __getattr__ may raise anything
            raise ImportProblem(str(path), f"defines no {name!r}{offers(module)}") from None
    return value


def is_public_name(part: str) -> bool:
    dunder = part.startswith("__") and part.endswith("__")
    return part.isidentifier() and not keyword.iskeyword(part) and not dunder


def offers(module: ModuleType) -> str:
    """(its nn.Module classes: A, B; its functions: make), of those the file defines."""
    own = {
        key: item
        for key, item in vars(module).items()
        if getattr(item, "__module__", None) == module.__name__ and is_public_name(key)
    }
    classes = sorted(k for k, v in own.items() if inspect.isclass(v) and issubclass(v, nn.Module))
    functions = sorted(k for k, v in own.items() if inspect.isfunction(v))
    listed = [
        f"its {what}: {', '.join(names)}"
        for what, names in (("nn.Module classes", classes), ("functions", functions))
        if names
    ]
    return f" ({'; '.join(listed)})" if listed else ""


def build(value: object, name: str, path: Path) -> nn.Module:
    if isinstance(value, nn.Module):
        return value
    if inspect.isclass(value) and not issubclass(value, nn.Module):
        raise ImportProblem(str(path), f"{name} is a class but not an nn.Module subclass")
    if not callable(value):
        kind = type(value).__name__
        raise ImportProblem(
            str(path), f"{name} is a {kind}, not an nn.Module class or a function returning one"
        )
    try:
        result = value()
    except (Exception, SystemExit) as error:  # the user's constructor can raise anything
        message = f"{name}() fails: {failure(error)}"
        raise ImportProblem(str(path), message, line_in(error, path)) from None
    if not isinstance(result, nn.Module):
        kind = type(result).__name__
        raise ImportProblem(str(path), f"{name}() returned a {kind}, not an nn.Module")
    return result
