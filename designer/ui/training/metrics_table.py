"""The selected run's metrics, a row per epoch: sortable, copied with Ctrl+C, saved as CSV."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from designer.runtime.errors import SetupError
from designer.ui.training.plot_files import Table, csv_text, file_stem, write_csv

SORT_ROLE = Qt.ItemDataRole.UserRole
LAST = ("lr", "seconds")  # after the metrics
HEADINGS = {
    "epoch": "Epoch",
    "lr": "Learning rate",
    "seconds": "Time (s)",
    "skipped": "Unreadable images",
}
SPLITS = {"train": "Train", "val": "Val"}
METRIC_WORDS = {"f1": "F1", "r2": "R\u00b2", "mae": "MAE", "mse": "MSE", "rmse": "RMSE"}


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def columns(epochs: list[dict[str, Any]]) -> list[str]:
    """epoch, then every number a record holds (train_loss, val_accuracy, ...) in the order
    they come, then lr and seconds; the step and the confusion matrix are left out."""
    keys = ["epoch"]
    for record in epochs:
        for key, value in record.items():
            if key not in keys and key not in (*LAST, "step") and is_number(value):
                keys.append(key)
    return keys + [key for key in LAST if any(key in record for record in epochs)]


def heading(key: str) -> str:
    """ "val_f1" -> "Val F1"."""
    if key in HEADINGS:
        return HEADINGS[key]
    split, _, metric = key.partition("_")
    if split in SPLITS and metric:
        return f"{SPLITS[split]} {METRIC_WORDS.get(metric, metric)}"
    return key


def shown(value: Any) -> str:
    if not is_number(value):
        return ""
    return str(value) if isinstance(value, int) else f"{value:.4g}"


class EpochModel(QAbstractTableModel):
    """The epoch records of one run's metrics.jsonl."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keys: list[str] = []
        self.epochs: list[dict[str, Any]] = []

    def set_records(self, records: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.epochs = [record for record in records if "epoch" in record]
        self.keys = columns(self.epochs) if self.epochs else []
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.epochs)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.keys)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = self.epochs[index.row()].get(self.keys[index.column()])
        if role == Qt.ItemDataRole.DisplayRole:
            return shown(value)
        if role == SORT_ROLE:
            return float(value) if is_number(value) else -math.inf
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return heading(self.keys[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.keys[section]} in metrics.jsonl and in a saved CSV"
        return None


class CopyingTableView(QTableView):
    """A table view whose Ctrl+C (the platform's Copy) asks for `copy_requested`: the
    window's own Copy, for the canvas, does not take the key while the table has focus."""

    copy_requested = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.matches(
            QKeySequence.StandardKey.Copy
        ):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_requested.emit()
        else:
            super().keyPressEvent(event)


class MetricsTable(QWidget):
    """The table with Copy and Save as CSV\u2026; `saved(path)` and `failed(message)` tell how
    a save went; `folder()` is where the file dialog starts."""

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, folder: Callable[[], Path], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.run_name = ""
        self.title = QLabel()
        self.title.setMinimumWidth(40)  # a long run name is cut rather than widening the panel
        self.model = EpochModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = CopyingTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.copy_requested.connect(self.copy)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip(
            "The selected cells, or the whole table, tab-separated (Ctrl+C in the table)"
        )
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton("Save as CSV\u2026")
        self.save_button.clicked.connect(self.save_csv)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for text, slot in (("Copy", self.copy), ("Save as CSV\u2026", self.save_csv)):
            action = QAction(text, self.view)
            action.triggered.connect(slot)
            self.view.addAction(action)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.copy_button)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.show_run(None)

    def show_run(self, run) -> None:
        """The epochs of `run` (a RunFolder), or none."""
        try:
            records = run.records() if run is not None else []
        except SetupError as error:  # a damaged metrics.jsonl, named in the message
            records = []
            self.failed.emit(error.message)
        self.model.set_records(records)
        self.view.resizeColumnsToContents()
        self.run_name = run.short_title if run is not None else ""
        count = self.model.rowCount()
        self.title.setText(
            f"{self.run_name}: {count} epoch{'s' if count != 1 else ''}"
            if run is not None
            else "Select a run to see its epochs"
        )
        for button in (self.copy_button, self.save_button):
            button.setEnabled(count > 0)

    def table(self, rows: list[int] | None = None, keys: list[str] | None = None) -> Table:
        """The values in the view's order (as sorted): `rows` and `keys` of it, or all; full
        precision, headed by the metrics.jsonl names."""
        keys = keys if keys is not None else self.model.keys
        rows = rows if rows is not None else list(range(self.proxy.rowCount()))
        source = [self.proxy.mapToSource(self.proxy.index(row, 0)).row() for row in rows]
        epochs = self.model.epochs
        return keys, [[epochs[row].get(key, "") for key in keys] for row in source]

    def copy(self) -> None:
        """The selected cells (their rows and columns), or the whole table if none."""
        selected = self.view.selectionModel().selectedIndexes()
        if selected:
            rows = sorted({index.row() for index in selected})
            columns_chosen = sorted({index.column() for index in selected})
            table = self.table(rows, [self.model.keys[column] for column in columns_chosen])
        else:
            table = self.table()
        QGuiApplication.clipboard().setText(csv_text(table, delimiter="\t"))

    def save_csv(self) -> None:
        start = self.folder() / f"{file_stem(self.run_name or 'run')}_epochs.csv"
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the epochs as CSV", str(start), "CSV files (*.csv)"
        )
        if not chosen:
            return
        path = Path(chosen)
        path = path if path.suffix or path.is_dir() else path.with_suffix(".csv")
        problem = write_csv(path, self.table())
        if problem is None:
            self.saved.emit(str(path))
        else:
            self.failed.emit(f"The epochs were not saved: {problem}")
