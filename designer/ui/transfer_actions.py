"""Transfer learning on the canvas: freeze or unfreeze the selected layers and replace the
head, each one undoable step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from designer.ui.editor import Editor
from nodes import Role

FREEZABLE = (Role.LAYER, Role.BLOCK)  # what may hold weights to keep


def freezable(editor: Editor, node_ids: list[str]) -> list[str]:
    return [node for node in node_ids if editor.doc.node(node).spec.role in FREEZABLE]


def set_selection_trainable(editor: Editor, node_ids: list[str], trainable: bool) -> None:
    """Freeze the selected layers and block instances, or let them learn again."""
    chosen = freezable(editor, node_ids)
    if not chosen:
        editor.edit_failed.emit("Select the layers to freeze or unfreeze first")
        return
    editor.set_trainable(chosen, trainable)


def add_freezing_entries(menu: QMenu, editor: Editor, node_ids: list[str]) -> None:
    """Freeze / Unfreeze for what is selected, as far as it can be."""
    chosen = freezable(editor, node_ids)
    frozen = editor.frozen
    if any(node not in frozen for node in chosen):
        menu.addAction("Freeze", lambda: editor.set_trainable(chosen, False))
    if any(node in frozen for node in chosen):
        menu.addAction("Unfreeze", lambda: editor.set_trainable(chosen, True))


def data_classes(editor: Editor) -> int | None:
    """The number of class folders of the project's image folder, if it has one."""
    from designer.importer.pretrained import class_folders
    from designer.project import ProjectError

    dataset = editor.project.dataset
    if dataset.get("source") != "image_folder" or not dataset.get("path"):
        return None
    folder = Path(dataset["path"]).expanduser()
    if not folder.is_absolute() and editor.project.path is not None:
        folder = editor.project.path.parent / folder  # relative to the project's file
    try:
        return class_folders(folder)
    except (ProjectError, OSError):
        return None


def can_be_head(editor: Editor, node_id: str) -> bool:
    """Whether the node is a layer whose outputs can be a head's classes."""
    from designer.importer.head import CLASS_PARAMS  # torch is loaded by now: shapes need it

    return editor.doc.node(node_id).kind in CLASS_PARAMS


def ask_replace_head(parent: QWidget, editor: Editor, node_id: str | None) -> QInputDialog | None:
    """Ask how many classes the head gives (the image folder's, to begin with), then resize
    `node_id` (a Dense layer or convolution) or the network's head; returns the dialog."""
    from designer.importer.head import CLASS_PARAMS, MAX_CLASSES, class_param, head_node
    from designer.project import ProjectError

    if node_id is None or editor.doc.node(node_id).kind not in CLASS_PARAMS:
        try:
            node_id = head_node(editor.doc)
        except ProjectError as error:
            editor.edit_failed.emit(f"No head to replace: {error}")
            return None
    head = editor.doc.node(node_id)
    now = head.params[class_param(editor.doc, node_id)]
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("Replace the head")
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    dialog.setIntRange(1, MAX_CLASSES)
    dialog.setIntValue(data_classes(editor) or now)
    dialog.setLabelText(
        f"Classes for the new head ({head.name} gives {now} now).\n"
        "It starts afresh and learns; the layers before it keep their weights."
    )
    dialog.intValueSelected.connect(lambda classes: editor.replace_head(node_id, classes))
    dialog.open()
    return dialog
