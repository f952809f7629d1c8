"""Normalization: BatchNorm1d/2d and LayerNorm; feature counts follow the input."""

from nodes.checks import expect_rank
from nodes.params import FloatParam
from nodes.registry import register
from nodes.spec import LayerSpec

EPS = FloatParam("eps", 1e-5, "Added to the variance for numerical stability", min=1e-12, max=1.0)
MOMENTUM = FloatParam("momentum", 0.1, "Weight of each batch in the running mean", min=0, max=1)

register(
    LayerSpec(
        kind="batchnorm1d",
        name="BatchNorm1d",
        category="Normalization",
        passthrough=True,
        help="Normalizes each feature (or channel of a sequence) over the batch (nn.BatchNorm1d).",
        params=(EPS, MOMENTUM),
        module="nn.BatchNorm1d",
        arguments=lambda p, x: {
            "num_features": x[0].shape[0],
            "eps": p["eps"],
            "momentum": p["momentum"],
        },
        positional=1,
        torch_defaults={"eps": 1e-5, "momentum": 0.1},
        check=lambda p, x: expect_rank(x[0], (1, 2), "features or channels x length"),
    )
)

register(
    LayerSpec(
        kind="batchnorm2d",
        name="BatchNorm2d",
        category="Normalization",
        passthrough=True,
        help="Normalizes each image channel over the batch (nn.BatchNorm2d).",
        params=(EPS, MOMENTUM),
        module="nn.BatchNorm2d",
        arguments=lambda p, x: {
            "num_features": x[0].shape[0],
            "eps": p["eps"],
            "momentum": p["momentum"],
        },
        positional=1,
        torch_defaults={"eps": 1e-5, "momentum": 0.1},
        check=lambda p, x: expect_rank(x[0], (3,), "channels x height x width"),
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
