"""Apply a diagnostic's suggested fix to the graph: insert a layer, or project a shortcut."""

from __future__ import annotations

from designer.model import GraphDocument, GraphError
from designer.model.edits import splice
from nodes import Fix, FixAction


def apply_fix(doc: GraphDocument, fix: Fix) -> list[str]:
    """Carry out `fix`; returns the ids of the nodes it added."""
    match fix.action:
        case FixAction.INSERT_BEFORE:
            edge = doc.edge(fix.args["edges"][0])
            return [splice(doc, edge, fix.args["kind"], name=doc.unique_name(fix.args["kind"])).id]
        case FixAction.ADD_PROJECTION:
            added = []
            for projection in fix.args["inputs"]:
                edge = doc.edge(fix.args["edges"][projection["input"]])
                params = {
                    "filters": projection["out_channels"],
                    "kernel_size": 1,
                    "stride": projection["stride"],
                }
                added.append(
                    splice(doc, edge, "conv2d", params, name=doc.unique_name("projection")).id
                )
            return added
    raise GraphError(f"unknown fix {fix.action!r}")
