"""Indexing that keeps one position of a dim (x[:, 0], x.select(1, 0)) back to Select."""

from __future__ import annotations

from typing import Any

from designer.importer.calls import Call, Layer, Mapped, per_sample_dim

FULL = slice(None)


def select_layer(call: Call, dim: int, index: int) -> Mapped:
    rank = call.rank(call.source())
    return call.become(Layer("select", {"dim": per_sample_dim(dim, rank), "index": index}))


def indexed(call: Call) -> Mapped | None:
    """x[:, ..., i, ...] with every other place a full slice: a Select; None for any other
    index (the batch's own, slices, tensors)."""
    index: Any = call.node.args[1]
    if not isinstance(index, tuple) or len(index) < 2 or index[0] != FULL:
        return None
    places = [place for place, item in enumerate(index) if item != FULL]
    if len(places) != 1 or type(index[places[0]]) is not int:
        return None
    return select_layer(call, places[0], index[places[0]])


def selected(call: Call) -> Mapped:
    """Tensor.select(dim, index) and torch.select."""
    return select_layer(call, call.arg(1, "dim"), call.arg(2, "index"))
