"""A fixed sinusoidal table that a module holds as a buffer and adds to a sequence, sliced to
its length (the PositionalEncoding of PyTorch's word_language_model example), back to the
catalog's SinusoidalPositionEncoding, whose class computes the same table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import fx

from designer.importer.calls import Call, Layer, Mapped, TensorShape
from designer.importer.errors import Unsupported
from designer.importer.helper_classes import reference_classes
from designer.importer.layers import HELPERS
from designer.importer.learned_tensors import attribute
from designer.importer.tuples import Pending

KIND = "sinusoidal_position_encoding"
TOLERANCE = 1e-6


@dataclass
class SlicedTable(Pending):
    """A (positions, 1, features) or (1, positions, features) buffer sliced along its
    positions (`dim`) to `shape`: a position table once added to a sequence."""

    path: str = ""
    table: torch.Tensor | None = None
    dim: int = 0
    shape: tuple[int, ...] = ()

    def whole(self, at: fx.Node) -> Mapped:
        raise Unsupported(
            f"slices {self.path}, a tensor the module holds; only a sinusoidal position table "
            "added to a sequence has a catalog layer",
            self.where,
        )


def table_slice(call: Call, made: list[Any]) -> SlicedTable:
    """buffer[:n] or buffer[:, :n] (further dims whole) of a held table whose batch dim has
    size 1; `made` is the slice's shape at each batch size."""
    container, index = call.node.args
    path, tensor = attribute(container)
    parts = list(index) if isinstance(index, tuple) else [index]
    whole = slice(None)
    if tensor.dim() != 3 or 1 not in tensor.shape[:2] or len(parts) > 3:
        raise Unsupported(f"slices {path} of shape {tuple(tensor.shape)}; no catalog layer does")
    dim = 0 if tensor.shape[1] == 1 else 1
    parts += [whole] * (3 - len(parts))
    kept = parts[dim]
    if not (
        isinstance(kept, slice)
        and kept.start in (None, 0)
        and kept.step is None
        and all(part == whole for place, part in enumerate(parts) if place != dim)
        and all(isinstance(item, TensorShape) and item == made[0] for item in made)
    ):
        raise Unsupported(f"slices {path} other than to its first positions; no catalog layer does")
    return SlicedTable(call.where, path=path, table=tensor, dim=dim, shape=tuple(made[0].shape))


def reference_table(length: int, features: int) -> torch.Tensor:
    """The catalog's table, (length, features), from its own class."""
    _, cls = reference_classes()["SinusoidalPositionEncoding"]
    return cls(length, features).table[0]


def sinusoidal_encoding(call: Call) -> Mapped | None:
    """x + table (either order) of a SlicedTable that fits a sequence x features x and holds
    the catalog's sines and cosines there: a SinusoidalPositionEncoding; None when neither
    operand is a SlicedTable."""
    left, right = call.arg(0, "input"), call.arg(1, "other")
    for source, table in ((left, right), (right, left)):
        held = call.value_of(table)
        if isinstance(held, SlicedTable):
            return sinusoidal_layer(call, source, held)
    return None


def sinusoidal_layer(call: Call, source: Any, held: SlicedTable) -> Mapped:
    if not isinstance(source, fx.Node) or call.node.kwargs.get("alpha", 1) != 1:
        raise Unsupported(f"adds {held.path} to something other than a sequence")
    shape = call.sample_of(source).shape
    positions = held.shape[held.dim]
    if len(shape) != 2 or positions != shape[0] or held.shape[2] != shape[1]:
        raise Unsupported(
            f"adds {held.path} sliced to {'x'.join(map(str, held.shape))} to a tensor of "
            f"per-sample shape {'x'.join(map(str, shape))}; a position table covers each "
            "position of a sequence x features tensor"
        )
    found = held.table.select(1 - held.dim, 0)[:positions].float()
    if found.shape[1] % 2 or not torch.allclose(
        found, reference_table(*found.shape), rtol=0, atol=TOLERANCE
    ):
        raise Unsupported(
            f"adds {held.path}, a table other than the sinusoidal position encoding; the "
            "catalog's learned PositionEmbedding holds a (1, positions, features) parameter"
        )
    return Mapped((source,), (Layer(KIND, {}, held.path),))


def own_sinusoidal_encoding(call: Call) -> Mapped:
    """The catalog's own SinusoidalPositionEncoding, in the code it generated."""
    return call.become(call.layer(KIND))


HELPERS[KIND] = own_sinusoidal_encoding
