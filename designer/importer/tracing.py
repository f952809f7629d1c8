"""Trace a module with torch.fx and run the trace at two batch sizes to learn every shape."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx, nn

from designer.compiler.probe import first_line
from designer.importer.calls import BATCH_AT_SECOND, BATCH_MERGED, TensorShape
from designer.importer.errors import ImportProblem, Unsupported
from designer.importer.layers import module_mapper
from designer.importer.masks import Mask, mask_arguments, recorded_mask
from designer.importer.trace_failures import trace_failure

BATCHES = (2, 3)
DTYPES = {torch.float32: "float", torch.int64: "long"}


class ImportTracer(fx.Tracer):
    """Keeps torch.nn layers, subclasses that keep a mapped layer's forward, and the submodules
    at the paths `leaves` (those that become block instances, or custom code) as single calls,
    and the functions `wrapped` (custom code too); traces through every other module, so
    nested modules flatten into one graph. `inside` holds the (path,
    class) of the modules being traced, outermost first; it keeps them when tracing fails,
    which says in whose forward. Buffers are read as traced values, so that forward can
    slice one by a traced size (a position table cut to the sequence's length)."""

    proxy_buffer_attributes = True

    def __init__(
        self, leaves: frozenset[str] = frozenset(), wrapped: tuple[Callable, ...] = ()
    ) -> None:
        super().__init__(autowrap_functions=wrapped)
        self.leaves = leaves
        self.inside: list[tuple[str, type]] = []

    def call_module(self, m: nn.Module, forward: Any, args: Any, kwargs: Any) -> Any:
        self.inside.append((self.path_of_module(m), type(m)))
        result = super().call_module(m, forward, args, kwargs)
        self.inside.pop()
        return result

    def is_leaf_module(self, m: nn.Module, module_qualified_name: str) -> bool:
        return (
            module_qualified_name in self.leaves
            or super().is_leaf_module(m, module_qualified_name)
            or module_mapper(m) is not None
        )


def forward_defaults(module: nn.Module, given: int) -> dict[str, Any]:
    """The defaults that forward's parameters after the first `given` keep while tracing;
    ImportProblem when `given` does not fit forward."""
    parameters = list(inspect.signature(module.forward).parameters.values())
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in parameters):
        raise ImportProblem(
            type(module).__name__, "forward takes *args or **kwargs; it needs named inputs"
        )
    required = [p.name for p in parameters if p.default is p.empty]
    if not len(required) <= given <= len(parameters):
        names = ", ".join(p.name for p in parameters)
        takes = (
            str(len(parameters))
            if len(required) == len(parameters)
            else f"{len(required)} to {len(parameters)}"
        )
        raise ImportProblem(
            type(module).__name__,
            f"forward({names}) takes {takes} input(s) but {given} input shape(s) were given; "
            "give one shape per input",
        )
    return {p.name: p.default for p in parameters[given:]}


def trace(
    module: nn.Module,
    given: int,
    leaves: frozenset[str] = frozenset(),
    wrapped: tuple[Callable, ...] = (),
) -> fx.GraphModule:
    """The module's forward as one fx graph, flat but for the submodules at `leaves` and the
    functions `wrapped`; TraceFailed (an ImportProblem) if fx cannot trace it."""
    defaults = forward_defaults(module, given)
    tracer = ImportTracer(leaves, wrapped)
    tracer.inside.append(("", type(module)))
    try:
        graph = tracer.trace(module, concrete_args=defaults or None)
    except Exception as error:  # fx raises many kinds for code it cannot follow
        raise trace_failure(module, tracer.inside, error) from None
    return fx.GraphModule(tracer.root, graph)


NOT_PLAIN = object()


def plain(value: Any) -> Any:
    """A value that is no tensor as custom code can hold it (sizes as tuples), or NOT_PLAIN."""
    if isinstance(value, torch.Size):
        return tuple(value)
    if value is None or isinstance(
        value, bool | int | float | str | slice | torch.dtype | torch.device | type(Ellipsis)
    ):
        return value
    if isinstance(value, tuple | list):
        items = [plain(item) for item in value]
        return NOT_PLAIN if NOT_PLAIN in items else type(value)(items)
    return NOT_PLAIN


def summary(value: Any) -> Any:
    """Shapes in place of tensors, tuples kept, anything else None."""
    if isinstance(value, torch.Tensor):
        return TensorShape(tuple(value.shape), value.dtype)
    if isinstance(value, tuple | list):
        return tuple(summary(item) for item in value)
    return None


def holds_tensor(value: Any) -> bool:
    if isinstance(value, tuple):
        return any(holds_tensor(item) for item in value)
    return isinstance(value, TensorShape)


class Recorder(fx.Interpreter):
    """Runs the trace and keeps the summary of every call's result, and the value of each
    attention mask."""

    def __init__(self, graph: fx.GraphModule, masks: set[fx.Node]) -> None:
        super().__init__(graph)
        self.summaries: dict[fx.Node, Any] = {}
        self.constants: dict[fx.Node, Any] = {}
        self.masks = masks
        self.mask_values: dict[fx.Node, Any] = {}
        self.current: fx.Node | None = None

    def run_node(self, n: fx.Node) -> Any:
        self.current = n
        result = super().run_node(n)
        if n in self.masks:
            self.mask_values[n] = result
        self.summaries[n] = summary(result)
        if not holds_tensor(self.summaries[n]):
            self.constants[n] = plain(result)
        return result


@contextmanager
def evaluating(module: nn.Module) -> Iterator[None]:
    """Eval mode without gradients, each submodule's own mode put back afterwards (a run in
    training mode would change BatchNorm's running statistics)."""
    modes = {submodule: submodule.training for submodule in module.modules()}
    module.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        for submodule, mode in modes.items():
            submodule.training = mode


@dataclass(frozen=True)
class Recording:
    """Every call's result at each of BATCHES; a tensor that keeps the batch first has one
    per-sample shape."""

    runs: tuple[dict[fx.Node, Any], ...]
    constants: tuple[dict[fx.Node, Any], ...] = ()
    sequence_first: bool = False
    masks: dict[fx.Node, Mask] = field(default_factory=dict)

    def values(self, node: fx.Node) -> list[Any]:
        """What a call that gives no tensor gave at each batch size (NOT_PLAIN: something
        custom code cannot hold)."""
        return [run.get(node, NOT_PLAIN) for run in self.constants]

    def holds_tensor(self, node: fx.Node) -> bool:
        return holds_tensor(self.runs[0][node])

    def is_tensor(self, node: fx.Node) -> bool:
        return isinstance(self.runs[0].get(node), TensorShape)

    def sample(self, node: fx.Node) -> TensorShape:
        """The per-sample shape and dtype of a call's tensor; Unsupported unless the tensor
        keeps the batch as its first dim."""
        found = [run[node] for run in self.runs]
        if not all(isinstance(item, TensorShape) for item in found):
            raise Unsupported("gives no single tensor")
        if self.sequence_first:
            return sequence_first_sample(found)
        batched = all(
            item.shape[:1] == (batch,) and item.shape[1:] == found[0].shape[1:]
            for item, batch in zip(found, BATCHES, strict=True)
        )
        if not batched:
            raise Unsupported(
                f"makes a tensor of shape {tuple(found[0].shape)} at batch {BATCHES[0]}, which "
                "does not keep the batch as its first dim; NetDesigner layers work per sample"
            )
        if found[0].dtype not in DTYPES:
            raise Unsupported(f"makes {found[0].dtype} tensors; NetDesigner uses float32 and int64")
        return TensorShape(found[0].shape[1:], found[0].dtype)


def sequence_first_sample(found: list[TensorShape]) -> TensorShape:
    """The per-sample shape of a tensor traced at each of BATCHES with the batch second
    (sequence, batch, ...), or merged into its first dim position by position (view(-1, n)
    of such a tensor, sequence length 2 or more); Unsupported for any other layout."""
    first = found[0]
    if first.dtype not in DTYPES:
        raise Unsupported(f"makes {first.dtype} tensors; NetDesigner uses float32 and int64")
    shapes = [item.shape for item in found]
    if all(
        len(shape) >= 2
        and shape[1] == batch
        and shape[:1] + shape[2:] == first.shape[:1] + first.shape[2:]
        for shape, batch in zip(shapes, BATCHES, strict=True)
    ):
        return TensorShape(first.shape[:1] + first.shape[2:], first.dtype, BATCH_AT_SECOND)
    length = first.shape[0] // BATCHES[0] if first.shape else 0
    if length >= 2 and all(
        shape[0] == length * batch and shape[1:] == first.shape[1:]
        for shape, batch in zip(shapes, BATCHES, strict=True)
    ):
        return TensorShape((length, *first.shape[1:]), first.dtype, BATCH_MERGED)
    raise Unsupported(
        f"makes a tensor of shape {tuple(first.shape)} at batch {BATCHES[0]}, which keeps "
        "neither the sequence first and the batch second nor both merged in its first dim "
        "(the import is sequence-first); NetDesigner layers work per sample"
    )


def record(
    graph: fx.GraphModule,
    inputs: dict[int, list[torch.Tensor]],
    source: str,
    sequence_first: bool = False,
) -> Recording:
    """Run the trace on each batch size's inputs (the batch second with `sequence_first`);
    ImportProblem if the module fails on them."""
    runs, constants, mask_values = [], [], []
    masks = mask_arguments(graph)
    with evaluating(graph):
        for batch in BATCHES:
            recorder = Recorder(graph, masks)
            try:
                recorder.run(*inputs[batch])
            except Exception as error:  # the module's own code can raise anything
                shapes = ", ".join("x".join(map(str, t.shape)) for t in inputs[batch])
                layout = "sequence first, batch second" if sequence_first else "batch first"
                node = recorder.current
                at = node.target if node.op == "call_module" else node.name
                raise ImportProblem(
                    source,
                    f"fails at {at} on inputs of shape {shapes} ({layout}): "
                    f"{type(error).__name__}: {first_line(error)}",
                ) from None
            runs.append(recorder.summaries)
            constants.append(recorder.constants)
            mask_values.append(recorder.mask_values)
    found = {mask: recorded_mask([run[mask] for run in mask_values]) for mask in masks}
    return Recording(tuple(runs), tuple(constants), sequence_first, found)
