"""Ask for a new block's name and description when the selection is grouped."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QWidget


class GroupDialog(QDialog):
    """A name (offered) and an optional description; OK only with a name."""

    def __init__(self, suggested: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Group into block")
        self.name = QLineEdit(suggested)
        self.name.selectAll()
        self.description = QLineEdit()
        self.description.setPlaceholderText("What the block does (optional)")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self.check)
        form = QFormLayout(self)
        form.addRow("Block name", self.name)
        form.addRow("Description", self.description)
        form.addRow(self.buttons)

    def check(self, text: str) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(text.strip()))


def ask_block(parent: QWidget, suggested: str) -> tuple[str, str] | None:
    """The name and description the user gave, or None when they cancelled."""
    dialog = GroupDialog(suggested, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.name.text().strip(), dialog.description.text().strip()
    finally:
        dialog.deleteLater()
