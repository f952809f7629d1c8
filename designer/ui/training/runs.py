"""The runs of a project: listed with their results; tick to overlay, rename, resume or delete
one, or have the next run start from its best weights."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

RUN_ROLE = Qt.ItemDataRole.UserRole


class RunsWidget(QWidget):
    """Emits `overlay_changed(run_id, records or None)`, `resume_requested(run_id)` and
    `start_from_requested(run_id)` (Load Best Weights)."""

    overlay_changed = Signal(str, object)
    resume_requested = Signal(str)
    start_from_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_path: Path | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Run", "Epochs", "Best val loss", "Result"])
        self.tree.setRootIsDecorated(False)
        self.rename_button = QPushButton("Rename")
        self.resume_button = QPushButton("Resume")
        self.delete_button = QPushButton("Delete")
        self.start_from_button = QPushButton("Load Best Weights")
        self.start_from_button.setToolTip(
            "The next run starts from this run's best weights (else its last) instead of fresh ones"
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.resume_button)
        buttons.addWidget(self.start_from_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        self.tree.itemChanged.connect(self.ticked)
        self.rename_button.clicked.connect(self.rename_selected)
        self.resume_button.clicked.connect(self.resume_selected)
        self.start_from_button.clicked.connect(self.start_from_selected)
        self.delete_button.clicked.connect(self.delete_selected)

    def refresh(self, project_path: Path | None) -> None:
        """List the project's runs (none for a project not saved yet)."""
        from designer.training import list_runs

        self.project_path = project_path
        blocked = self.tree.blockSignals(True)
        self.tree.clear()
        for run in list_runs(project_path) if project_path is not None else []:
            records = run.records()
            epochs = [record for record in records if "epoch" in record]
            final = next((record["final"] for record in records if "final" in record), "")
            losses = [record["val_loss"] for record in epochs if "val_loss" in record]
            item = QTreeWidgetItem(
                [
                    run.title,
                    str(len(epochs)),
                    f"{min(losses):.4g}" if losses else "",
                    final or "interrupted",
                ]
            )
            item.setData(0, RUN_ROLE, run)
            item.setToolTip(0, f"run {run.id} in {run.root}")
            item.setFlags(
                item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable
            )
            item.setCheckState(0, Qt.CheckState.Unchecked)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(blocked)

    def selected_run(self):
        items = self.tree.selectedItems()
        return items[0].data(0, RUN_ROLE) if items else None

    def ticked(self, item: QTreeWidgetItem, column: int) -> None:
        """A tick overlays the run; an edited name renames it."""
        if column != 0:
            return
        run = item.data(0, RUN_ROLE)
        if item.text(0) != run.title:
            try:
                run.rename(item.text(0))
            except OSError as error:
                QMessageBox.warning(self, "Cannot rename the run", f"{run.root}: {error}")
            blocked = self.tree.blockSignals(True)
            item.setText(0, run.title)
            self.tree.blockSignals(blocked)
            return
        records = run.records() if item.checkState(0) == Qt.CheckState.Checked else None
        self.overlay_changed.emit(run.id, records)

    def rename_selected(self) -> None:
        items = self.tree.selectedItems()
        if items:
            self.tree.editItem(items[0], 0)

    def resume_selected(self) -> None:
        run = self.selected_run()
        if run is not None:
            self.resume_requested.emit(run.id)

    def start_from_selected(self) -> None:
        run = self.selected_run()
        if run is not None:
            self.start_from_requested.emit(run.id)

    def delete_selected(self) -> None:
        run = self.selected_run()
        if run is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete run",
            f"Delete run {run.id} with its checkpoints and metrics?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.overlay_changed.emit(run.id, None)
            shutil.rmtree(run.root, ignore_errors=True)
            self.refresh(self.project_path)
