"""Checks that several layer specs share: tensor rank, merge-shape agreement and
broadcasting."""

from __future__ import annotations

from nodes.problems import Fix, FixAction, Problem
from nodes.tensor import TensorInfo

FLATTEN_FIX = Fix("Insert Flatten before {layer}", FixAction.INSERT_BEFORE, {"kind": "flatten"})


def expect_rank(
    info: TensorInfo, ranks: tuple[int, ...], layout: str, fix: Fix | None = None
) -> list[Problem]:
    """A problem when `info` has a rank other than `ranks`; `layout` names the expected dims."""
    if info.rank in ranks:
        return []
    return [Problem(f"{{layer}} expects {layout} per sample but gets {info}", fix)]


def dim_in_range(params, inputs: tuple[TensorInfo, ...]) -> list[Problem]:
    """A problem when the `dim` param does not name a dim of the (first) input."""
    dim, info = params["dim"], inputs[0]
    if -info.rank <= dim < info.rank:
        return []
    return [Problem(f"{{layer}}: dim {dim} is outside the input {info} (rank {info.rank})")]


def same_shapes(inputs: tuple[TensorInfo, ...]) -> list[Problem]:
    """Element-wise merges need equal shapes; channel mismatches can be fixed by a projection."""
    shapes = {info.shape for info in inputs}
    if len(shapes) <= 1:
        return []
    listed = " and ".join(str(info) for info in inputs)
    # The main path of a residual block has the most channels and, when it downsamples, the
    # fewest positions: project every other input onto it.
    target = max(inputs, key=lambda info: (info.rank, info.shape[:1], -info.numel))
    fix = _projection_fix(inputs, target)
    if fix is None:
        return [Problem(f"{{layer}} gets {listed}: the shapes must be equal")]
    return [Problem(f"{{layer}} gets {listed}: add a 1x1 Conv on the shortcut", fix)]


def broadcast_shape(inputs: tuple[TensorInfo, ...]) -> tuple[int, ...] | None:
    """The shape that inputs of one rank broadcast to, each size equal to the others or 1 (a
    gate of 64x1x1 scales every position of 64x7x7); None when they do not."""
    if len({info.rank for info in inputs}) != 1:
        return None
    shape = []
    for sizes in zip(*(info.shape for info in inputs), strict=True):
        wide = set(sizes) - {1}
        if len(wide) > 1:
            return None
        shape.append(wide.pop() if wide else 1)
    return tuple(shape)


def broadcasting(inputs: tuple[TensorInfo, ...]) -> list[Problem]:
    """A problem when the inputs do not broadcast to one shape with their ranks equal."""
    if broadcast_shape(inputs) is not None:
        return []
    listed = " and ".join(str(info) for info in inputs)
    return [
        Problem(
            f"{{layer}} gets {listed}: the ranks must be equal and each size equal to the "
            "others' or 1"
        )
    ]


def _projection_fix(inputs: tuple[TensorInfo, ...], target: TensorInfo) -> Fix | None:
    """A 1x1 convolution (strided where the size halves) that maps each odd input onto target."""
    if target.rank != 3:
        return None
    projections = []
    for index, info in enumerate(inputs):
        if info.shape == target.shape:
            continue
        if info.rank != 3 or info.shape[1] % target.shape[1] or info.shape[2] % target.shape[2]:
            return None
        stride = info.shape[1] // target.shape[1]
        if info.shape[2] // target.shape[2] != stride:
            return None
        projections.append({"input": index, "out_channels": target.shape[0], "stride": stride})
    return Fix(
        "Add a 1x1 Conv projection on the shortcut",
        FixAction.ADD_PROJECTION,
        {"inputs": projections},
    )
