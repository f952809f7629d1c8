"""Transformer sequence pieces: a learned class token, a learned position embedding (their
classes are written into the generated module, each holding its tensor as `weight`), a fixed
sinusoidal position encoding (its class computes its table, no weights), and Select, which
keeps one position of a dim (the class token's output, say)."""

from nodes.checks import dim_in_range, expect_rank
from nodes.params import IntParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec

CLASS_TOKEN = '''\
class ClassToken(nn.Module):
    """A learned vector put before each sequence (a transformer's class token)."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1, 1, features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.weight.expand(x.shape[0], -1, -1), x], dim=1)
'''

POSITION_EMBEDDING = '''\
class PositionEmbedding(nn.Module):
    """A learned tensor added to each sample: a vector per position of a sequence."""

    def __init__(self, length: int, features: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(1, length, features).normal_(std=0.02))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.weight
'''

SINUSOIDAL_POSITION_ENCODING = '''\
class SinusoidalPositionEncoding(nn.Module):
    """Adds a fixed vector to each position of a sequence: sines and cosines of the
    position at rates from 1 down to 1/10000 ("Attention Is All You Need"); no
    weights."""

    LOG_10000 = 9.210340371976184  # math.log(10000.0)

    def __init__(self, length: int, features: int) -> None:
        super().__init__()
        position = torch.arange(0, length, dtype=torch.float).unsqueeze(1)
        steps = torch.arange(0, features, 2).float()
        rate = torch.exp(steps * (-self.LOG_10000 / features))
        table = torch.zeros(length, features)
        table[:, 0::2] = torch.sin(position * rate)
        table[:, 1::2] = torch.cos(position * rate)
        self.register_buffer("table", table.unsqueeze(0), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.table
'''


def sequence_check(p, x) -> list[Problem]:
    return expect_rank(x[0], (2,), "sequence x features")


register(
    LayerSpec(
        kind="class_token",
        name="ClassToken",
        category="Attention",
        help=(
            "Puts a learned vector before each sequence, one step longer; a classifier reads "
            "its output (Select position 0), as a vision transformer does."
        ),
        module="ClassToken",
        arguments=lambda p, x: {"features": x[0].shape[-1]},
        positional=1,
        check=sequence_check,
        helpers=(CLASS_TOKEN,),
    )
)

register(
    LayerSpec(
        kind="position_embedding",
        name="PositionEmbedding",
        category="Attention",
        help="Adds a learned vector to each position of a sequence (learned positions).",
        module="PositionEmbedding",
        arguments=lambda p, x: {"length": x[0].shape[0], "features": x[0].shape[-1]},
        positional=2,
        check=sequence_check,
        helpers=(POSITION_EMBEDDING,),
    )
)


def even_features_check(p, x) -> list[Problem]:
    problems = sequence_check(p, x)
    if problems:
        return problems
    if x[0].shape[-1] % 2:
        return [
            Problem(
                f"{{layer}} pairs a sine and a cosine per rate, so it needs an even number of "
                f"features, not {x[0].shape[-1]}"
            )
        ]
    return []


register(
    LayerSpec(
        kind="sinusoidal_position_encoding",
        name="SinusoidalPositionEncoding",
        category="Attention",
        help=(
            "Adds a fixed vector of sines and cosines to each position of a sequence (the "
            "original transformer's position encoding); no weights to learn."
        ),
        module="SinusoidalPositionEncoding",
        arguments=lambda p, x: {"length": x[0].shape[0], "features": x[0].shape[-1]},
        positional=2,
        check=even_features_check,
        helpers=(SINUSOIDAL_POSITION_ENCODING,),
    )
)


def select_check(p, x) -> list[Problem]:
    problems = dim_in_range(p, x)
    if problems:
        return problems
    size, index = x[0].shape[p["dim"]], p["index"]
    if -size <= index < size:
        return []
    return [Problem(f"{{layer}}: index {index} is outside dim {p['dim']} of size {size}")]


def select_forward(ctx: ForwardContext) -> list[str]:
    dim, index = ctx.params["dim"], ctx.params["index"]
    axis = dim + 1 if dim >= 0 else dim
    return [f"{ctx.output} = {ctx.inputs[0]}.select({axis}, {index})"]


register(
    LayerSpec(
        kind="select",
        name="Select",
        category="Reshape",
        help="Keeps one position of a dim and drops that dim, e.g. the first step (x[:, 0]).",
        params=(
            IntParam("dim", 0, "The sample's dim to take from; negative counts from the end"),
            IntParam("index", 0, "The position kept; negative counts from the end"),
        ),
        forward=select_forward,
        check=select_check,
        dtypes=("float", "long"),
    )
)
