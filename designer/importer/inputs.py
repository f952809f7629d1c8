"""The network's inputs: shapes from text, which inputs are token ids, example tensors."""

from __future__ import annotations

import re

import torch
from torch import fx, nn

from designer.importer.errors import ImportProblem
from nodes import REGISTRY, ParamError

SHAPE = re.compile(r"[0-9]+(x[0-9]+)*", re.ASCII)


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x224x224' -> (3, 224, 224): one sample's shape, without the batch size."""
    compact = re.sub(r"\s+", "", text).lower()
    if not SHAPE.fullmatch(compact):
        raise ImportProblem(
            f"input shape {text!r}",
            "is not a shape: give whole sizes joined by x, without the batch, e.g. 3x224x224",
        )
    try:
        return (
            REGISTRY.get("input").param("shape").coerce([int(size) for size in compact.split("x")])
        )
    except ParamError as error:
        raise ImportProblem(f"input shape {text!r}", f"cannot be an input shape: {error}") from None


def token_vocabularies(graph: fx.GraphModule) -> dict[str, int]:
    """Inputs that an Embedding reads, by placeholder name: ids must stay below the smallest
    vocabulary among the Embeddings that read them."""
    vocabularies: dict[str, int] = {}
    for node in graph.graph.find_nodes(op="placeholder"):
        for user in node.users:
            module = graph.get_submodule(user.target) if user.op == "call_module" else None
            if isinstance(module, nn.Embedding):
                known = vocabularies.get(node.name, module.num_embeddings)
                vocabularies[node.name] = min(known, module.num_embeddings)
    return vocabularies


def example_inputs(
    names: list[str], shapes: list[tuple[int, ...]], vocabularies: dict[str, int], batch: int
) -> list[torch.Tensor]:
    """Random inputs of one batch size: token ids where an Embedding reads, floats elsewhere."""
    generator = torch.Generator().manual_seed(batch)
    tensors = []
    for name, shape in zip(names, shapes, strict=True):
        size = (batch, *shape)
        if name in vocabularies:
            tensors.append(torch.randint(0, vocabularies[name], size, generator=generator))
        else:
            tensors.append(torch.randn(size, generator=generator))
    return tensors
