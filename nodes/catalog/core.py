"""Core layers: Dense (Linear), Embedding, Dropout, and Scale (times a fixed factor)."""

from nodes.checks import FLATTEN_FIX, expect_rank
from nodes.params import BoolParam, FloatParam, IntParam
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec

register(
    LayerSpec(
        kind="dense",
        name="Dense",
        category="Core",
        help="Fully connected layer (nn.Linear) on the last dimension.",
        params=(
            IntParam("units", 64, "Number of output features", min=1, max=1_000_000),
            BoolParam("bias", True, "Learn an additive bias"),
            BoolParam(
                "per_position",
                False,
                "Take inputs of more dims too, working on the last at each position (a "
                "channels-last image, as in ConvNeXt); off, they are an error that a Flatten "
                "before it usually fixes",
            ),
        ),
        module="nn.Linear",
        arguments=lambda p, x: {
            "in_features": x[0].shape[-1],
            "out_features": p["units"],
            "bias": p["bias"],
        },
        positional=2,
        torch_defaults={"bias": True},
        check=lambda p, x: expect_rank(
            x[0],
            tuple(range(1, 9)) if p["per_position"] else (1, 2),
            "features (or sequence x features)",
            FLATTEN_FIX,
        ),
    )
)

register(
    LayerSpec(
        kind="embedding",
        name="Embedding",
        category="Core",
        help="Looks up a learned vector for each token id (nn.Embedding).",
        params=(
            IntParam("vocab_size", 1000, "Number of distinct token ids", min=1, max=10_000_000),
            IntParam("dim", 64, "Size of each embedding vector", min=1, max=100_000),
        ),
        module="nn.Embedding",
        arguments=lambda p, x: {"num_embeddings": p["vocab_size"], "embedding_dim": p["dim"]},
        positional=2,
        dtypes=("long",),
        check=lambda p, x: expect_rank(x[0], (1, 2), "a sequence of token ids"),
    )
)

register(
    LayerSpec(
        kind="dropout",
        name="Dropout",
        category="Core",
        help="Zeroes a random fraction of values while training (nn.Dropout).",
        params=(FloatParam("p", 0.5, "Probability of zeroing a value", min=0.0, max=1.0),),
        module="nn.Dropout",
        passthrough=True,
        arguments=lambda p, x: {"p": p["p"]},
        positional=1,
        dtypes=("float",),
    )
)


def scale_forward(ctx: ForwardContext) -> list[str]:
    return [f"{ctx.output} = {ctx.inputs[0]} * {ctx.params['factor']!r}"]


register(
    LayerSpec(
        kind="scale",
        name="Scale",
        category="Core",
        help=(
            "Multiplies by a fixed factor, as a transformer scales its embeddings by the square "
            "root of their width; nothing to learn."
        ),
        params=(FloatParam("factor", 1.0, "The factor"),),
        forward=scale_forward,
    )
)
