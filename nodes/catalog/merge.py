"""Shortcut and merge nodes: Add (residual), Multiply (which broadcasts sizes of 1, as a gate
does) and Concatenate, over any number of inputs (Concatenate also one)."""

from nodes.checks import broadcasting, dim_in_range, same_shapes
from nodes.params import IntParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec, PortSpec, batch_dim

MANY = (PortSpec("in", many=True),)
MAX_OPERANDS = 1000  # `a + b + ...` of several thousand nests deeper than Python compiles


def few_enough(inputs: tuple) -> list[Problem]:
    """A problem when an operator merge has more inputs than its line of code can hold."""
    if len(inputs) <= MAX_OPERANDS:
        return []
    return [
        Problem(
            f"{{layer}} has {len(inputs):,} inputs; it takes at most {MAX_OPERANDS:,} (merge "
            "them in stages)"
        )
    ]


def operator_forward(operator: str):
    def forward(ctx: ForwardContext) -> list[str]:
        return [f"{ctx.output} = {f' {operator} '.join(ctx.inputs)}"]

    return forward


register(
    LayerSpec(
        kind="add",
        name="Add",
        category="Merge",
        help="Adds its inputs element-wise: the join of a residual shortcut.",
        inputs=MANY,
        forward=operator_forward("+"),
        passthrough=True,
        check=lambda p, x: few_enough(x) or same_shapes(x),
        min_inputs=2,
    )
)

register(
    LayerSpec(
        kind="multiply",
        name="Multiply",
        category="Merge",
        help=(
            "Multiplies its inputs element-wise; sizes of 1 stretch to the others', so a "
            "channels x 1 x 1 gate scales a whole image (squeeze-excitation)."
        ),
        inputs=MANY,
        forward=operator_forward("*"),
        check=lambda p, x: few_enough(x) or broadcasting(x),
        min_inputs=2,
    )
)


def concat_check(p, x) -> list[Problem]:
    problems = dim_in_range(p, x)
    if problems:
        return problems
    first, dim = x[0], p["dim"]
    axis = dim % first.rank
    for info in x[1:]:
        others = [size for index, size in enumerate(info.shape) if index != axis]
        if info.rank != first.rank or others != [
            size for index, size in enumerate(first.shape) if index != axis
        ]:
            listed = " and ".join(str(item) for item in x)
            return [Problem(f"{{layer}} gets {listed}: all sizes but dim {dim} must agree")]
    return []


def concat_forward(ctx: ForwardContext) -> list[str]:
    dim = batch_dim(ctx.params["dim"])
    return [f"{ctx.output} = torch.cat([{', '.join(ctx.inputs)}], dim={dim})"]


register(
    LayerSpec(
        kind="concatenate",
        name="Concatenate",
        category="Merge",
        help=(
            "Joins its inputs along one dimension (0 is channels or features); one input "
            "passes through, as the first layer of a DenseNet block joins its one input."
        ),
        params=(IntParam("dim", 0, "Dimension to join along, batch excluded", min=-8, max=7),),
        inputs=MANY,
        forward=concat_forward,
        check=concat_check,
        dtypes=("float", "long"),
    )
)
