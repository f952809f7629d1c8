"""The Train panel's message: across the panel, wrapped, selectable, shown only when there is
one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy


class MessageBar(QLabel):
    """A wrapped, selectable label that hides while empty. Its width follows the panel, not
    its longest word (a long path is cut at the edge rather than widening the dock)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setStyleSheet("color: #d32f2f; padding: 2px 4px;")
        policy = self.sizePolicy()  # word wrap made it height-for-width: keep that
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
        self.setSizePolicy(policy)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.setText("")
