"""What an attention layer holds for a training step: its scores, heads x sequence x
sequence per sample in several copies (scores, softmax, dropout and its mask), and the
per-token tensors around them, not just its output."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nodes import TensorInfo

FLOAT_BYTES = 4
# Copies of the scores kept for the backward pass, as torch's attention keeps them on
# meta tensors (its plain path): scores and softmax; with dropout also the dropped
# scores and a one-byte mask.
SCORE_COPIES = 2.0
DROPOUT_SCORE_COPIES = 3.25
TOKEN_COPIES = 6  # projections in and out, each as wide as the output
ROW_VALUES = 2  # per row of scores: the softmax's maximum and sum
HEADS_PARAM = {"multihead_attention": "num_heads", "transformer_encoder_layer": "nhead"}


def attention_held(kind: str, params: Mapping[str, Any], output: TensorInfo) -> int | None:
    """Bytes per sample an attention layer of `kind` keeps for its backward pass; None
    for any other layer (its output is what it keeps)."""
    if kind not in HEADS_PARAM or output.rank != 2:
        return None
    length, width = output.shape
    copies = DROPOUT_SCORE_COPIES if params.get("dropout", 0.0) > 0 else SCORE_COPIES
    heads = params[HEADS_PARAM[kind]]
    scores = heads * length * length * FLOAT_BYTES
    rows = heads * length * ROW_VALUES * FLOAT_BYTES
    tokens = TOKEN_COPIES
    if kind == "transformer_encoder_layer":  # the feed-forward block: in, activation, dropout
        tokens += 3 * params["dim_feedforward"] / width
    return int(scores * copies + rows + output.nbytes() * tokens)
