"""A node's key params in words, as its card on the canvas shows them: "5 x 5, 6 filters"."""

from __future__ import annotations

from typing import Any

from designer.model import Node
from nodes.block import BLOCK_KIND, BLOCK_PARAM

TIMES = "\u00d7"
ALWAYS_SHOWN = 2  # the first params show even at their defaults: they say what the layer is
FIRST = ("kernel_size",)  # read before the others: "5x5, 6 filters"
WORDS = {  # how a param's value is read; "{}" is the value
    "filters": "{} filters",
    "units": "{} units",
    "kernel_size": "{}",
    "stride": "stride {}",
    "padding": "pad {}",
    "groups": "{} groups",
    "num_heads": "{} heads",
    "nhead": "{} heads",
    "dim_feedforward": "feed-forward {}",
    "hidden_size": "{} hidden",
    "num_layers": "{} layers",
    "vocab_size": "{} tokens",
    "p": "p {}",
    "shape": "{}",
    "dims": "order {}",
    "output_size": "to {}",
    "op": "{}",
    "returns": "returns {}",
}


def value_text(value: Any) -> str:
    if isinstance(value, tuple | list):
        return TIMES.join(str(item) for item in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def param_words(name: str, value: Any) -> str:
    if isinstance(value, bool):
        words = name.replace("_", " ")
        return words if value else f"no {words}"
    if name == "kernel_size" and isinstance(value, int):
        value = (value, value)  # a square window reads 5x5, as people write it
    template = WORDS.get(name, name.replace("_", " ") + " {}")
    if value == 1 and template.startswith("{} ") and template.endswith("s"):
        template = template[:-1]  # "1 layer", not "1 layers"
    return template.format(value_text(value))


def params_summary(node: Node) -> str:
    """The first params, then any others that differ from their defaults, in words (a block
    instance leaves out its block's name: the kind shows it)."""
    shown = [p for p in node.spec.params if node.kind != BLOCK_KIND or p.name != BLOCK_PARAM]
    parts = []
    for index, param in enumerate(shown):
        value = node.params.get(param.name, param.default)
        at_default = value == param.default
        if at_default and (index >= ALWAYS_SHOWN or isinstance(value, bool)):
            continue
        parts.append((param.name not in FIRST, param_words(param.name, value)))
    return ", ".join(words for _, words in sorted(parts, key=lambda part: part[0]))
