"""An attention layer's activation memory counts its scores (batch x heads x sequence x
sequence), as torch keeps them for the backward pass, not just its output."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from designer.compiler import Analyzer
from designer.model import GraphDocument
from tests.helpers import chain


def saved_bytes(module: nn.Module, length: int, width: int) -> int:
    """What a training forward of `module` on one meta sample keeps for backward, but
    its input and its parameters: torch's own count."""
    x = torch.empty((1, length, width), device="meta", requires_grad=True)
    parameters = list(module.parameters())
    kept = []

    def pack(tensor: torch.Tensor) -> torch.Tensor:
        owned = any(tensor is p or tensor._base is p for p in parameters)
        if not owned and tensor is not x:
            kept.append(tensor.numel() * tensor.element_size())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        if isinstance(module, nn.MultiheadAttention):
            module(x, x, x, need_weights=False)
        else:
            module(x)
    return sum(kept)


def attention_report(kind: str, params: dict, length: int, width: int):
    doc = GraphDocument()
    start = doc.add_node("input", "tokens", {"shape": [length, width]})
    last = chain(doc, start, [(kind, "attention", params)])
    doc.connect(last.id, "out", doc.add_node("output", "y").id, "in")
    report = Analyzer(doc).report()
    assert report.ok, report.diagnostics
    return report, last.id


CASES = [
    ("multihead_attention", {"num_heads": 4, "dropout": 0.0}, 256, 64),
    ("multihead_attention", {"num_heads": 8, "dropout": 0.1}, 128, 64),
    ("transformer_encoder_layer", {"nhead": 4, "dim_feedforward": 256}, 256, 64),
    ("transformer_encoder_layer", {"nhead": 2, "dim_feedforward": 64, "dropout": 0.0}, 512, 32),
]


@pytest.mark.parametrize(("kind", "params", "length", "width"), CASES)
def test_the_estimate_covers_what_torch_keeps_and_not_much_more(kind, params, length, width):
    report, node_id = attention_report(kind, params, length, width)
    estimate = report.node_activation_bytes(node_id, 1)
    with torch.device("meta"):
        if kind == "multihead_attention":
            module = nn.MultiheadAttention(
                width, params["num_heads"], params["dropout"], batch_first=True
            )
        else:
            module = nn.TransformerEncoderLayer(
                width,
                params["nhead"],
                params["dim_feedforward"],
                params.get("dropout", 0.1),
                batch_first=True,
            )
    module.train()
    kept = saved_bytes(module, length, width)
    assert kept <= estimate <= 1.25 * kept
    heads = params.get("num_heads", params.get("nhead"))
    assert estimate > 2 * heads * length * length * 4  # the scores, twice at least
    assert report.activation_bytes(32) == 32 * report.activation_bytes(1)
