"""File > Import Module: pick a Python file, the nn.Module class (or function) in it, the input
shapes and, optionally, a weights file to start from; the module is traced into a new graph.
Problems are shown in the dialog (every one the import found), never raised."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)

from designer.project import ProjectError

PROBLEMS_HEIGHT = 260  # pixels of problems shown before they scroll


def module_names(path: Path) -> list[str]:
    """Top-level classes and functions of a Python file, read without running it; classes
    that derive from something called *Module come first."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    modules, others = [], []
    for statement in tree.body:
        if isinstance(statement, ast.ClassDef):
            bases = [ast.unparse(base) for base in statement.bases]
            wanted = any(base.endswith("Module") for base in bases)
            (modules if wanted else others).append(statement.name)
        elif isinstance(statement, ast.FunctionDef) and not statement.name.startswith("_"):
            others.append(statement.name)
    return modules + others


def shapes_of(text: str) -> list[str]:
    """'3x32x32, 10' -> ['3x32x32', '10']: one shape per network input."""
    return [part for part in re.split(r"[,;\s]+", text.strip()) if part]


class ImportDialog(QDialog):
    """After `exec` succeeds, `result` holds the importer's ImportResult."""

    def __init__(self, parent: QWidget | None = None, start: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import a PyTorch module")
        self.result = None
        self.file = QLineEdit(str(start or ""))
        self.file.setPlaceholderText("model.py")
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.shapes = QLineEdit()
        self.shapes.setPlaceholderText("3x32x32 (one per input, without the batch)")
        self.keep_blocks = QCheckBox("Keep repeated submodules as blocks")
        self.keep_blocks.setChecked(True)
        self.keep_blocks.setToolTip(
            "Classes of your own used two or more times become blocks in the project's library; "
            "unchecked, every submodule is flattened into plain layers"
        )
        self.sequence_first = QCheckBox("Tensors are (sequence, batch): import batch first")
        self.sequence_first.setToolTip(
            "For a module whose recurrent or attention layers have batch_first=False: the "
            "graph is the same network taking and giving its tensors batch first"
        )
        self.weights = QLineEdit()
        self.weights.setPlaceholderText("optional: the module's state dict, .pt or .safetensors")
        self.weights.setToolTip(
            "Checked against the module and recorded as the project's start weights: a run "
            "starts from them, and so does the exported script"
        )
        choose_weights = QPushButton("Choose\u2026")
        choose_weights.clicked.connect(self.choose_weights)
        weights_row = QHBoxLayout()
        weights_row.addWidget(self.weights, 1)
        weights_row.addWidget(choose_weights)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setStyleSheet("color: #d32f2f;")
        self.problems = QScrollArea()  # an import can list many problems
        self.problems.setWidgetResizable(True)
        self.problems.setFrameShape(QScrollArea.Shape.NoFrame)
        self.problems.setWidget(self.message)
        explanation = QLabel(
            "The module is built with no arguments (or the function is called) and traced "
            "with torch.fx. Importing runs the file's code: import only files you trust."
        )
        explanation.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(explanation)
        form.addRow("Python file", row)
        form.addRow("Class or function", self.name)
        form.addRow("Input shapes", self.shapes)
        form.addRow("Start weights", weights_row)
        form.addRow(self.keep_blocks)
        form.addRow(self.sequence_first)
        form.addRow(self.problems)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.import_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.resize(560, 260)
        self.file.textChanged.connect(self.list_names)
        self.list_names()

    def choose_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Python file with the module", self.file.text(), "Python files (*.py)"
        )
        if chosen:
            self.file.setText(chosen)

    def show_problem(self, text: str) -> None:
        """Show why the import failed, the dialog grown to show it whole up to a height,
        beyond which it scrolls."""
        self.message.setText(text)
        wanted = self.message.heightForWidth(self.problems.viewport().width())
        self.problems.setMinimumHeight(min(wanted, PROBLEMS_HEIGHT))
        self.layout().activate()
        self.resize(self.width(), max(self.height(), self.sizeHint().height()))

    def choose_weights(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            "The module's weights",
            self.weights.text() or self.file.text(),
            "Weights (*.pt *.pth *.safetensors)",
        )
        if chosen:
            self.weights.setText(chosen)

    def list_names(self) -> None:
        current = self.name.currentText()
        self.name.clear()
        self.name.addItems(module_names(Path(self.file.text())))
        if current and self.name.findText(current) >= 0:
            self.name.setCurrentText(current)

    def accept(self) -> None:
        """Import; on a problem say what and where, and stay open."""
        from designer.importer.importing import import_file
        from designer.importer.inputs import parse_shape

        spec = f"{self.file.text().strip()}:{self.name.currentText().strip()}"
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            shapes = [parse_shape(text) for text in shapes_of(self.shapes.text())]
            if not shapes:
                raise ProjectError("input shapes", "give one shape per input, e.g. 3x32x32")
            weights = Path(self.weights.text().strip()) if self.weights.text().strip() else None
            name = self.name.currentText().strip()
            flat = not self.keep_blocks.isChecked()
            sequence_first = self.sequence_first.isChecked()
            self.result = import_file(
                spec, shapes, name, flat, weights, sequence_first=sequence_first
            )
        except ProjectError as error:
            self.show_problem(str(error))
            return
        except Exception as error:  # the user's code may raise anything while traced
            self.show_problem(f"{spec}: {type(error).__name__}: {error}")
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        super().accept()
