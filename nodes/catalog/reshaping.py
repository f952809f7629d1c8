"""Shape changes without learning: Flatten, Reshape, Permute, Chunk and ChannelShuffle."""

from math import prod

from nodes.checks import dim_in_range
from nodes.params import IntParam, IntsParam
from nodes.problems import Problem
from nodes.registry import register
from nodes.spec import ForwardContext, LayerSpec, batch_dim

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


def pieces(size: int, chunks: int) -> int:
    """How many pieces torch's chunk cuts `size` into: pieces of ceil(size / chunks), fewer
    than `chunks` when those cover it sooner (5 in 4 chunks: 2, 2, 1)."""
    piece = -(-size // chunks)
    return -(-size // piece)


def chunk_check(p, x) -> list[Problem]:
    problems = dim_in_range(p, x)
    if problems:
        return problems
    size = x[0].shape[p["dim"]]
    count = pieces(size, p["chunks"])
    if p["index"] < count:
        return []
    return [
        Problem(
            f"{{layer}}: {x[0]} cut into {p['chunks']} along dim {p['dim']} gives {count} "
            f"piece(s), so there is no piece {p['index']} (they count from 0)"
        )
    ]


def chunk_forward(ctx: ForwardContext) -> list[str]:
    chunks, index, dim = (ctx.params[name] for name in ("chunks", "index", "dim"))
    source = ctx.inputs[0]
    return [f"{ctx.output} = {source}.chunk({chunks}, dim={batch_dim(dim)})[{index}]"]


register(
    LayerSpec(
        kind="chunk",
        name="Chunk",
        category="Reshape",
        help=(
            "One of the equal pieces its input is cut into along a dimension (torch.chunk); "
            "use one Chunk per piece, as ShuffleNet splits its channels in two."
        ),
        params=(
            IntParam("chunks", 2, "Number of pieces to cut into", min=1, max=100_000),
            IntParam("index", 0, "Which piece to give, counting from 0", min=0, max=100_000),
            IntParam("dim", 0, "Dimension to cut along, batch excluded", min=-8, max=7),
        ),
        forward=chunk_forward,
        check=chunk_check,
        dtypes=("float", "long"),
    )
)


def shuffle_check(p, x) -> list[Problem]:
    info, groups = x[0], p["groups"]
    if info.rank < 2:
        return [Problem(f"{{layer}} expects channels x positions per sample but gets {info}")]
    if info.shape[0] % groups:
        return [Problem(f"{{layer}}: {info.shape[0]} channels do not split into {groups} groups")]
    return []


register(
    LayerSpec(
        kind="channel_shuffle",
        name="ChannelShuffle",
        category="Reshape",
        help=(
            "Interleaves the channels of its groups, so that the next grouped convolution "
            "mixes them (ShuffleNet; nn.ChannelShuffle)."
        ),
        params=(IntParam("groups", 2, "Number of channel groups", min=1, max=100_000),),
        module="nn.ChannelShuffle",
        arguments=lambda p, x: {"groups": p["groups"]},
        positional=1,
        passthrough=True,
        check=shuffle_check,
        dtypes=("float", "long"),
    )
)
