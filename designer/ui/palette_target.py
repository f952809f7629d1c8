"""Where a layer chosen in the palette joins the graph: after the selected node, or on a wire."""

from __future__ import annotations

from typing import Any

from designer.model import GraphDocument, GraphError
from designer.ui.editor import GraphEditor
from nodes import LayerSpec, TensorInfo
from nodes.block import BLOCK_KIND, BLOCK_PARAM

BLOCK_PREFIX = "block:"  # a Blocks item's kind: "block:" and the block's name


def palette_layer(kind: str) -> tuple[str, dict[str, Any] | None]:
    """The node kind and params a palette entry stands for: a block's entry is an instance."""
    if kind.startswith(BLOCK_PREFIX):
        return BLOCK_KIND, {BLOCK_PARAM: kind.removeprefix(BLOCK_PREFIX)}
    return kind, None


def palette_spec(doc: GraphDocument, kind: str) -> LayerSpec | None:
    """The spec a node added from the palette entry `kind` would have in `doc`, or None."""
    kind, params = palette_layer(kind)
    try:
        return doc.spec_of(kind, params or {})
    except GraphError:
        return None


def dtype_refusal(spec: LayerSpec, tensors: tuple[TensorInfo, ...], source: str) -> str | None:
    """Why a new `spec` layer cannot take the tensors `source` gives, as a hand-drawn wire could
    not; None when it can. Shapes that do not fit are wired all the same and diagnosed."""
    dtypes = sorted({tensor.dtype for tensor in tensors if tensor.dtype not in spec.dtypes})
    if not dtypes:
        return None
    takes = " or ".join(spec.dtypes)
    return f"{spec.name} takes {takes} tensors, not the {', '.join(dtypes)} of {source}"


def wire_source(editor: GraphEditor, selected: list[str], kind: str) -> tuple[str | None, str]:
    """The one selected node a new `kind` layer is wired after, or None with the reason to
    tell (empty when there is nothing to say: no single selection, or a layer without input)."""
    spec = palette_spec(editor.doc, kind)
    if len(selected) != 1 or spec is None or not spec.inputs:
        return None, ""
    node = editor.doc.node(selected[0])
    if not node.spec.outputs:
        return None, f"{node.spec.name} '{node.name}' has no output to wire the new layer from"
    report = editor.report.nodes.get(node.id)
    given = (report.output,) if report is not None and report.output is not None else ()
    refusal = dtype_refusal(spec, given, f"{node.spec.name} '{node.name}'")
    return (None, refusal) if refusal else (node.id, "")
