"""Above a block's canvas: its description and the params it exposes, each edit undoable."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from designer.model.block_params import describe_block, remove_param
from designer.ui.canvas.scene import GraphScene
from designer.ui.editor import BlockEditor
from designer.ui.expose_dialog import ExposeDialog

TABLE_ROWS_SHOWN = 3


class BlockPanel(QWidget):
    """Follows the library: undo and redo of these edits show here as they happen."""

    def __init__(self, editor: BlockEditor, scene: GraphScene, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor, self.scene = editor, scene
        self.dialog: ExposeDialog | None = None
        self.title = QLabel()
        self.description = QLineEdit()
        self.description.setPlaceholderText("What the block does (shown in the palette)")
        self.description.editingFinished.connect(self.set_description)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Block param", "Sets", "Default"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.expose_button = QPushButton("Expose Param\u2026")
        self.expose_button.setToolTip(
            "Let each instance set a param of the selected layers (for example their channels)"
        )
        self.expose_button.clicked.connect(self.expose)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Stop exposing the chosen param")
        self.remove_button.clicked.connect(self.remove)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.description, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.expose_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        params = QHBoxLayout()
        params.addWidget(self.table, 1)
        params.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addLayout(top)
        layout.addLayout(params)
        editor.doc.blocks.events.block_replaced.connect(self.show_block)
        self.show_block()

    def detach(self) -> None:
        self.editor.doc.blocks.events.block_replaced.disconnect(self.show_block)

    def show_block(self, *_) -> None:
        if not isValid(self) or not self.editor.alive:
            return
        definition = self.editor.doc.blocks.get(self.editor.name)
        self.title.setText(f"<b>{escape(definition.name)}</b>")
        if self.description.text() != definition.description:
            self.description.setText(definition.description)
        graph = definition.graph
        self.table.setRowCount(len(definition.params))
        for row, param in enumerate(definition.params):
            sets = ", ".join(
                f"{graph.node(node_id).name}.{name}" if node_id in graph else f"{node_id}.{name}"
                for node_id, name in param.targets
            )
            for column, text in enumerate((param.name, sets, str(param.default))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        rows = max(1, min(len(definition.params), TABLE_ROWS_SHOWN))
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(self.table.horizontalHeader().height() + rows * row_height + 4)
        self.remove_button.setEnabled(bool(definition.params))

    def set_description(self) -> None:
        text, name = self.description.text().strip(), self.editor.name
        if self.editor.alive and text != self.editor.doc.blocks.get(name).description:
            self.editor.edit(f"Describe {name}", lambda doc: describe_block(doc.blocks, name, text))
            self.show_block()

    def expose(self) -> ExposeDialog | None:
        """Open the dialog for the selected layers' params; returns it (for tests)."""
        selected = set(self.scene.selected_node_ids())
        nodes = [node for node in self.editor.doc.nodes() if node.id in selected]
        if not nodes:
            self.editor.edit_failed.emit("Select the layers whose param the block should set")
            return None
        self.dialog = ExposeDialog(self.editor, nodes, self)
        self.dialog.open()
        return self.dialog

    def remove(self) -> None:
        rows = sorted({index.row() for index in self.table.selectedIndexes()})
        if not rows:
            self.editor.edit_failed.emit("Choose the block param to remove")
            return
        name, block = self.table.item(rows[0], 0).text(), self.editor.name
        self.editor.edit(
            f"Remove {block}.{name}", lambda doc: remove_param(doc.blocks, block, name)
        )
