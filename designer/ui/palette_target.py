"""The node a layer chosen in the palette is wired after: the selected one, when it fits there."""

from __future__ import annotations

from designer.ui.editor import GraphEditor
from designer.ui.layer_menu import fits
from nodes import REGISTRY


def wire_source(editor: GraphEditor, selected: list[str], kind: str) -> str | None:
    """The one selected node whose first output a new `kind` node can take, or None."""
    if len(selected) != 1 or kind not in REGISTRY:
        return None
    node = editor.doc.node(selected[0])
    report = editor.report.nodes.get(node.id)
    shape = report.output if report is not None else None
    return node.id if node.spec.outputs and fits(REGISTRY.get(kind), shape, True) else None
