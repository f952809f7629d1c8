"""File > Export: choose model-only or full script, weights, ONNX and TorchScript; the preview
shows exactly the script that will be written; building the preview and writing the files run
in background threads."""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QFontDatabase
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
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from designer.project import Project
from designer.runtime.files import OutputRefused, make_output_folder, writable_target
from designer.ui.code_view import PythonHighlighter
from designer.ui.export_preview import PreviewBuilder

WEIGHT_FORMATS = (
    ("safetensors", (".safetensors",)),
    ("PyTorch state dict (.pt)", (".pt",)),
    ("both", (".safetensors", ".pt")),
)


def file_stem(project: Project) -> str:
    """A file name for the export: the project file's stem, else the project name made safe."""
    if project.path is not None:
        return project.path.stem
    stem = re.sub(r"[^A-Za-z0-9_]+", "_", project.name).strip("_").lower()
    return stem or "model"


class ExportWorker(QObject):
    """Writes the chosen files in the dialog's thread; one `wrote` line per file."""

    wrote = Signal(str)
    failed = Signal(str)
    done = Signal()

    def __init__(self, project: Project, request) -> None:
        super().__init__()
        self.project, self.request = project, request

    @Slot()
    def run(self) -> None:
        from designer.data import SetupError
        from designer.export.bundle import export

        try:
            for line in export(self.project, self.request):
                self.wrote.emit(line)
        except SetupError as error:
            self.failed.emit(str(error))
        except OSError as error:
            self.failed.emit(f"{error.filename or ''}: {error.strerror or error}")
        except Exception as error:  # the window lives on whatever the exporter does
            self.failed.emit(f"{type(error).__name__}: {error}")
        finally:
            self.done.emit()


class ExportDialog(QDialog):
    """Export options on the left, the script's preview on the right, a log of what was written."""

    finished_writing = Signal()

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.source_ok = False
        self.previews = PreviewBuilder(project, self)
        self.previews.built.connect(self.show_built)
        self.thread_: QThread | None = None
        self.worker: ExportWorker | None = None
        self.setWindowTitle(f"Export \u2014 {project.name}")
        self.resize(1100, 700)
        self.full_script = QRadioButton("Full training script (data, loss, optimizer, loop)")
        self.model_only = QRadioButton("Model class only")
        self.full_script.setChecked(True)
        self.folder = QLineEdit(str(project.path.parent if project.path else Path.cwd()))
        browse = QPushButton("Choose\u2026")
        browse.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.stem = QLineEdit(file_stem(project))
        self.weights = QCheckBox("Weights from run")
        self.run_choice = QComboBox()
        self.weight_format = QComboBox()
        self.weight_format.addItems([label for label, _ in WEIGHT_FORMATS])
        self.onnx = QCheckBox("ONNX (checked with onnxruntime)")
        self.torchscript = QCheckBox("TorchScript (checked against the module)")
        self.files = QLabel()
        self.files.setWordWrap(True)
        self.log = QLabel()
        self.log.setWordWrap(True)
        self.log.setTextFormat(self.log.textFormat().PlainText)
        options = QFormLayout()
        options.addRow(self.full_script)
        options.addRow(self.model_only)
        options.addRow("Folder", folder_row)
        options.addRow("File name", self.stem)
        options.addRow(self.weights)
        options.addRow("Run", self.run_choice)
        options.addRow("Format", self.weight_format)
        options.addRow(self.onnx)
        options.addRow(self.torchscript)
        options.addRow("Writes", self.files)
        options.addRow(self.log)
        left = QWidget()
        left.setLayout(options)
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.highlighter = PythonHighlighter(self.preview.document())
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([380, 720])
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton(
            "Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self.start_export)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)
        self.fill_runs()
        for signal in (
            self.full_script.toggled,
            self.weights.toggled,
            self.onnx.toggled,
            self.torchscript.toggled,
            self.folder.textChanged,
            self.stem.textChanged,
            self.weight_format.currentIndexChanged,
        ):
            signal.connect(self.refresh)
        self.full_script.toggled.connect(self.show_preview)
        self.show_preview()
        self.refresh()

    # -- choices ----------------------------------------------------------------------------

    def fill_runs(self) -> None:
        from designer.training.runs import list_runs

        runs = list_runs(self.project.path) if self.project.path is not None else []
        kept = [
            run
            for run in reversed(runs)
            if any(run.checkpoint(k).exists() for k in ("best", "last"))
        ]
        for run in kept:
            self.run_choice.addItem(run.title, run.id)
        if not kept:
            self.weights.setEnabled(False)
            self.weights.setToolTip("Train the network first: weights come from a run.")
            self.run_choice.addItem("no runs with checkpoints yet")

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export to folder", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def request(self):
        """The files the current choices write, as the exporter takes them."""
        from designer.export.bundle import ExportRequest

        base = str(Path(self.folder.text()) / (self.stem.text().strip() or "model"))
        weights = self.weights.isChecked() and self.weights.isEnabled()
        suffixes = WEIGHT_FORMATS[self.weight_format.currentIndex()][1] if weights else ()
        return ExportRequest(
            script=Path(f"{base}.py"),
            model_only=self.model_only.isChecked(),
            weights_run=self.run_choice.currentData() if weights else None,
            weights=tuple(Path(base + suffix) for suffix in suffixes),
            onnx=Path(f"{base}.onnx") if self.onnx.isChecked() else None,
            torchscript=Path(f"{base}.torchscript.pt") if self.torchscript.isChecked() else None,
        )

    @Slot()
    def refresh(self) -> None:
        request = self.request()
        self.run_choice.setEnabled(self.weights.isChecked() and self.weights.isEnabled())
        self.weight_format.setEnabled(self.run_choice.isEnabled())
        self.files.setText("\n".join(path.name for path in request.paths()))
        valid = bool(self.stem.text().strip()) and self.source_ok and self.thread_ is None
        self.export_button.setEnabled(valid)

    @Slot()
    def show_preview(self) -> None:
        """Build the chosen script's preview in the background; Export waits for it."""
        self.preview.setPlainText("# Building preview\u2026")
        self.source_ok = False
        self.previews.request(self.model_only.isChecked())
        self.refresh()

    @Slot(str, bool)
    def show_built(self, text: str, ok: bool) -> None:
        self.preview.setPlainText(text)
        self.source_ok = ok
        self.refresh()

    # -- writing ----------------------------------------------------------------------------

    def start_export(self) -> None:
        from designer.training.output_owners import owner

        request = self.request()
        existing = [path for path in request.paths() if os.path.lexists(path)]
        try:
            for path in existing:  # a device or FIFO there is refused before asking
                writable_target(path)
        except OutputRefused as error:
            self.show_failure(f"{error.filename}: {error.strerror}")
            return
        if existing:
            named = [
                f"{path.name} ({what})"
                if (what := owner(path, self.project.path, "exported"))
                else path.name
                for path in existing
            ]
            answer = QMessageBox.question(
                self,
                "Replace files?",
                "These files exist and will be replaced:\n" + "\n".join(named),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            request = dataclasses.replace(request, force=True)  # the user said yes
        try:
            make_output_folder(Path(self.folder.text()))
        except OSError as error:  # a file or a device has the folder's name, or no right
            self.show_failure(f"{error.filename or ''}: {error.strerror or error}")
            return
        self.log.setText("Exporting\u2026")
        self.worker = ExportWorker(self.project, request)
        self.thread_ = QThread(self)
        self.worker.moveToThread(self.thread_)
        self.thread_.started.connect(self.worker.run)
        self.worker.wrote.connect(self.add_line)
        self.worker.failed.connect(self.show_failure)
        self.worker.done.connect(self.thread_.quit)
        self.thread_.finished.connect(self.export_done)
        self.refresh()
        self.thread_.start()

    @Slot(str)
    def add_line(self, line: str) -> None:
        text = self.log.text().removeprefix("Exporting\u2026")
        self.log.setText(f"{text}\n{line}".strip())

    @Slot(str)
    def show_failure(self, message: str) -> None:
        self.add_line(f"Not exported: {message}")

    @Slot()
    def export_done(self) -> None:
        self.thread_.deleteLater()
        self.worker.deleteLater()
        self.thread_ = self.worker = None
        self.refresh()
        self.finished_writing.emit()

    def reject(self) -> None:
        if self.thread_ is not None:  # files are being written: closing now would hide the result
            self.add_line("Still writing; the dialog closes when the export is done.")
            self.finished_writing.connect(super().reject)
            return
        super().reject()
