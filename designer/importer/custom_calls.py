"""A traced call that no catalog layer takes, as a custom-code node: the module, function or
tensor method it calls (by import path, or the user's own source), the constants, inputs and
sizes it is called with, and the learned tensor it reads."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
from torch import fx, nn

from designer.compiler.code_text import literal
from designer.importer.calls import Layer, Mapped
from designer.importer.carry import carried_code, import_path, what
from designer.importer.errors import Unsupported
from designer.importer.init_args import init_arguments
from designer.importer.tracing import BATCHES, NOT_PLAIN
from designer.importer.tuples import Pending
from nodes.catalog.custom_code import CUSTOM_KIND
from nodes.custom_call import (
    DTYPES,
    WEIGHT,
    CallError,
    Reference,
    problems,
    string_literal,
)

if TYPE_CHECKING:
    from designer.importer.assemble import Assembler

TENSOR_ATTRIBUTES = ("device", "dtype")


@dataclass
class Carrying:
    """What is kept whole as custom code instead of traced through, each with why: submodules
    by path and functions; `origins`, the problems inside a submodule that it was kept whole
    for (reported again if it cannot be custom code either). Off (`enabled` False), every call
    without a catalog layer is a problem, as before custom code."""

    enabled: bool = True
    modules: dict[str, str] = field(default_factory=dict)
    functions: dict[Callable, str] = field(default_factory=dict)
    origins: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Callee:
    """What a custom-code node calls: its params' call, target and code, its constructor
    arguments, how notes describe it, and whether it holds weights."""

    call: str
    target: str
    code: str = ""
    init: str = ""
    described: str = ""
    weighted: bool = False


def module_callee(module: nn.Module) -> Callee:
    """A submodule rebuilt from its class (by import path, or its source) and arguments."""
    cls = type(module)
    arguments = init_arguments(module)
    init = ", ".join(
        f"{name}={value if isinstance(value, Reference) else literal(value)}"
        for name, value in arguments.items()
    )
    weighted = any(True for _ in module.parameters()) or any(True for _ in module.buffers())
    path = import_path(cls)
    if path is not None:
        target = f"{path[0]}:{path[1]}"
        return Callee("module", target, "", init, f"builds {path[0]}.{path[1]}({init})", weighted)
    code = carried_code(cls)
    return Callee("module", cls.__name__, code, init, f"carries {what(cls)}", weighted)


def function_callee(function: Any) -> Callee:
    path = import_path(function)
    if path is not None:
        return Callee("function", f"{path[0]}:{path[1]}", described=f"calls {path[0]}.{path[1]}")
    if not inspect.isfunction(function):
        raise Unsupported(f"calls {function!r}, which is neither a library's nor a file's own")
    return Callee(
        "function", function.__name__, carried_code(function), "", f"carries {what(function)}"
    )


class Arguments:
    """A call's arguments in the custom-code language: inputs x0, x1, ... (the fx nodes that
    give them, in order), the learned `weight` it reads, constants and sizes."""

    def __init__(self, assembler: Assembler) -> None:
        self.assembler = assembler
        self.inputs: list[fx.Node] = []
        self.weight: tuple[str, tuple[int, ...]] | None = None  # module path, shape

    def text(self, args: tuple, kwargs: dict) -> str:
        parts = [self.value(arg) for arg in args]
        parts += [f"{name}={self.value(value)}" for name, value in kwargs.items()]
        return ", ".join(parts)

    def value(self, value: Any) -> str:
        if isinstance(value, fx.Node):
            return self.node(value)
        if isinstance(value, tuple | list):
            items = [self.value(item) for item in value]
            if isinstance(value, list):
                return f"[{', '.join(items)}]"
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        return self.constant(value)

    def constant(self, value: Any) -> str:
        if isinstance(value, str):
            return string_literal(value)
        if value is Ellipsis:
            return "..."
        if isinstance(value, slice):
            return (
                f"slice({', '.join(self.value(v) for v in (value.start, value.stop, value.step))})"
            )
        if isinstance(value, torch.dtype) and str(value).removeprefix("torch.") in DTYPES:
            return str(value)
        if isinstance(value, torch.device):
            return string_literal(str(value))
        if isinstance(value, torch.Size):
            return self.value(tuple(value))
        if isinstance(value, tuple | list):
            return self.value(value)
        if (
            value is None
            or isinstance(value, bool | int)
            or (isinstance(value, float) and value == value and abs(value) != float("inf"))
        ):
            return repr(value)
        raise Unsupported(
            f"is given {type(value).__name__} {value!r}, which custom code cannot hold"
        )

    def input(self, node: fx.Node) -> str:
        self.assembler.sample(node)  # a tensor with the batch first, or Unsupported / Skipped
        if node not in self.inputs:
            self.inputs.append(node)
        return f"x{self.inputs.index(node)}"

    def node(self, node: fx.Node) -> str:
        recording = self.assembler.recording
        if node.op == "get_attr":
            return self.learned(node)
        if recording.is_tensor(node):
            return self.input(node)
        if recording.holds_tensor(node):
            self.assembler.tensor(node)  # a part-made tuple: its problem says why
            raise Unsupported(f"is given {node.name}, a tuple of tensors, as one argument")
        return self.size(node)

    def learned(self, node: fx.Node) -> str:
        path = node.target
        try:
            tensor = self.assembler.graph.get_parameter(path)
        except AttributeError:
            raise Unsupported(
                f"reads {path}, a tensor that is not a learned parameter (a buffer or a "
                "constant), directly; custom code holds learned tensors only",
            ) from None
        if self.weight is not None and self.weight[0] != path:
            raise Unsupported(
                f"reads two of the module's tensors directly ({self.weight[0]} and {path}); "
                "a custom-code node holds one"
            )
        self.weight = (path, tuple(tensor.shape))
        return WEIGHT

    def size(self, node: fx.Node) -> str:
        """A value computed from tensors (a size, a device): a constant where it is the same
        at every batch size, the batch size of an input where it is that, else Unsupported."""
        if node.op == "call_function" and node.target is getattr:
            source, name = node.args
            if name in TENSOR_ATTRIBUTES and self.assembler.recording.is_tensor(source):
                return f"{self.input(source)}.{name}"
        found = self.assembler.recording.values(node)
        if NOT_PLAIN in found:
            raise Unsupported(f"is given {node.name}, a value custom code cannot hold")
        if all(value == found[0] and type(value) is type(found[0]) for value in found):
            return self.constant(found[0])
        if found == list(BATCHES):
            return f"{self.input(self.batched_source(node))}.shape[0]"
        raise Unsupported(
            f"is given {node.name}, which changes with the batch size ({found[0]} at batch "
            f"{BATCHES[0]}, {found[1]} at {BATCHES[1]}) other than as the batch size itself"
        )

    def batched_source(self, node: fx.Node) -> fx.Node:
        """A tensor whose first dim is the batch: an input already taken, or one the value
        was computed from."""
        if self.inputs:
            return self.inputs[0]
        queue, seen = list(node.all_input_nodes), set()
        while queue:
            found = queue.pop(0)
            if found in seen:
                continue
            seen.add(found)
            if self.assembler.recording.is_tensor(found) and found.op != "get_attr":
                return found
            queue += found.all_input_nodes
        raise Unsupported(f"is given {node.name}, a batch size from no tensor it can take")


@dataclass
class CustomTuple(Pending):
    """A custom-code call that gives a tuple: a node per part used (made at its first use),
    which calls it again; a call holding weights may give only one part."""

    inputs: tuple[Any, ...] = ()
    layer: Layer | None = None
    weighted: bool = False
    parts: dict[int, fx.Node] = field(default_factory=dict)

    def item(self, index: Any, at: fx.Node) -> Mapped:
        if not isinstance(index, int) or index < 0:
            raise Unsupported(f"its part [{index!r}] is not one custom code can give", self.where)
        if index in self.parts:
            return Mapped((self.parts[index],))
        if self.parts and self.weighted:
            raise Unsupported(
                "uses two parts of its result; a custom-code node gives one, and its weights "
                "cannot be in two nodes",
                self.where,
            )
        self.parts[index] = at
        params = {**self.layer.params, "item": index}
        return Mapped(self.inputs, (Layer(CUSTOM_KIND, params, self.layer.path),))


def custom_name(params: dict[str, Any]) -> str:
    """A custom-code node's name: what it calls (cumsum, clamp_rows, expand, getitem)."""
    return params["target"].rpartition(":")[2].rpartition(".")[2] or CUSTOM_KIND


def callee_of(assembler: Assembler, node: fx.Node, carrying: Carrying) -> tuple[Callee, str]:
    """What the call calls, and why it is custom code (when it was kept whole on purpose)."""
    if node.op == "call_module":
        module = assembler.graph.get_submodule(node.target)
        callee = module_callee(module)
        if node.target in assembler.called and callee.weighted:
            raise Unsupported(
                "is called more than once; each node has weights of its own, so shared weights "
                "cannot be kept"
            )
        assembler.called.add(node.target)
        return callee, carrying.modules.get(node.target, "")
    if node.op == "call_method":
        if node.target.endswith("_") and not node.target.endswith("__"):
            raise Unsupported("changes its input in place")
        return Callee(
            "function", f"torch:Tensor.{node.target}", described=f"calls Tensor.{node.target}"
        ), ""
    if node.op == "call_function":
        return function_callee(node.target), carrying.functions.get(node.target, "")
    raise Unsupported("is not a call")


def custom_call(
    assembler: Assembler, node: fx.Node, carrying: Carrying, reason: str
) -> tuple[Mapped | CustomTuple, str]:
    """The custom-code node (or tuple of them) for a call that no catalog layer took because
    of `reason`, and the note that says so; Unsupported when custom code cannot take it."""
    if node.kwargs.get("inplace") is True:
        raise Unsupported("works in place")
    callee, why = callee_of(assembler, node, carrying)
    arguments = Arguments(assembler)
    text = arguments.text(node.args, dict(node.kwargs))
    if not arguments.inputs:
        raise Unsupported("takes no tensor with the batch first")
    weight_path, weight_shape = arguments.weight or (None, ())
    params = {
        "call": callee.call,
        "target": callee.target,
        "arguments": text,
        "init": callee.init,
        "code": callee.code,
        "inputs": len(arguments.inputs),
        "item": -1,
        "weight_shape": weight_shape,
    }
    try:
        found = problems(params, len(arguments.inputs))
    except CallError as error:
        found = [str(error)]
    if found:
        raise Unsupported(f"as custom code: {found[0]}")
    path = node.target if node.op == "call_module" else weight_path
    layer = Layer(CUSTOM_KIND, params, path)
    note = f"custom code ({callee.described}): {why or reason}"
    weighted = callee.weighted or weight_path is not None
    inputs = tuple(arguments.inputs)
    if not assembler.recording.is_tensor(node) and assembler.recording.holds_tensor(node):
        return CustomTuple(
            assembler.where(node), inputs=inputs, layer=layer, weighted=weighted
        ), note
    return Mapped(inputs, (layer,)), note
