"""The layer table's model: the summary's rows (shape, params, MACs, memory) and a totals row
that sorting and filtering keep last."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QFont

from designer.compiler import GraphReport
from designer.compiler.summary import LayerRow, human, human_bytes, layer_rows
from designer.model import GraphDocument
from designer.ui.canvas.style import ERROR_COLOR

NODE_ROLE = Qt.ItemDataRole.UserRole  # a row's node id (None on the totals row)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # the value a column sorts by
COLUMNS = ("#", "Layer", "Kind", "Output shape", "Params", "MACs", "Memory")
NUMBERS = {0, 4, 5, 6}  # right-aligned, sorted as numbers
MEMORY = 6
ROOT = QModelIndex()  # a table's rows and columns hang off the invalid index


@dataclass(frozen=True)
class Totals:
    layers: int
    params: int
    macs: int
    memory: int


class LayerTableModel(QAbstractTableModel):
    """One row per node of the analysed graph, in forward order, then the totals row."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[LayerRow] = []
        self.totals = Totals(0, 0, 0, 0)
        self.batch_size = 32

    def show_report(self, doc: GraphDocument, report: GraphReport, batch_size: int) -> None:
        """Take the rows of `report`; when the same nodes stay in the same order only the values
        change, so a view keeps its selection, sorting and scroll position."""
        rows = layer_rows(doc, report, batch_size)
        totals = Totals(
            len(rows), report.total_params, report.total_macs, report.activation_bytes(batch_size)
        )
        same = [row.node_id for row in rows] == [row.node_id for row in self.rows]
        if same and batch_size == self.batch_size:
            self.rows, self.totals = rows, totals
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows), len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self.rows, self.totals, self.batch_size = rows, totals, batch_size
        self.endResetModel()

    def is_totals(self, row: int) -> bool:
        return row == len(self.rows)

    def row_of(self, node_id: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.node_id == node_id), None)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows) + 1

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == MEMORY:
            return f"Memory of the tensors each layer makes at batch {self.batch_size}"
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid():
            return None
        column, totals = index.column(), self.is_totals(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return self.totals_text(column) if totals else self.text(index.row(), column)
        if role == SORT_ROLE:
            return self.sort_value(index.row(), column)
        if role == NODE_ROLE:
            return None if totals else self.rows[index.row()].node_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMBERS:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and not totals
            and self.rows[index.row()].has_errors
        ):
            return ERROR_COLOR
        if role == Qt.ItemDataRole.FontRole and totals:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and not totals:
            row = self.rows[index.row()]
            errors = "; has errors (see Problems)" if row.has_errors else ""
            return (
                f"{row.kind} '{row.name}': output {row.shape_text}, {row.params:,} params, "
                f"{row.macs:,} MACs, {row.memory:,} bytes at batch {self.batch_size}{errors}"
            )
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if self.is_totals(index.row()):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def text(self, row_index: int, column: int) -> str:
        row = self.rows[row_index]
        return (
            str(row_index + 1),
            row.name + (" !" if row.has_errors else ""),
            row.kind,
            row.shape_text,
            f"{row.params:,}",
            human(row.macs),
            human_bytes(row.memory),
        )[column]

    def totals_text(self, column: int) -> str:
        totals = self.totals
        return (
            "",
            "Total",
            f"{totals.layers} layers",
            "",
            f"{totals.params:,}",
            human(totals.macs),
            human_bytes(totals.memory),
        )[column]

    def sort_value(self, row_index: int, column: int) -> Any:
        if self.is_totals(row_index):
            return None
        row = self.rows[row_index]
        size = row.output.numel if row.output is not None else -1
        values = (row_index, row.name.lower(), row.kind.lower(), size, row.params)
        return (*values, row.macs, row.memory)[column]


class LayerSortProxy(QSortFilterProxyModel):
    """Sorts by each column's value (numbers as numbers) and filters by name or kind; the
    totals row stays, last, whichever way the table is sorted."""

    def __init__(self, source: LayerTableModel) -> None:
        super().__init__(source)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    @property
    def table(self) -> LayerTableModel:
        return self.sourceModel()

    def lessThan(
        self,
        left: QModelIndex | QPersistentModelIndex,
        right: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
        if self.table.is_totals(left.row()):
            return not ascending
        if self.table.is_totals(right.row()):
            return ascending
        return left.data(SORT_ROLE) < right.data(SORT_ROLE)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if self.table.is_totals(source_row):
            return True
        row = self.table.rows[source_row]
        return self.filterRegularExpression().match(f"{row.name} {row.kind}").hasMatch()
