"""A layer profile as a text table: the layers by time (a block's own layers under it), the
loss, the optimizer and the rest, then the total, which is the measured step."""

from __future__ import annotations

from designer.inspection.layer_profile import LayerCost, StepProfile

HEADER = (
    "layer",
    "kind",
    "forward ms",
    "backward ms",
    "total ms",
    "share",
    "activations",
    "parameters",
)
REST = (
    ("(loss)", "forward and backward"),
    ("(optimizer)", "zero_grad and step"),
    ("(other)", "Python, inline operations (+), clipping"),
)


def size(count: int) -> str:
    """Bytes in KB or MB (none: blank)."""
    if not count:
        return ""
    return f"{count / 2**10:.1f} KB" if count < 2**20 else f"{count / 2**20:.2f} MB"


def milliseconds(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1e3:.3f}"


def row(
    name: str,
    kind: str,
    step: float,
    time: float,
    forward: float | None = None,
    backward: float | None = None,
    activations: int = 0,
    parameters: int = 0,
) -> tuple[str, ...]:
    return (
        name,
        kind,
        milliseconds(forward),
        milliseconds(backward),
        milliseconds(time),
        f"{time / step:.1%}",
        size(activations),
        size(parameters),
    )


def layer_rows(layers: tuple[LayerCost, ...], step: float, depth: int = 0) -> list[tuple]:
    rows = []
    for layer in sorted(layers, key=lambda layer: -layer.time):
        rows.append(
            row(
                "  " * depth + layer.name,
                layer.kind,
                step,
                layer.time,
                layer.forward,
                layer.backward,
                layer.activation_bytes,
                layer.parameter_bytes,
            )
        )
        rows += layer_rows(layer.inner, step, depth + 1)
    return rows


def profile_table(profile: StepProfile) -> str:
    """The table, its columns aligned; times are per step, in milliseconds."""
    step = profile.step
    rows = layer_rows(profile.layers, step)
    times = (profile.loss, profile.optimizer, profile.other)
    rows += [row(name, what, step, time) for (name, what), time in zip(REST, times, strict=True)]
    total = row(
        "total (one step)",
        "",
        step,
        step,
        activations=sum(layer.activation_bytes for layer in profile.layers),
        parameters=sum(layer.parameter_bytes for layer in profile.layers),
    )
    widths = [max(map(len, column)) for column in zip(HEADER, *rows, total, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        aligned = [
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(aligned).rstrip()

    rule = "-" * len(line(HEADER))
    return "\n".join([line(HEADER), rule, *map(line, rows), rule, line(total)])
