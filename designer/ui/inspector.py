"""The inspector: the selected layer's name and params as a generated form, and its statistics."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from designer.compiler import GraphReport
from designer.compiler.summary import human, human_bytes
from designer.model import Node
from designer.model.library import BlockParam
from designer.ui.editor import Editor, GraphEditor
from designer.ui.param_editors import ParamEditor, human_label
from designer.ui.sweep_button import SweepButton
from designer.ui.transfer_actions import FREEZABLE
from nodes.block import BLOCK_KIND, BLOCK_PARAM


def exposed_targets(editor: GraphEditor) -> dict[tuple[str, str], BlockParam]:
    """Inside a block: which block param sets each (inner node id, param)."""
    owner = editor.doc.blocks.owner(editor.doc)
    if owner is None:
        return {}
    return {
        target: param for param in editor.doc.blocks.get(owner).params for target in param.targets
    }


class InspectorWidget(QWidget):
    """Shows one node; edits go to the editor as undoable commands."""

    def __init__(self, editor: GraphEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.node_id: str | None = None
        self.editors: dict[str, ParamEditor] = {}
        self.sweep_buttons: dict[str, SweepButton] = {}  # the network's layers only
        self.trainable: QCheckBox | None = None  # the network's layers only: not in a block
        self.layout_ = QVBoxLayout(self)
        self.header = QLabel("Select a layer to see its settings.")
        self.header.setWordWrap(True)
        self.layout_.addWidget(self.header)
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.addWidget(self.form_host)
        self.stats = QLabel()
        self.stats.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stats.setWordWrap(True)
        self.layout_.addWidget(self.stats)
        self.layout_.addStretch(1)
        events = editor.doc.events
        events.param_changed.connect(self._model_changed)
        events.node_renamed.connect(self._model_changed)
        events.node_removed.connect(self._node_removed)
        editor.analysis_changed.connect(self.show_report)
        editor.doc.blocks.events.block_replaced.connect(self._block_replaced)
        if isinstance(editor, Editor):
            editor.sections_changed.connect(self._sections_changed)
            editor.sweep_changed.connect(self._sweep_changed)

    def detach(self) -> None:
        """Stop following the document: a block's graph outlives the tab that showed it."""
        events = self.editor.doc.events
        events.param_changed.disconnect(self._model_changed)
        events.node_renamed.disconnect(self._model_changed)
        events.node_removed.disconnect(self._node_removed)
        self.editor.doc.blocks.events.block_replaced.disconnect(self._block_replaced)
        if isinstance(self.editor, Editor):
            self.editor.sections_changed.disconnect(self._sections_changed)
            self.editor.sweep_changed.disconnect(self._sweep_changed)

    def _node_removed(self, node: Node) -> None:
        if isValid(self) and node.id == self.node_id:
            self.show_node(None)

    def show_node(self, node_id: str | None) -> None:
        self.node_id = node_id if node_id in self.editor.doc else None
        while self.form.rowCount():
            self.form.removeRow(0)
        self.editors, self.trainable, self.sweep_buttons = {}, None, {}
        if self.node_id is None:
            self.header.setText("Select a layer to see its settings.")
            self.stats.setText("")
            return
        node = self.editor.doc.node(self.node_id)
        spec = node.spec
        exposed = exposed_targets(self.editor)
        self.header.setText(f"<b>{spec.name}</b> \u2014 {spec.help}")
        self.name_edit = QLineEdit(node.name)
        self.name_edit.editingFinished.connect(self._rename)
        self.form.addRow("Name", self.name_edit)
        if isinstance(self.editor, Editor) and spec.role in FREEZABLE:
            self.trainable = QCheckBox("learns (off: keeps its starting weights)")
            self.trainable.setChecked(node.id not in self.editor.frozen)
            self.trainable.toggled.connect(self._set_trainable)
            self.form.addRow("Trainable", self.trainable)
        for param in spec.params:
            if node.kind == BLOCK_KIND and param.name == BLOCK_PARAM:
                self.form.addRow("Block", QLabel(node.params[param.name]))
                continue
            editor = ParamEditor(param, lambda value, name=param.name: self._set(name, value))
            editor.show(node.params.get(param.name, param.default))
            reset = QToolButton(text="\u21ba")
            reset.setToolTip(f"Reset to the default ({param.default})")
            reset.clicked.connect(lambda _=False, p=param: self._set(p.name, p.default))
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.addWidget(editor.widget, 1)
            row_layout.addWidget(reset)
            if isinstance(self.editor, Editor) and param.kind != "text":
                sweep = SweepButton(
                    self.editor, node.id, param.name, param.kind, f"{node.name}.{param.name}"
                )
                row_layout.addWidget(sweep)
                self.sweep_buttons[param.name] = sweep
            owner = exposed.get((node.id, param.name))
            if owner is not None:
                row.setEnabled(False)
                row.setToolTip(
                    f"Set by the block param {owner.name!r}: each instance gives its value "
                    f"(default {owner.default})"
                )
            label = QLabel(human_label(param.name))
            label.setToolTip(f"{param.name}: {param.help}")
            self.form.addRow(label, row)
            self.form.addRow(editor.message)
            self.editors[param.name] = editor
        self.show_report(self.editor.report)

    def _block_replaced(self, *_) -> None:
        """A block's params changed: which fields it sets may have too."""
        if isValid(self):
            self.show_node(self.node_id)

    def _set(self, name: str, value) -> None:
        if self.node_id is not None:
            self.editor.set_param(self.node_id, name, value)
            # A refused edit (training running) must not leave the form showing it.
            self._model_changed(self.editor.doc.node(self.node_id))

    def _set_trainable(self, trainable: bool) -> None:
        if self.node_id is not None and isinstance(self.editor, Editor):
            self.editor.set_trainable([self.node_id], trainable)
            self._sections_changed()  # a refused edit (training running) shows as it was

    def _sections_changed(self) -> None:
        if isValid(self) and self.trainable is not None and self.node_id is not None:
            trainable = self.node_id not in self.editor.frozen
            if self.trainable.isChecked() != trainable:
                self.trainable.blockSignals(True)
                self.trainable.setChecked(trainable)
                self.trainable.blockSignals(False)

    def _sweep_changed(self) -> None:
        if isValid(self):
            for button in self.sweep_buttons.values():
                button.refresh()

    def _rename(self) -> None:
        if self.node_id is None:
            return
        name = self.name_edit.text().strip()
        node_id = self.node_id
        if name and name != self.editor.doc.node(node_id).name:
            self.editor.edit(f"Rename to {name}", lambda doc: doc.rename(node_id, name))

    def _model_changed(self, node: Node, *_) -> None:
        if not isValid(self) or node.id != self.node_id:
            return
        if self.name_edit.text() != node.name:
            self.name_edit.setText(node.name)
        for name, editor in self.editors.items():
            editor.show(node.params.get(name, editor.spec.default))

    def show_report(self, report: GraphReport) -> None:
        if self.node_id is None or self.node_id not in report.nodes:
            return
        info = report.nodes[self.node_id]
        if self.trainable is not None:
            weighted = info.params > 0 or self.node_id in self.editor.frozen
            self.trainable.setEnabled(weighted)
            self.trainable.setToolTip("" if weighted else "It has no weights to keep or learn")
        inputs = ", ".join(str(shape) for shape in info.inputs) or "none"
        output = str(info.output) if info.output is not None else "unknown"
        memory = human_bytes(info.output.nbytes(32)) if info.output is not None else "?"
        lines = [
            f"<b>Input:</b> {inputs}",
            f"<b>Output:</b> {output}",
            f"<b>Parameters:</b> {info.params:,}",
            f"<b>MACs:</b> {info.macs:,} ({human(info.macs)})",
            f"<b>Activation memory (batch 32):</b> {memory}",
        ]
        for diagnostic in info.diagnostics:
            color = "#d32f2f" if diagnostic.is_error else "#b28704"
            lines.append(f"<span style='color:{color}'>{escape(str(diagnostic))}</span>")
        self.stats.setText("<br>".join(lines))
