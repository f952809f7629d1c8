"""Tensors a module learns and uses straight in forward, back to catalog layers: a class token
expanded over the batch and put before the sequence (ClassToken), a position embedding added
to the sequence (PositionEmbedding), and the catalog's own classes of both in code it
generated."""

from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any

import torch
from torch import fx

from designer.importer.calls import Call, Layer, Mapped, per_sample_dim
from designer.importer.errors import Unsupported
from designer.importer.layers import HELPERS
from designer.importer.tuples import Pending


def attribute(value: Any) -> tuple[str, torch.Tensor] | None:
    """The path and tensor of a tensor the module holds (an fx get_attr), else None."""
    if not isinstance(value, fx.Node) or value.op != "get_attr":
        return None
    return value.target, operator.attrgetter(value.target)(value.graph.owning_module)


@dataclass
class ExpandedToken(Pending):
    """A learned (1, 1, features) tensor expanded over the batch: a class token once it is put
    before a sequence (torch.cat along dim 1)."""

    path: str = ""

    def whole(self, at: fx.Node) -> Mapped:
        raise Unsupported(
            "expands a learned tensor over the batch; only putting it before a sequence "
            "(torch.cat along dim 1) has a catalog layer, ClassToken",
            self.where,
        )


def expanded_token(call: Call) -> ExpandedToken:
    """Tensor.expand of a learned (1, 1, features) tensor to (batch, 1, features)."""
    found = attribute(call.arg(0, "input"))
    if found is None:
        raise Unsupported("expands a tensor; no catalog layer expands")
    path, tensor = found
    if tensor.dim() != 3 or tuple(tensor.shape[:2]) != (1, 1):
        raise Unsupported(
            f"expands the learned tensor {path} of shape {tuple(tensor.shape)}; only a class "
            "token (1 x 1 x features) has a catalog layer"
        )
    if call.output.shape != tuple(tensor.shape[1:]):
        raise Unsupported(f"expands {path} to other sizes than the batch's")
    return ExpandedToken(call.where, path=path)


def class_token(call: Call, tensors: list[Any]) -> Mapped | None:
    """torch.cat([token, x], dim=1) of an ExpandedToken and a sequence x features tensor: a
    ClassToken; None for any other cat."""
    held = call.value_of(tensors[0]) if tensors else None
    if not isinstance(held, ExpandedToken):
        return None
    if len(tensors) != 2 or per_sample_dim(call.arg(1, "dim", 0), 3) != 0:
        raise Unsupported(
            "joins a class token other than before one sequence (torch.cat([token, x], dim=1))"
        )
    if len(call.sample_of(tensors[1]).shape) != 2:
        raise Unsupported("puts a class token before a tensor that is not sequence x features")
    return Mapped((tensors[1],), (Layer("class_token", {}, held.path),))


def position_embedding(call: Call) -> Mapped | None:
    """x + tensor (either order) of a learned (1, sequence, features) tensor that fits a
    sequence x features x: a PositionEmbedding; None for any other addition."""
    left, right = call.arg(0, "input"), call.arg(1, "other")
    found, source = attribute(right), left
    if found is None:
        found, source = attribute(left), right
    if found is None:
        return None
    path, tensor = found
    if not isinstance(source, fx.Node) or call.node.kwargs.get("alpha", 1) != 1:
        return None
    shape = call.sample_of(source).shape
    if len(shape) != 2 or tuple(tensor.shape) != (1, *shape):
        return None  # not a position embedding: reported as a free tensor
    return Mapped((source,), (Layer("position_embedding", {}, path),))


def own_class_token(call: Call) -> Mapped:
    """The catalog's own ClassToken, in the code it generated."""
    return call.become(call.layer("class_token"))


def own_position_embedding(call: Call) -> Mapped:
    """The catalog's own PositionEmbedding, in the code it generated."""
    return call.become(call.layer("position_embedding"))


HELPERS["class_token"] = own_class_token
HELPERS["position_embedding"] = own_position_embedding
