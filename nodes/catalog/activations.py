"""Activations: element-wise non-linearities, Softmax and LogSoftmax over a chosen dim, Identity."""

from nodes.checks import dim_in_range
from nodes.params import ChoiceParam, FloatParam, IntParam
from nodes.registry import register
from nodes.spec import LayerSpec, batch_dim

for kind, name, help_text in (
    ("relu", "ReLU", "max(0, x) (nn.ReLU)."),
    ("sigmoid", "Sigmoid", "Squashes to (0, 1) (nn.Sigmoid)."),
    ("tanh", "Tanh", "Squashes to (-1, 1) (nn.Tanh)."),
    ("relu6", "ReLU6", "min(max(0, x), 6), as in MobileNetV2 (nn.ReLU6)."),
    ("silu", "SiLU", "x * sigmoid(x), also called swish, as in EfficientNet (nn.SiLU)."),
    ("hardswish", "Hardswish", "x * ReLU6(x + 3) / 6, as in MobileNetV3 (nn.Hardswish)."),
    ("hardsigmoid", "Hardsigmoid", "ReLU6(x + 3) / 6, a cheap sigmoid (nn.Hardsigmoid)."),
):
    register(
        LayerSpec(
            kind=kind,
            name=name,
            category="Activation",
            passthrough=True,
            help=help_text,
            module=f"nn.{name}",
            arguments=lambda p, x: {},
        )
    )

register(
    LayerSpec(
        kind="leaky_relu",
        name="LeakyReLU",
        category="Activation",
        passthrough=True,
        help="ReLU with a small slope for negative values (nn.LeakyReLU).",
        params=(FloatParam("negative_slope", 0.01, "Slope for x < 0", min=0.0, max=1.0),),
        module="nn.LeakyReLU",
        arguments=lambda p, x: {"negative_slope": p["negative_slope"]},
        positional=1,
        torch_defaults={"negative_slope": 0.01},
    )
)

register(
    LayerSpec(
        kind="elu",
        name="ELU",
        category="Activation",
        passthrough=True,
        help="Exponential linear unit (nn.ELU).",
        params=(FloatParam("alpha", 1.0, "Saturation value for negative inputs", min=0.0),),
        module="nn.ELU",
        arguments=lambda p, x: {"alpha": p["alpha"]},
        torch_defaults={"alpha": 1.0},
    )
)

register(
    LayerSpec(
        kind="gelu",
        name="GELU",
        category="Activation",
        passthrough=True,
        help="Gaussian error linear unit, as in transformers (nn.GELU).",
        params=(
            ChoiceParam("approximate", "none", "Exact or tanh approximation", ("none", "tanh")),
        ),
        module="nn.GELU",
        arguments=lambda p, x: {"approximate": p["approximate"]},
        torch_defaults={"approximate": "none"},
    )
)


for kind, name, help_text in (
    ("softmax", "Softmax", "Turns scores into probabilities that sum to 1 (nn.Softmax)."),
    ("log_softmax", "LogSoftmax", "Log of Softmax, for NLL loss (nn.LogSoftmax)."),
):
    register(
        LayerSpec(
            kind=kind,
            name=name,
            category="Activation",
            passthrough=True,
            help=help_text,
            params=(
                IntParam("dim", -1, "Dimension that sums to 1, batch excluded", min=-8, max=7),
            ),
            module=f"nn.{name}",
            arguments=lambda p, x: {"dim": batch_dim(p["dim"])},
            check=dim_in_range,
        )
    )

register(
    LayerSpec(
        kind="identity",
        name="Identity",
        category="Activation",
        passthrough=True,
        help="Passes its input through unchanged (nn.Identity).",
        module="nn.Identity",
        arguments=lambda p, x: {},
        dtypes=("float", "long"),
    )
)
