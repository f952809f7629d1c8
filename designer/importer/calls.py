"""What a mapper sees of one traced call (args, module, shapes) and the layers it gives back."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import fx, nn

from designer.importer.errors import Unsupported

BATCH_FIRST = "NetDesigner layers take the batch first"

# Where a traced tensor holds the batch: first; second, after the sequence (an import with
# sequence_first, as nn.LSTM with batch_first=False makes); or merged with the sequence into
# its first dim, position-major (view(-1, n) of a sequence-first tensor).
BATCH_AT_FIRST, BATCH_AT_SECOND, BATCH_MERGED = "first", "second", "merged"


@dataclass(frozen=True)
class TensorShape:
    """One tensor a call made: its shape (with or without the batch), dtype, and where the
    traced tensor holds the batch (a per-sample shape is the same for every layout)."""

    shape: tuple[int, ...]
    dtype: torch.dtype
    batch_at: str = BATCH_AT_FIRST


@dataclass(frozen=True)
class Layer:
    """One node to add: its kind, params, and the module path whose weights it holds (which
    also names it); function calls have no path and are named after their kind."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    path: str | None = None


@dataclass(frozen=True)
class Mapped:
    """The layers a call becomes, run one after another on `inputs` (fx values); with no
    layers, the call's result is its one input (an alias)."""

    inputs: tuple[Any, ...]
    layers: tuple[Layer, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Call:
    """One call_module, call_function or call_method node: `where` names it in reports,
    `sample_of` gives an argument's per-sample shape, `value_of` what the import holds for it
    (a node id, or a tuple-valued call not yet made into a node)."""

    node: fx.Node
    module: nn.Module | None
    where: str
    sample_of: Callable[[Any], TensorShape]
    value_of: Callable[[Any], Any]

    @property
    def path(self) -> str | None:
        return self.node.target if self.node.op == "call_module" else None

    @property
    def output(self) -> TensorShape:
        return self.sample_of(self.node)

    def arg(self, index: int, name: str, default: Any = None) -> Any:
        """An argument given by position or by keyword."""
        if index < len(self.node.args):
            return self.node.args[index]
        return self.node.kwargs.get(name, default)

    def rank(self, value: Any) -> int:
        """The rank of a tensor with its batch dim first; Unsupported for a tensor that holds
        the batch elsewhere (a mapper that reads dims by rank would read the wrong ones)."""
        sample = self.sample_of(value)
        if sample.batch_at != BATCH_AT_FIRST:
            raise Unsupported(f"works on dims of a sequence-first tensor; {BATCH_FIRST}")
        return len(sample.shape) + 1

    def dim(self, dim: int, value: Any) -> int:
        """A dim of the traced tensor `value` as the catalog's per-sample dim, wherever the
        tensor holds its batch; a dim across the batch is refused."""
        sample = self.sample_of(value)
        if sample.batch_at == BATCH_AT_FIRST:
            return per_sample_dim(dim, len(sample.shape) + 1)
        rank = len(sample.shape) + (sample.batch_at == BATCH_AT_SECOND)
        if not -rank <= dim < rank:
            raise Unsupported(f"dim {dim} is out of range for a tensor of rank {rank}")
        batch = 1 if sample.batch_at == BATCH_AT_SECOND else 0
        if dim % rank == batch:
            raise Unsupported(
                f"works across the batch (dim {dim}); NetDesigner layers work per sample"
            )
        if dim < 0 or dim % rank < batch:
            return dim
        return dim - 1 if sample.batch_at == BATCH_AT_SECOND else dim

    def layer(self, kind: str, **params: Any) -> Layer:
        return Layer(kind, params, self.path)

    def source(self) -> Any:
        """The tensor the call works on: a module's one input, a function's first argument."""
        return self.single_input() if self.node.op == "call_module" else self.arg(0, "input")

    def become(self, *layers: Layer, notes: tuple[str, ...] = ()) -> Mapped:
        """The call's source through `layers`."""
        return Mapped((self.source(),), layers, notes)

    def single_input(self) -> Any:
        """A module's input, when every other argument is left at None or False."""
        args, kwargs = list(self.node.args), dict(self.node.kwargs)
        if args:
            source = args.pop(0)
        elif kwargs:
            source = kwargs.pop(next(iter(kwargs)))
        else:
            raise Unsupported("is called without an input")
        given = [(f"argument {index}", value) for index, value in enumerate(args, start=2)]
        extra = [name for name, value in [*given, *kwargs.items()] if value not in (None, False)]
        if extra:
            raise Unsupported(f"is called with {', '.join(extra)}; only its input is supported")
        return source

    def check_inplace(self, inplace: bool) -> None:
        """An in-place op changes its input for every later reader; the graph's would not."""
        source = self.arg(0, "input")
        if not inplace or not isinstance(source, fx.Node):
            return
        later = self.node.next
        while later.op != "root":
            if later in source.users:
                raise Unsupported("works in place on a tensor that later calls read again")
            later = later.next


def per_sample_dim(dim: int, rank: int) -> int:
    """A dim of the batched tensor as the catalog's per-sample dim; the batch is refused."""
    if not -rank <= dim < rank:
        raise Unsupported(f"dim {dim} is out of range for a tensor of rank {rank}")
    if dim % rank == 0:
        raise Unsupported(f"works across the batch (dim {dim}); NetDesigner layers work per sample")
    return dim - 1 if dim > 0 else dim


def square(value: Any, what: str) -> int:
    """One size from an int or a tuple of equal ints (the catalog's windows are square)."""
    if isinstance(value, int):
        return value
    sizes = set(value)
    if len(sizes) != 1:
        raise Unsupported(
            f"{what}={tuple(value)} differs between sides; the catalog's layer uses one {what}"
        )
    return sizes.pop()


def index_text(index: Any) -> str:
    """An index as Python writes it: (slice(None), -1) -> ':, -1'."""
    if isinstance(index, tuple):
        return ", ".join(index_text(item) for item in index)
    if isinstance(index, slice):
        parts = [index.start, index.stop] + ([index.step] if index.step is not None else [])
        return ":".join("" if part is None else str(part) for part in parts)
    return repr(index)
