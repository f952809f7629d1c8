"""A trial's values written into the open project, graph params and training settings, as
one undoable step."""

from __future__ import annotations

from typing import Any

from designer.sweep.apply import apply_values
from designer.sweep.space import SearchSpace
from designer.ui.editor import Editor


def apply_to_project(editor: Editor, space: SearchSpace, values: dict[str, Any], text: str):
    """Set each swept value of `values` in the project, as one step on the undo stack.
    SweepError names a value the graph or the settings refuse (nothing is changed then)."""
    applied = apply_values(editor.project, space, values)
    if editor.refused():
        return
    params = [
        (swept.node, swept.param, applied.graph.node(swept.node).params[swept.param])
        for swept in space.params
        if swept.node is not None
        and applied.graph.node(swept.node).params[swept.param]
        != editor.doc.node(swept.node).params.get(swept.param)
    ]
    training_changed = applied.training != editor.project.training
    if not params and not training_changed:
        return  # the project holds the trial's values already: nothing to undo

    def set_params(doc) -> None:
        for node, name, value in params:
            doc.set_param(node, name, value)

    editor.undo_stack.beginMacro(text)
    if params:
        editor.edit(text, set_params)
    if training_changed:
        editor.set_sections(editor.project.dataset, applied.training, text)
    editor.undo_stack.endMacro()
