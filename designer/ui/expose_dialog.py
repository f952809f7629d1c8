"""Choose a param the selected layers inside a block share, a name and a default to expose it."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from designer.model import Node
from designer.model.block_params import expose_param
from designer.ui.editor import BlockEditor
from designer.ui.param_editors import ParamEditor
from nodes.block import BLOCK_PARAM


def shared_params(nodes: list[Node]) -> list[str]:
    """The params every node has, of one kind, in the first node's order."""
    first = nodes[0].spec
    names = []
    for spec in first.params:
        if spec.name == BLOCK_PARAM:  # an inner instance's block: it has only the one choice
            continue
        kinds = {
            node.spec.param(spec.name).kind if spec.name in node.params else None for node in nodes
        }
        if kinds == {spec.kind}:
            names.append(spec.name)
    return names


class ExposeDialog(QDialog):
    """On OK the block gains the param, as one undoable edit; a refusal keeps the dialog open
    with the reason shown."""

    def __init__(self, editor: BlockEditor, nodes: list[Node], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Expose a param of {editor.name}")
        self.editor, self.nodes = editor, nodes
        self.default: Any = None
        self.param = QComboBox()
        self.param.addItems(shared_params(nodes))
        self.name = QLineEdit()
        self.default_host = QFormLayout()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #d32f2f")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        layers = ", ".join(node.name for node in nodes)
        form.addRow("Layers", QLabel(layers))
        form.addRow("Param", self.param)
        form.addRow("Block param name", self.name)
        form.addRow(self.default_host)
        form.addRow(self.problem)
        form.addRow(buttons)
        self.param.currentTextChanged.connect(self.show_param)
        self.show_param(self.param.currentText())
        if not self.param.count():
            self.problem.setText("These layers share no param; select layers of one kind.")
            buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)

    def show_param(self, name: str) -> None:
        while self.default_host.rowCount():
            self.default_host.removeRow(0)
        if not name:
            return
        self.name.setText(name)
        spec = self.nodes[0].spec.param(name)
        self.default = self.nodes[0].params[name]
        self.default_editor = ParamEditor(spec, self.set_default)
        self.default_editor.show(self.default)
        self.default_host.addRow("Default", self.default_editor.widget)
        self.default_host.addRow(self.default_editor.message)

    def set_default(self, value: Any) -> None:
        self.default = value

    def apply(self) -> None:
        block, name, default = self.editor.name, self.name.text().strip(), self.default
        targets = [(node.id, self.param.currentText()) for node in self.nodes]
        refusals: list[str] = []

        def refused(message: str) -> None:
            refusals.append(message)

        self.editor.edit_failed.connect(refused)
        try:
            added = self.editor.edit(
                f"Expose {block}.{name}",
                lambda doc: expose_param(doc.blocks, block, name, targets, default),
            )
        finally:
            self.editor.edit_failed.disconnect(refused)
        if added is not None:
            self.accept()
        else:
            self.problem.setText(refusals[-1] if refusals else "The block cannot change now.")
