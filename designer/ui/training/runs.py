"""The runs of a project: listed by readable name with their results; tick to overlay, rename,
resume or delete one, have the next run start from its best weights, or see it in TensorBoard."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.ui.training.tensorboard_launcher import INSTALL, TensorBoard, event_folder

RUN_ROLE = Qt.ItemDataRole.UserRole


class RunsWidget(QWidget):
    """Emits `overlay_changed(run_id, name, records or None)`, `resume_requested(run_id)`,
    `start_from_requested(run_id)` (Load Best Weights), `run_selected(run or None)` and
    `damaged_selected(why)` when the run selected is damaged."""

    overlay_changed = Signal(str, str, object)
    resume_requested = Signal(str)
    start_from_requested = Signal(str)
    run_selected = Signal(object)
    damaged_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project_path: Path | None = None
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Run", "Epochs", "Best val loss", "Result"])
        self.tree.setRootIsDecorated(False)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # the name: the rest
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.rename_button = QPushButton("Rename")
        self.resume_button = QPushButton("Resume")
        self.delete_button = QPushButton("Delete")
        self.start_from_button = QPushButton("Load Best Weights")
        self.start_from_button.setToolTip(
            "The next run starts from this run's best weights (else its last) instead of fresh ones"
        )
        self.tensorboard = TensorBoard(self)
        self.tensorboard_button = QPushButton("TensorBoard")
        menu = QMenu(self.tensorboard_button)
        self.open_folder_action = menu.addAction("Open TensorBoard Folder")
        self.start_tensorboard_action = menu.addAction("Start TensorBoard")
        menu.setToolTipsVisible(True)
        menu.aboutToShow.connect(self.show_tensorboard_installed)  # installed since, perhaps
        self.show_tensorboard_installed()
        self.tensorboard_button.setMenu(menu)
        buttons = QVBoxLayout()  # a column beside the list: the tab stays narrow
        for button in (
            self.rename_button,
            self.resume_button,
            self.start_from_button,
            self.delete_button,
            self.tensorboard_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.tree.itemChanged.connect(self.ticked)
        self.tree.currentItemChanged.connect(lambda *_: self.selection_changed())
        self.rename_button.clicked.connect(self.rename_selected)
        self.resume_button.clicked.connect(self.resume_selected)
        self.start_from_button.clicked.connect(self.start_from_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.open_folder_action.triggered.connect(self.open_tensorboard_folder)
        self.start_tensorboard_action.triggered.connect(self.start_tensorboard)
        self.selection_changed()

    def refresh(
        self, project_path: Path | None, select: str | None = None, running: str | None = None
    ) -> None:
        """List the project's runs (none for a project not saved yet), with run `select`
        current, else the one that was, else the newest; run `running` is under way."""
        from designer.training import list_runs

        current = self.selected_run()
        wanted = select or (current.id if current is not None else None)
        overlaid = {run.id for run in self.ticked_runs()}  # ticks stay with their overlays
        self.project_path = project_path
        blocked = self.tree.blockSignals(True)
        self.tree.clear()
        for run in list_runs(project_path) if project_path is not None else []:
            item = self.damaged_item(run) if run.problem else self.run_item(run, running)
            item.setData(0, RUN_ROLE, run)
            ticked = Qt.CheckState.Checked if run.id in overlaid else Qt.CheckState.Unchecked
            if not run.problem:
                item.setCheckState(0, ticked)
            self.tree.addTopLevelItem(item)
        items = [self.tree.topLevelItem(row) for row in range(self.tree.topLevelItemCount())]
        chosen = next((i for i in items if i.data(0, RUN_ROLE).id == wanted), None)
        if chosen is None and items:
            chosen = items[-1]
        self.tree.setCurrentItem(chosen)
        self.tree.blockSignals(blocked)
        self.selection_changed()

    @staticmethod
    def run_item(run, running: str | None) -> QTreeWidgetItem:
        """A run's row: its name, epochs, best validation loss and how it ended."""
        records = run.records()
        epochs = [record for record in records if "epoch" in record]
        final = next((record["final"] for record in records if "final" in record), "")
        losses = [record["val_loss"] for record in epochs if "val_loss" in record]
        title = run.title
        item = QTreeWidgetItem(
            [
                title,
                str(len(epochs)),
                f"{min(losses):.4g}" if losses else "",
                final or ("running" if run.id == running else "interrupted"),
            ]
        )
        item.setToolTip(0, f"{title}\nrun {run.id} in {run.root}")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEditable)
        return item

    @staticmethod
    def damaged_item(run) -> QTreeWidgetItem:
        """A damaged run's row: "damaged", and why on every column's tooltip; it can be
        renamed or deleted, not overlaid, resumed or started from."""
        item = QTreeWidgetItem([run.title, "", "", "damaged"])
        for column in range(item.columnCount()):
            item.setToolTip(column, run.problem)
        item.setForeground(3, QBrush(QColor("firebrick")))
        flags = item.flags() | Qt.ItemFlag.ItemIsEditable
        item.setFlags(flags & ~Qt.ItemFlag.ItemIsUserCheckable)
        return item

    def ticked_runs(self) -> list:
        items = [self.tree.topLevelItem(row) for row in range(self.tree.topLevelItemCount())]
        return [
            item.data(0, RUN_ROLE) for item in items if item.checkState(0) == Qt.CheckState.Checked
        ]

    def selected_run(self):
        item = self.tree.currentItem()
        return item.data(0, RUN_ROLE) if item is not None else None

    def selection_changed(self) -> None:
        run = self.selected_run()
        for button in (self.rename_button, self.delete_button):
            button.setEnabled(run is not None)
        usable = run is not None and not run.problem
        for button in (self.resume_button, self.start_from_button):
            button.setEnabled(usable)
        has_events = run is not None and event_folder(run.root).is_dir()
        self.open_folder_action.setEnabled(has_events)
        self.open_folder_action.setToolTip(
            "The selected run's TensorBoard event files"
            if has_events
            else f"Runs write TensorBoard files when tensorboard is installed ({INSTALL})"
        )
        self.start_tensorboard_action.setEnabled(self.project_path is not None)
        self.run_selected.emit(run)
        if run is not None and run.problem:
            self.damaged_selected.emit(run.problem)

    def show_tensorboard_installed(self) -> None:
        installed = self.tensorboard.installed
        action = self.start_tensorboard_action
        action.setText("Start TensorBoard" if installed else "Start TensorBoard (not installed)")
        action.setToolTip(
            "TensorBoard on all of this project's runs, in the browser"
            if installed
            else f"Install TensorBoard first: {INSTALL}"
        )

    def open_tensorboard_folder(self) -> None:
        run = self.selected_run()
        if run is not None:
            self.tensorboard.open_folder(run.root, run.short_title)

    def start_tensorboard(self) -> None:
        from designer.training.runs import runs_root

        if self.project_path is not None:
            self.tensorboard.start(runs_root(self.project_path))

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
        if run.problem:
            return
        records = run.records() if item.checkState(0) == Qt.CheckState.Checked else None
        self.overlay_changed.emit(run.id, run.short_title, records)

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
            f"Delete {run.title} (run {run.id}) with its checkpoints and metrics?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.overlay_changed.emit(run.id, run.short_title, None)
            shutil.rmtree(run.root, ignore_errors=True)
            self.refresh(self.project_path)
