"""Normalization: BatchNorm1d/2d and LayerNorm; feature counts follow the input."""

from nodes.checks import expect_rank
from nodes.params import FloatParam
from nodes.registry import register
from nodes.spec import LayerSpec

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

register(
    LayerSpec(
        kind="layernorm",
        name="LayerNorm",
        category="Normalization",
        passthrough=True,
        help="Normalizes the last dimension of each sample (nn.LayerNorm).",
        params=(EPS,),
        module="nn.LayerNorm",
        arguments=lambda p, x: {"normalized_shape": x[0].shape[-1], "eps": p["eps"]},
        positional=1,
        torch_defaults={"eps": 1e-5},
        check=lambda p, x: expect_rank(x[0], tuple(range(1, 9)), "at least one dimension"),
    )
)
