"""Shape changes without learning: Flatten, Reshape and Permute."""

from math import prod

from nodes.params import IntsParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec

register(
    LayerSpec(
        kind="flatten",
        name="Flatten",
        category="Reshape",
        help="Flattens each sample to one vector, e.g. before a Dense layer (nn.Flatten).",
        module="nn.Flatten",
        arguments=lambda p, x: {},
        dtypes=("float", "long"),
    )
)


def reshape_check(p, x) -> list[Problem]:
    shape = p["shape"]
    if shape.count(-1) > 1:
        return [Problem("{layer} allows at most one -1 (a size worked out from the rest)")]
    if 0 in shape:
        return [Problem("{layer}: sizes must be positive (or -1 for one inferred size)")]
    known = prod(size for size in shape if size != -1)
    total = x[0].numel
    fits = total % known == 0 if -1 in shape else total == known
    if fits:
        return []
    target = "x".join(str(size) for size in shape)
    return [Problem(f"{{layer}} gets {x[0]} ({total} values per sample) and cannot make {target}")]


def reshape_forward(ctx: ForwardContext) -> list[str]:
    sizes = ", ".join(str(size) for size in ctx.params["shape"])
    source = ctx.inputs[0]
    return [f"{ctx.output} = {source}.reshape({source}.shape[0], {sizes})"]


register(
    LayerSpec(
        kind="reshape",
        name="Reshape",
        category="Reshape",
        help="Gives each sample a new shape with the same number of values.",
        params=(
            IntsParam("shape", (-1,), "New sample shape without batch; one -1 is inferred", min=-1),
        ),
        forward=reshape_forward,
        check=reshape_check,
        dtypes=("float", "long"),
    )
)


def permute_check(p, x) -> list[Problem]:
    dims = p["dims"]
    if sorted(dims) == list(range(x[0].rank)):
        return []
    order = ", ".join(str(dim) for dim in range(x[0].rank))
    return [Problem(f"{{layer}}: dims must order {order} for an input of {x[0]}, got {list(dims)}")]


def permute_forward(ctx: ForwardContext) -> list[str]:
    dims = ", ".join(str(dim + 1) for dim in ctx.params["dims"])
    return [f"{ctx.output} = {ctx.inputs[0]}.permute(0, {dims})"]


register(
    LayerSpec(
        kind="permute",
        name="Permute",
        category="Reshape",
        help="Reorders a sample's dimensions, e.g. sequence x features to features x sequence.",
        params=(IntsParam("dims", (1, 0), "New order of the sample's dimensions", min=0, max=7),),
        forward=permute_forward,
        check=permute_check,
        dtypes=("float", "long"),
    )
)
