"""Group the selected layers into a new block, and ungroup a block instance, as undoable edits."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from designer.model.grouping import group, ungroup
from designer.ui.canvas.scene import GraphScene
from designer.ui.editor import GraphEditor
from designer.ui.group_dialog import ask_block
from nodes.block import BLOCK_KIND


def free_block_name(editor: GraphEditor) -> str:
    """Block, Block2, Block3, ...: the first name the library does not hold."""
    names, number = {block.name for block in editor.doc.blocks}, 1
    while (name := "Block" if number == 1 else f"Block{number}") in names:
        number += 1
    return name


def group_selection(parent: QWidget, editor: GraphEditor, scene: GraphScene) -> None:
    """Ask for a name and description, then make the selected nodes one block instance
    (refusals are shown)."""
    node_ids = scene.selected_node_ids()
    if not node_ids:
        editor.edit_failed.emit("Select the layers to group into a block first")
        return
    answer = ask_block(parent, free_block_name(editor))
    if answer is None:
        return
    name, description = answer
    shapes = {
        node_id: (info.output.shape, info.output.dtype)
        for node_id, info in editor.report.nodes.items()
        if info.output is not None
    }
    instance = editor.edit(
        f"Group into block {name}", lambda doc: group(doc, node_ids, name, description, shapes)
    )
    if instance is not None:
        scene.select_nodes([instance.id])


def ungroup_selection(editor: GraphEditor, scene: GraphScene) -> None:
    """Expand each selected block instance into its layers, as one undoable step."""
    instances = [
        node_id
        for node_id in scene.selected_node_ids()
        if editor.doc.node(node_id).kind == BLOCK_KIND
    ]
    if not instances:
        editor.edit_failed.emit("Select a block instance to ungroup")
        return
    added = editor.edit("Ungroup", lambda doc: [new for i in instances for new in ungroup(doc, i)])
    if added:
        scene.select_nodes(added)
