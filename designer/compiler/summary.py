"""A text table of a graph's layers with shapes, parameters and MACs, and the totals."""

from __future__ import annotations

from designer.compiler.analysis import GraphReport
from designer.model import GraphDocument


def human(count: float, units: tuple[str, ...] = ("", "K", "M", "G", "T")) -> str:
    """1234567 -> '1.23M'."""
    for unit in units:
        if abs(count) < 1000 or unit == units[-1]:
            return f"{count:.0f}{unit}" if unit == "" else f"{count:.2f}{unit}"
        count /= 1000
    raise AssertionError("unreachable")


def human_bytes(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def summary_table(doc: GraphDocument, report: GraphReport, batch_size: int = 32) -> str:
    """Layers in forward order (then any the order leaves out), with totals below."""
    ordered = list(report.order) + [n.id for n in doc.nodes() if n.id not in report.order]
    rows = [("Layer", "Kind", "Output shape", "Params", "MACs")]
    for node_id in ordered:
        node, info = doc.node(node_id), report.nodes[node_id]
        shape = str(info.output) if info.output is not None else "?"
        flag = " !" if info.has_errors else ""
        rows.append((node.name + flag, node.spec.name, shape, f"{info.params:,}", f"{info.macs:,}"))
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            cell.ljust(width) if column < 3 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    memory = human_bytes(report.activation_bytes(batch_size))
    lines += [
        "",
        f"Parameters: {report.total_params:,} ({human(report.total_params)})",
        f"MACs per sample: {report.total_macs:,} ({human(report.total_macs)})",
        f"Activation memory at batch {batch_size}: {memory}",
        valid_line(report),
    ]
    return "\n".join(lines)


def valid_line(report: GraphReport) -> str:
    errors = len(report.errors)
    if errors:
        return f"Valid: no ({errors} error(s); run validate)"
    if report.withheld:
        return (
            f"Valid: not known: {len(report.withheld)} custom-code node(s) carry code that was "
            "not run, so the shapes after them (?) are unknown; run with --trust to compute"
        )
    return "Valid: yes"
