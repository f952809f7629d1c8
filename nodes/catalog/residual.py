"""Layers of residual branches that torch has no module for: StochasticDepth (drops the branch
while training, as torchvision.ops.StochasticDepth) and LayerScale (a learned factor per
channel, as in ConvNeXt); their classes are written into the generated module."""

from nodes.checks import dim_in_range
from nodes.params import ChoiceParam, FloatParam, IntParam
from nodes.registry import register
from nodes.spec import LayerSpec

STOCHASTIC_DEPTH = '''\
class StochasticDepth(nn.Module):
    """Drops a residual branch while training, for each sample ("row") or for the
    whole batch ("batch") with probability p, and scales what it keeps by 1 / (1 - p),
    as torchvision.ops.StochasticDepth does, with the same random numbers; in eval
    mode it passes its input through."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = p
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        survival = 1.0 - self.p
        size = [1] * x.dim()
        if self.mode == "row":
            size[0] = x.shape[0]
        noise = x.new_empty(size).bernoulli_(survival)
        if survival > 0.0:
            noise.div_(survival)
        return x * noise
'''

LAYER_SCALE = '''\
class LayerScale(nn.Module):
    """Multiplies its input by a learned factor per channel (or feature), each
    starting at init: the layer scale of ConvNeXt's blocks."""

    def __init__(self, size: tuple[int, ...], init: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.full(size, init))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.weight * x
'''

register(
    LayerSpec(
        kind="stochastic_depth",
        name="StochasticDepth",
        category="Core",
        help=(
            "Drops its whole input (a residual branch) for a random share p of the samples "
            "while training, as EfficientNet and ConvNeXt do (torchvision.ops.StochasticDepth)."
        ),
        params=(
            FloatParam("p", 0.1, "Probability of dropping the branch", min=0.0, max=1.0),
            ChoiceParam(
                "mode",
                "row",
                "Drop for each sample (row) or for the whole batch at once (batch)",
                ("row", "batch"),
            ),
        ),
        module="StochasticDepth",
        arguments=lambda p, x: {"p": p["p"], "mode": p["mode"]},
        positional=2,
        passthrough=True,
        helpers=(STOCHASTIC_DEPTH,),
    )
)


def scale_size(dim: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The factors' shape: the size of `dim`, then a 1 for each dim after it, so that they
    broadcast over those (channels x 1 x 1 scales each channel of an image)."""
    axis = dim % len(shape)
    return (shape[axis],) + (1,) * (len(shape) - 1 - axis)


register(
    LayerSpec(
        kind="layer_scale",
        name="LayerScale",
        category="Core",
        help=(
            "Multiplies each channel (or feature) by a learned factor that starts small, so "
            "that a new residual branch starts as almost nothing (ConvNeXt's layer scale)."
        ),
        params=(
            IntParam(
                "dim",
                0,
                "Dimension with a factor per entry, batch excluded (0: channels, -1: features)",
                min=-8,
                max=7,
            ),
            FloatParam("init", 1e-6, "Starting value of every factor", min=-1e6, max=1e6),
        ),
        module="LayerScale",
        arguments=lambda p, x: {"size": scale_size(p["dim"], x[0].shape), "init": p["init"]},
        positional=2,
        passthrough=True,
        check=dim_in_range,
        helpers=(LAYER_SCALE,),
    )
)
