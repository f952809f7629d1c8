"""The problems list: every diagnostic; double-click shows the node, Fix applies the suggestion."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QPushButton,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.compiler import Diagnostic, GraphReport
from designer.compiler.fixes import apply_fix
from designer.ui.editor import GraphEditor

DIAGNOSTIC_ROLE = Qt.ItemDataRole.UserRole


class ProblemsWidget(QWidget):
    """Emits `node_requested` with a node id to select and frame it."""

    node_requested = Signal(str)

    def __init__(self, editor: GraphEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Problem", "Fix"])
        self.tree.setRootIsDecorated(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.tree.itemDoubleClicked.connect(self._activated)
        editor.analysis_changed.connect(self.show_report)

    def show_report(self, report: GraphReport) -> None:
        self.tree.clear()
        style = self.style()
        icons = {
            "error": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            "warning": style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
        }
        fix_width = self.tree.header().sectionSizeHint(1)
        if not report.diagnostics:
            QTreeWidgetItem(self.tree, ["No problems: the network is ready to train.", ""])
        for diagnostic in report.diagnostics:
            item = QTreeWidgetItem(self.tree, [diagnostic.message, ""])
            item.setIcon(0, icons.get(diagnostic.severity, icons["warning"]))
            item.setToolTip(0, diagnostic.message)
            item.setData(0, DIAGNOSTIC_ROLE, diagnostic)
            if diagnostic.fix is not None:
                button = QPushButton(diagnostic.fix.label)
                button.setToolTip(f"Fix: {diagnostic.fix.label} (one undoable step)")
                button.clicked.connect(lambda _=False, d=diagnostic: self.fix(d))
                self.tree.setItemWidget(item, 1, button)
                fix_width = max(fix_width, button.sizeHint().width())
        self.tree.header().resizeSection(1, fix_width)

    def fix(self, diagnostic: Diagnostic) -> None:
        fix = diagnostic.fix
        assert fix is not None
        self.editor.edit(fix.label, lambda doc: apply_fix(doc, fix))

    def _activated(self, item: QTreeWidgetItem) -> None:
        diagnostic: Diagnostic | None = item.data(0, DIAGNOSTIC_ROLE)
        if diagnostic is not None and diagnostic.node_id is not None:
            self.node_requested.emit(diagnostic.node_id)
