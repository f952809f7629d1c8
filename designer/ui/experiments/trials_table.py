"""The table of a study's trials: number, state, swept values, score, epochs, time and size;
sortable by any column (numbers as numbers), the selection kept as trials come in."""

from __future__ import annotations

from typing import Any

from optuna.trial import FrozenTrial
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from designer.compiler.summary import human
from designer.sweep.report import shown, state_of
from designer.sweep.search import trial_values
from designer.sweep.space import SearchSpace
from designer.sweep.trials import EPOCHS, SECONDS
from designer.ui.experiments.labels import short_label
from designer.ui.experiments.trial_sizes import TrialSizes

NUMBER_ROLE = Qt.ItemDataRole.UserRole + 1  # the trial's number, on its first cell


class NumberItem(QTableWidgetItem):
    """A cell shown as text and sorted by its number (empty cells last)."""

    def __init__(self, text: str, number: float | None) -> None:
        super().__init__(text)
        self.number = number
        if number is not None:
            self.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        mine, theirs = self.number, getattr(other, "number", None)
        if mine is None or theirs is None:
            return theirs is None and mine is not None
        return mine < theirs


class TrialsTable(QTableWidget):
    """One row per trial that has values; `trial_selected` with the selected trial's number
    (None when none is)."""

    trial_selected = Signal(object)

    def __init__(self) -> None:
        super().__init__(0, 0)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setSortingEnabled(True)
        self.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.itemSelectionChanged.connect(lambda: self.trial_selected.emit(self.selected()))

    def selected(self) -> int | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        return self.item(rows[0].row(), 0).data(NUMBER_ROLE)

    def show_trials(
        self, trials: list[FrozenTrial], space: SearchSpace, monitor: str, sizes: TrialSizes
    ) -> None:
        chosen = self.selected()
        labels = [short_label(swept) for swept in space.params]
        header = ["Trial", "State", *labels, f"Best {monitor}", "Epochs", "Time (s)"]
        header += ["Params", "MACs"]
        self.setSortingEnabled(False)
        blocked = self.blockSignals(True)
        self.clearContents()
        self.setColumnCount(len(header))
        self.setHorizontalHeaderLabels(header)
        self.setRowCount(len(trials))
        for row, trial in enumerate(trials):
            for column, item in enumerate(self.cells(trial, space, sizes)):
                self.setItem(row, column, item)
            self.item(row, 0).setData(NUMBER_ROLE, trial.number)
        self.setSortingEnabled(True)
        for row in range(self.rowCount()):
            if self.item(row, 0).data(NUMBER_ROLE) == chosen:
                self.selectRow(row)
        self.blockSignals(blocked)

    def cells(
        self, trial: FrozenTrial, space: SearchSpace, sizes: TrialSizes
    ) -> list[QTableWidgetItem]:
        values = trial_values(trial, space)
        size = sizes.of(trial.number, values) if len(values) == len(space.params) else None
        seconds = trial.user_attrs.get(SECONDS)
        epochs = trial.user_attrs.get(EPOCHS)
        return [
            NumberItem(str(trial.number), trial.number),
            QTableWidgetItem(state_of(trial)),
            *(value_item(values.get(swept.key)) for swept in space.params),
            number_item(trial.value),
            number_item(epochs),
            number_item(seconds),
            NumberItem(f"{size[0]:,}", size[0]) if size else NumberItem("", None),
            NumberItem(human(size[1]), size[1]) if size else NumberItem("", None),
        ]


def number_item(value: float | None) -> NumberItem:
    return NumberItem("" if value is None else shown(value), value)


def value_item(value: Any) -> QTableWidgetItem:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return NumberItem(shown(value), value)
    return QTableWidgetItem("" if value is None else shown(value))
