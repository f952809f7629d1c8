"""The spec of a block instance: made per block definition, its ports and params come from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nodes.params import ChoiceParam, IntParam, ParamSpec
from nodes.spec import LayerSpec, Params, PortSpec, Role

BLOCK_KIND = "block"
BLOCK_PARAM = "block"
REPEAT_PARAM = "repeat"
MAX_REPEAT = 1000


@dataclass(frozen=True, eq=False)
class BlockSpec(LayerSpec):
    """A LayerSpec for the instances of one block; `block` is the definition's name.

    A definition can gain an exposed param after instances were made: an instance that lacks
    the value takes the param's default, here and in analysis.
    """

    block: str = ""

    def params_to_json(self, params: Params) -> dict[str, Any]:
        return super().params_to_json(self.with_defaults(params))

    def with_defaults(self, params: Params) -> dict[str, Any]:
        return {spec.name: params.get(spec.name, spec.default) for spec in self.params}


def block_spec(
    name: str,
    description: str,
    inputs: tuple[str, ...],
    outputs: tuple[str, ...],
    exposed: tuple[ParamSpec, ...],
) -> BlockSpec:
    """The spec of `name`'s instances: one port per inner Input and Output, in order, and the
    block's name, its exposed params and the repeat count as params."""
    return BlockSpec(
        kind=BLOCK_KIND,
        name=name,
        category="Blocks",
        help=description or f"An instance of the block {name}.",
        params=(
            ChoiceParam(BLOCK_PARAM, name, "The block this node is an instance of", (name,)),
            *exposed,
            IntParam(
                REPEAT_PARAM,
                1,
                "Chain this many copies (one input and one output of the same shape)",
                min=1,
                max=MAX_REPEAT,
            ),
        ),
        inputs=tuple(PortSpec(port) for port in inputs),
        outputs=tuple(PortSpec(port) for port in outputs),
        role=Role.BLOCK,
        dtypes=("float", "long"),
        block=name,
    )
