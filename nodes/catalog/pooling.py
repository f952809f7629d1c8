"""Pooling: max and average pooling in 1-D and 2-D (windows per side in 2-D, rounding the
output size down or up), global (adaptive) pooling and Reduce."""

from nodes.checks import dim_in_range, expect_rank
from nodes.params import BoolParam, ChoiceParam, IntParam, PairParam, sides
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec, batch_dim

LAYOUTS = {1: "channels x length", 2: "channels x height x width"}


def pool_arguments(p, x) -> dict:
    args = {"kernel_size": p["kernel_size"]}
    if p["stride"] != p["kernel_size"]:
        args["stride"] = p["stride"]
    args["padding"] = p["padding"]
    args["ceil_mode"] = p["ceil_mode"]
    return args


def pool_check(spatial: int):
    def check(p, x) -> list[Problem]:
        problems = expect_rank(x[0], (spatial + 1,), LAYOUTS[spatial])
        pairs = zip(sides(p["padding"]), sides(p["kernel_size"]), strict=True)
        if not problems and any(padding * 2 > kernel for padding, kernel in pairs):
            problems.append(Problem("{layer}: padding must be at most half the kernel size"))
        return problems

    return check


def pool_params(spatial: int) -> tuple:
    if spatial == 1:
        window = (
            IntParam("kernel_size", 2, "Length of the pooling window", min=1, max=1024),
            IntParam("stride", 2, "Step between windows", min=1, max=1024),
            IntParam("padding", 0, "Padding added at each end", min=0, max=512),
        )
    else:
        window = (
            PairParam("kernel_size", 2, "Side of the window, or height x width", min=1, max=1024),
            PairParam("stride", 2, "Step between windows, or per side", min=1, max=1024),
            PairParam("padding", 0, "Padding added on each side, or per side", min=0, max=512),
        )
    ceil = BoolParam("ceil_mode", False, "Round the output size up: a last, partial window")
    return (*window, ceil)


for kind, name, spatial, help_text in (
    ("maxpool1d", "MaxPool1d", 1, "Largest value in each window of a sequence (nn.MaxPool1d)."),
    ("maxpool2d", "MaxPool2d", 2, "Largest value in each window of an image (nn.MaxPool2d)."),
    ("avgpool1d", "AvgPool1d", 1, "Mean of each window of a sequence (nn.AvgPool1d)."),
    ("avgpool2d", "AvgPool2d", 2, "Mean of each window of an image (nn.AvgPool2d)."),
):
    register(
        LayerSpec(
            kind=kind,
            name=name,
            category="Pooling",
            help=help_text,
            params=pool_params(spatial),
            module=f"nn.{name}",
            arguments=pool_arguments,
            positional=1,
            torch_defaults={"padding": 0, "ceil_mode": False},
            check=pool_check(spatial),
        )
    )

register(
    LayerSpec(
        kind="adaptive_avgpool2d",
        name="AdaptiveAvgPool2d",
        category="Pooling",
        help="Averages each channel down to a fixed size; 1 is global average pooling.",
        params=(IntParam("output_size", 1, "Height and width of the output", min=1, max=4096),),
        module="nn.AdaptiveAvgPool2d",
        arguments=lambda p, x: {"output_size": p["output_size"]},
        positional=1,
        check=lambda p, x: expect_rank(x[0], (3,), LAYOUTS[2]),
    )
)

REDUCE_METHODS = {"mean": "mean", "max": "amax", "sum": "sum"}


def reduce_forward(ctx: ForwardContext) -> list[str]:
    method = REDUCE_METHODS[ctx.params["op"]]
    dim = batch_dim(ctx.params["dim"])
    return [f"{ctx.output} = {ctx.inputs[0]}.{method}(dim={dim})"]


register(
    LayerSpec(
        kind="reduce",
        name="Reduce",
        category="Pooling",
        help="Mean, max or sum over one dimension, e.g. pooling a sequence over its steps.",
        params=(
            ChoiceParam("op", "mean", "How values are combined", tuple(REDUCE_METHODS)),
            IntParam(
                "dim", 0, "Dimension to reduce (0 is the first after the batch)", min=-8, max=7
            ),
        ),
        forward=reduce_forward,
        check=dim_in_range,
    )
)
