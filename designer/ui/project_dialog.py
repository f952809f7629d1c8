"""Project Properties: the project's name, which its generated class and exported files take,
and its description."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from designer.compiler.naming import class_identifier
from designer.project import Project

MAX_NAME = 1000  # as the project file's schema allows


class ProjectDialog(QDialog):
    """Edits a project's name and description; after OK, `name` and `description` hold them.
    OK needs a name."""

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Project properties")
        self.name_field = QLineEdit(project.name)
        self.name_field.setMaxLength(MAX_NAME)
        self.name_field.selectAll()
        self.description_field = QPlainTextEdit(project.description)
        self.description_field.setPlaceholderText("What the network is for (optional)")
        self.class_label = QLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_field.textChanged.connect(self.show_name)
        form = QFormLayout(self)
        form.addRow("Name", self.name_field)
        form.addRow("", self.class_label)
        form.addRow("Description", self.description_field)
        form.addRow(self.buttons)
        self.resize(480, 260)
        self.show_name(project.name)

    @property
    def name(self) -> str:
        return self.name_field.text().strip()

    @property
    def description(self) -> str:
        return self.description_field.toPlainText()

    def show_name(self, _text: str) -> None:
        """The class the name gives the exported code; OK only with a name."""
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name))
        self.class_label.setText(
            f"Exported as class {class_identifier(self.name)}(nn.Module)" if self.name else ""
        )
