"""Convolutions: Conv1d, Conv2d and ConvTranspose2d; in_channels follows the input. The 2-D
kinds take the kernel, stride and padding per side (1x7) as well as one for both."""

from nodes.checks import expect_rank
from nodes.params import BoolParam, IntParam, PairParam, sides
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import LayerSpec

CONV_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True}
LAYOUTS = {1: "channels x length", 2: "channels x height x width"}


def conv_params(spatial: int, transposed: bool = False) -> tuple:
    extra = (
        (IntParam("output_padding", 0, "Extra size added to one side of the output", min=0),)
        if transposed
        else ()
    )
    if spatial == 1:
        window = (
            IntParam("kernel_size", 3, "Length of the kernel", min=1, max=1024),
            IntParam("stride", 1, "Step between kernel positions", min=1, max=1024),
            IntParam("padding", 0, "Zeros added at each end", min=0, max=1024),
        )
    else:
        window = (
            PairParam("kernel_size", 3, "Side of the kernel, or height x width", min=1, max=1024),
            PairParam("stride", 1, "Step between kernel positions, or per side", min=1, max=1024),
            PairParam("padding", 0, "Zeros added on each side, or per side", min=0, max=1024),
        )
    return (
        IntParam("filters", 16, "Number of output channels", min=1, max=100_000),
        *window,
        IntParam("dilation", 1, "Spacing between kernel elements", min=1, max=1024),
        IntParam("groups", 1, "Split channels into this many independent groups", min=1),
        BoolParam("bias", True, "Learn an additive bias per channel"),
        *extra,
    )


def conv_arguments(p, x) -> dict:
    args = {
        "in_channels": x[0].shape[0],
        "out_channels": p["filters"],
        "kernel_size": p["kernel_size"],
        "stride": p["stride"],
        "padding": p["padding"],
    }
    if "output_padding" in p:
        args["output_padding"] = p["output_padding"]
    args.update(dilation=p["dilation"], groups=p["groups"], bias=p["bias"])
    return args


def conv_check(spatial: int):
    def check(p, x) -> list[Problem]:
        problems = expect_rank(x[0], (spatial + 1,), LAYOUTS[spatial])
        if problems:
            return problems
        channels = x[0].shape[0]
        padding = p.get("output_padding", 0)
        if padding and padding >= min(max(side, p["dilation"]) for side in sides(p["stride"])):
            return [
                Problem(
                    f"{{layer}}: output_padding {padding} must be smaller than the stride "
                    f"({p['stride']}) or the dilation ({p['dilation']})"
                )
            ]
        if channels % p["groups"] or p["filters"] % p["groups"]:
            return [
                Problem(
                    f"{{layer}}: groups={p['groups']} must divide both the input channels "
                    f"({channels}) and filters ({p['filters']})"
                )
            ]
        return []

    return check


for kind, name, spatial, transposed, help_text in (
    ("conv1d", "Conv1d", 1, False, "1-D convolution over sequences or signals (nn.Conv1d)."),
    ("conv2d", "Conv2d", 2, False, "2-D convolution over images (nn.Conv2d)."),
    (
        "conv_transpose2d",
        "ConvTranspose2d",
        2,
        True,
        "Transposed 2-D convolution that upsamples images (nn.ConvTranspose2d).",
    ),
):
    register(
        LayerSpec(
            kind=kind,
            name=name,
            category="Convolution",
            help=help_text,
            params=conv_params(spatial, transposed),
            module=f"nn.{name}",
            arguments=conv_arguments,
            positional=2,
            torch_defaults={**CONV_DEFAULTS, "output_padding": 0},
            check=conv_check(spatial),
        )
    )
