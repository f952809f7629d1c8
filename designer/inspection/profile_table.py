"""A layer profile as a text table: the layers by time (a block's own layers under it), the
loss, the optimizer and the rest, then the total, which is the measured step."""

from __future__ import annotations

from designer.inspection.layer_profile import LayerCost, StepProfile

HEADER = ("layer", "kind", "forward ms", "backward ms", "total ms", "share", "activations")


def megabytes(count: int) -> str:
    return f"{count / 2**20:.2f} MB" if count else ""


def layer_rows(layers: tuple[LayerCost, ...], step: float, depth: int = 0) -> list[tuple]:
    rows = []
    for layer in sorted(layers, key=lambda layer: -layer.time):
        rows.append(
            (
                "  " * depth + layer.name,
                layer.kind,
                f"{layer.forward * 1e3:.3f}",
                f"{layer.backward * 1e3:.3f}",
                f"{layer.time * 1e3:.3f}",
                f"{layer.time / step:.1%}",
                megabytes(layer.activation_bytes),
            )
        )
        rows += layer_rows(layer.inner, step, depth + 1)
    return rows


def profile_table(profile: StepProfile) -> str:
    """The table, its columns aligned; times are per step, in milliseconds."""
    step = profile.step
    rest = (
        ("(loss)", profile.loss, "forward and backward"),
        ("(optimizer)", profile.optimizer, "zero_grad and step"),
        ("(other)", profile.other, "Python, inline operations (+), clipping"),
    )
    rows = [HEADER, *layer_rows(profile.layers, step)]
    rows += [
        (name, what, "", "", f"{time * 1e3:.3f}", f"{time / step:.1%}", "")
        for name, time, what in rest
    ]
    activations = sum(layer.activation_bytes for layer in profile.layers)
    total = ("total (one step)", "", "", "", f"{step * 1e3:.3f}", "100.0%", megabytes(activations))
    widths = [max(len(row[column]) for row in [*rows, total]) for column in range(len(HEADER))]
    numeric = range(2, len(HEADER))

    def line(row: tuple) -> str:
        cells = [
            cell.rjust(width) if column in numeric else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    rule = "-" * len(line(HEADER))
    return "\n".join([line(HEADER), rule, *map(line, rows[1:]), rule, line(total)])
