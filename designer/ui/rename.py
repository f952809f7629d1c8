"""Rename in place: a line edit over a node's title; Enter keeps the name, Escape drops it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGraphicsView, QLineEdit

from designer.ui.canvas.items import NodeItem


class RenameField(QLineEdit):
    """Emits `renamed(name)` once, with a non-empty changed name; then it goes away."""

    renamed = Signal(str)

    def __init__(self, view: QGraphicsView, item: NodeItem) -> None:
        super().__init__(item.name, view.viewport())
        self.original = item.name
        rect = view.mapFromScene(item.mapToScene(item.title_rect())).boundingRect()
        self.setGeometry(rect.adjusted(-2, -2, 2, 4))
        self.selectAll()
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.done = False
        self.editingFinished.connect(self.commit)

    def commit(self) -> None:
        if self.done:
            return
        self.done = True
        name = self.text().strip()
        if name and name != self.original:
            self.renamed.emit(name)
        self.deleteLater()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.done = True
            self.deleteLater()
            return
        super().keyPressEvent(event)
