"""The network's boundary: Input nodes become forward's arguments, Output nodes its results."""

from nodes.params import ChoiceParam, IntsParam
from nodes.registry import register
from nodes.spec import LayerSpec, PortSpec, Role

register(
    LayerSpec(
        kind="input",
        name="Input",
        category="Input / Output",
        help="A network input: the shape of one sample, without the batch dimension.",
        params=(
            IntsParam(
                "shape",
                (1, 28, 28),
                "Sample shape without batch, e.g. 1x32x32 or seq_len x features",
                min=1,
                max=1_000_000,
            ),
            ChoiceParam(
                "dtype", "float", "float for real values, long for token ids", ("float", "long")
            ),
        ),
        inputs=(),
        role=Role.INPUT,
    )
)

register(
    LayerSpec(
        kind="output",
        name="Output",
        category="Input / Output",
        help="A network output: what forward returns.",
        inputs=(PortSpec("in"),),
        outputs=(),
        role=Role.OUTPUT,
        dtypes=("float", "long"),
    )
)
