"""Normalization: BatchNorm1d/2d and LayerNorm (over features or channels); feature counts
follow the input."""

from nodes.checks import dim_in_range, expect_rank
from nodes.params import FloatParam, IntParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec, batch_dim, call_layer

EPS = FloatParam("eps", 1e-5, "Added to the variance for numerical stability", min=1e-12, max=1.0)
MOMENTUM = FloatParam("momentum", 0.1, "Weight of each batch in the running mean", min=0, max=1)

for kind, name, ranks, layout, help_text in (
    (
        "batchnorm1d",
        "BatchNorm1d",
        (1, 2),
        "features or channels x length",
        "Normalizes each feature (or channel of a sequence) over the batch (nn.BatchNorm1d).",
    ),
    (
        "batchnorm2d",
        "BatchNorm2d",
        (3,),
        "channels x height x width",
        "Normalizes each image channel over the batch (nn.BatchNorm2d).",
    ),
):
    register(
        LayerSpec(
            kind=kind,
            name=name,
            category="Normalization",
            passthrough=True,
            help=help_text,
            params=(EPS, MOMENTUM),
            module=f"nn.{name}",
            arguments=lambda p, x: {
                "num_features": x[0].shape[0],
                "eps": p["eps"],
                "momentum": p["momentum"],
            },
            positional=1,
            torch_defaults={"eps": 1e-5, "momentum": 0.1},
            check=lambda p, x, ranks=ranks, layout=layout: expect_rank(x[0], ranks, layout),
        )
    )


def layernorm_check(p, x) -> list[Problem]:
    return expect_rank(x[0], tuple(range(1, 9)), "at least one dimension") or dim_in_range(p, x)


def layernorm_forward(ctx: ForwardContext) -> list[str]:
    """nn.LayerNorm normalizes the last dim: another dim is moved last and back."""
    dim = ctx.params["dim"]
    if dim == -1:
        return call_layer(ctx)
    axis, source = batch_dim(dim), ctx.inputs[0]
    return [f"{ctx.output} = {ctx.layer}({source}.movedim({axis}, -1)).movedim(-1, {axis})"]


register(
    LayerSpec(
        kind="layernorm",
        name="LayerNorm",
        category="Normalization",
        passthrough=True,
        help=(
            "Normalizes each sample over one dimension: the last (features, nn.LayerNorm), or "
            "the channels at each position of an image (dim 0, ConvNeXt's LayerNorm2d)."
        ),
        params=(
            EPS,
            IntParam(
                "dim",
                -1,
                "Dimension to normalize, batch excluded (-1: the last, 0: channels)",
                min=-8,
                max=7,
            ),
        ),
        module="nn.LayerNorm",
        arguments=lambda p, x: {"normalized_shape": x[0].shape[p["dim"]], "eps": p["eps"]},
        positional=1,
        torch_defaults={"eps": 1e-5},
        forward=layernorm_forward,
        check=layernorm_check,
    )
)
