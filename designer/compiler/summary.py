"""A text table of a graph's layers with shapes, parameters and MACs, and the totals."""

from __future__ import annotations

from dataclasses import dataclass

from designer.compiler.analysis import GraphReport
from designer.model import GraphDocument
from nodes import TensorInfo


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


@dataclass(frozen=True)
class LayerRow:
    """One node of the summary: `memory` is the bytes of the tensors it makes at the batch
    size asked for; `output` is None where analysis cannot know it."""

    node_id: str
    name: str
    kind: str
    output: TensorInfo | None
    params: int
    macs: int
    memory: int
    has_errors: bool

    @property
    def shape_text(self) -> str:
        return str(self.output) if self.output is not None else "?"


def layer_rows(doc: GraphDocument, report: GraphReport, batch_size: int = 32) -> list[LayerRow]:
    """Every node of the analysed graph in forward order, then any the order leaves out."""
    in_order = set(report.order)
    ordered = list(report.order) + [n.id for n in doc.nodes() if n.id not in in_order]
    rows = []
    for node_id in ordered:
        node, info = doc.node(node_id), report.nodes[node_id]
        memory = report.node_activation_bytes(node_id, batch_size)
        facts = (info.output, info.params, info.macs, memory, info.has_errors)
        rows.append(LayerRow(node_id, node.name, node.spec.name, *facts))
    return rows


def summary_table(doc: GraphDocument, report: GraphReport, batch_size: int = 32) -> str:
    """Layers in forward order (then any the order leaves out), with totals below."""
    rows = [("Layer", "Kind", "Output shape", "Params", "MACs")]
    for layer in layer_rows(doc, report, batch_size):
        flag = " !" if layer.has_errors else ""
        cells = (layer.name + flag, layer.kind, layer.shape_text)
        rows.append((*cells, f"{layer.params:,}", f"{layer.macs:,}"))
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
