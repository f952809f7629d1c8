"""Attention: multi-head self-attention and the Transformer encoder layer, batch first."""

from nodes.checks import expect_rank
from nodes.params import BoolParam, ChoiceParam, FloatParam, IntParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec


def heads_check(heads_param: str):
    def check(p, x) -> list[Problem]:
        problems = expect_rank(x[0], (2,), "sequence x features")
        if problems:
            return problems
        width, heads = x[0].shape[-1], p[heads_param]
        if width % heads:
            return [Problem(f"{{layer}} has {heads} heads, which must divide the {width} features")]
        return []

    return check


def self_attention_forward(ctx: ForwardContext) -> list[str]:
    x = ctx.inputs[0]
    return [f"{ctx.output}, _ = {ctx.layer}({x}, {x}, {x}, need_weights=False)"]


register(
    LayerSpec(
        kind="multihead_attention",
        name="MultiheadAttention",
        category="Attention",
        help="Multi-head self-attention over a sequence (nn.MultiheadAttention).",
        params=(
            IntParam("num_heads", 4, "Attention heads; must divide the features", min=1),
            FloatParam("dropout", 0.0, "Dropout on the attention weights", min=0.0, max=1.0),
            BoolParam("bias", True, "Learn biases in the projections"),
        ),
        module="nn.MultiheadAttention",
        arguments=lambda p, x: {
            "embed_dim": x[0].shape[-1],
            "num_heads": p["num_heads"],
            "dropout": p["dropout"],
            "bias": p["bias"],
            "batch_first": True,
        },
        positional=2,
        torch_defaults={"dropout": 0.0, "bias": True},
        forward=self_attention_forward,
        check=heads_check("num_heads"),
    )
)


def encoder_layer_forward(ctx: ForwardContext) -> list[str]:
    """The layer on its input; a causal one is given the mask that hides later positions
    (built for each call's length, the output's name holding it until the call)."""
    x, out = ctx.inputs[0], ctx.output
    if not ctx.params["causal"]:
        return [f"{out} = {ctx.layer}({x})"]
    return [
        f'{out} = torch.full(({x}.shape[1], {x}.shape[1]), float("-inf"), device={x}.device)',
        f"{out} = {ctx.layer}({x}, src_mask={out}.triu(1), is_causal=True)",
    ]


register(
    LayerSpec(
        kind="transformer_encoder_layer",
        name="TransformerEncoderLayer",
        category="Attention",
        help="Self-attention and a feed-forward block with residuals and norms.",
        params=(
            IntParam("nhead", 4, "Attention heads; must divide the features", min=1),
            IntParam("dim_feedforward", 256, "Width of the feed-forward block", min=1),
            FloatParam("dropout", 0.1, "Dropout rate", min=0.0, max=1.0),
            ChoiceParam("activation", "relu", "Feed-forward activation", ("relu", "gelu")),
            BoolParam("norm_first", False, "Normalize before attention (pre-norm)"),
            BoolParam("causal", False, "Each position attends only to itself and earlier ones"),
        ),
        module="nn.TransformerEncoderLayer",
        arguments=lambda p, x: {
            "d_model": x[0].shape[-1],
            "nhead": p["nhead"],
            "dim_feedforward": p["dim_feedforward"],
            "dropout": p["dropout"],
            "activation": p["activation"],
            "batch_first": True,
            "norm_first": p["norm_first"],
        },
        positional=2,
        torch_defaults={
            "dim_feedforward": 2048,
            "dropout": 0.1,
            "activation": "relu",
            "norm_first": False,
        },
        forward=encoder_layer_forward,
        check=heads_check("nhead"),
    )
)
