"""The network's inputs: shapes from text, which inputs are token ids, example tensors."""

from __future__ import annotations

import math
import re

import torch
from torch import fx, nn

from designer.compiler.summary import human_bytes
from designer.importer.errors import ImportProblem
from designer.importer.tracing import BATCHES
from designer.runtime.memory_budget import available_memory
from nodes import REGISTRY, ParamError

SHAPE = re.compile(r"[0-9]+(x[0-9]+)*", re.ASCII)
VALUE_BYTES = 8  # token ids are int64; floats take half that
INPUT_SHARE = 8  # an input may fill an eighth of the memory free: the network's own tensors
UNKNOWN_MEMORY = 1 << 30  # come on top. Where nothing tells what is free: 1 GiB


def parse_shape(text: str) -> tuple[int, ...]:
    """'3x224x224' -> (3, 224, 224): one sample's shape, without the batch size."""
    compact = re.sub(r"\s+", "", text).lower()
    if not SHAPE.fullmatch(compact):
        raise ImportProblem(
            f"input shape {text!r}",
            "is not a shape: give whole sizes joined by x, without the batch, e.g. 3x224x224",
        )
    try:
        shape = (
            REGISTRY.get("input").param("shape").coerce([int(size) for size in compact.split("x")])
        )
    except ParamError as error:
        raise ImportProblem(f"input shape {text!r}", f"cannot be an input shape: {error}") from None
    check_input_size(text, shape)
    return shape


def check_input_size(text: str, shape: tuple[int, ...]) -> None:
    """ImportProblem, before anything is allocated, when the example batches that tracing
    makes of this shape would not fit in a share of the memory free."""
    free = available_memory() or UNKNOWN_MEMORY
    needed = max(BATCHES) * math.prod(shape) * VALUE_BYTES
    if needed > free // INPUT_SHARE:
        raise ImportProblem(
            f"input shape {text!r}",
            f"makes example batches of {max(BATCHES)} x {math.prod(shape):,} values "
            f"({human_bytes(needed)}) to trace the module with, more than an eighth of the "
            f"{human_bytes(free)} free; give a smaller shape",
        )


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
    names: list[str],
    shapes: list[tuple[int, ...]],
    vocabularies: dict[str, int],
    batch: int,
    sequence_first: bool = False,
) -> list[torch.Tensor]:
    """Random inputs of one batch size: token ids where an Embedding reads, floats elsewhere;
    the batch second, after each sample's first dim, with `sequence_first`."""
    generator = torch.Generator().manual_seed(batch)
    tensors = []
    for name, shape in zip(names, shapes, strict=True):
        size = (*shape[:1], batch, *shape[1:]) if sequence_first else (batch, *shape)
        if name in vocabularies:
            tensors.append(torch.randint(0, vocabularies[name], size, generator=generator))
        else:
            tensors.append(torch.randn(size, generator=generator))
    return tensors
