"""The user's block library in the window: save a block to it, add one from it to a project."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from designer.project import ProjectError
from designer.project.block_sharing import adopt_blocks
from designer.project.user_library import block_file, library_blocks, read_block, save_block
from designer.ui.editor import Editor


def library_folder() -> Path:
    location = QStandardPaths.StandardLocation.AppDataLocation
    return Path(QStandardPaths.writableLocation(location)) / "blocks"


def save_to_library(parent: QWidget, editor: Editor, name: str) -> Path | None:
    """Write the block `name` (and the blocks it uses) to the user's library, asking before
    replacing a saved block of that name; returns the file, or None."""
    folder = library_folder()
    path = block_file(folder, name)
    if path.exists():
        answer = QMessageBox.question(
            parent,
            "Replace the saved block?",
            f"Your library already has {escape(path.stem)}. Replace it with this block?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
    try:
        return save_block(folder, editor.doc.blocks, name)
    except OSError as error:
        QMessageBox.warning(parent, "Cannot save the block", f"{path}: {error.strerror or error}")
        return None


def add_from_library(parent: QWidget, editor: Editor, path: Path) -> str | None:
    """Add the saved block (and those it uses) to the project, as one undoable edit; returns
    the name it has in the project, or None."""
    try:
        name, records, _ = read_block(path)
    except ProjectError as error:
        QMessageBox.warning(parent, "Cannot read the block", str(error))
        return None
    renames = editor.edit(
        f"Add block {name} from the library", lambda doc: adopt_blocks(doc, records, str(path))
    )
    if renames is None:
        return None
    return renames.get(name, name)


def fill_library_menu(menu: QMenu, chosen) -> None:
    """List the library's blocks in `menu`; choosing one calls `chosen` with its file."""
    menu.clear()
    entries = library_blocks(library_folder())
    for entry in entries:
        action = menu.addAction(entry.name, lambda path=entry.path: chosen(path))
        action.setToolTip(entry.problem or entry.description)
        action.setEnabled(not entry.problem)
    if not entries:
        menu.addAction("No saved blocks yet").setEnabled(False)
    menu.setToolTipsVisible(True)
