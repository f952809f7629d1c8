"""The layer table's model: the summary's rows (shape, params, MACs, memory), each cell's text
and sort value worked out once per analysis, sorted by the model itself, and the totals; and the
proxy that filters them."""

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

from designer.compiler import GraphReport
from designer.compiler.summary import LayerRow, human, human_bytes, layer_rows
from designer.model import GraphDocument
from designer.ui.canvas.style import ERROR_COLOR

NODE_ROLE = Qt.ItemDataRole.UserRole  # a row's node id
FILTER_ROLE = Qt.ItemDataRole.UserRole + 1  # what the filter field matches: name and kind
COLUMNS = ("#", "Layer", "Kind", "Output shape", "Params", "MACs", "Memory")
NUMBERS = {0, 4, 5, 6}  # right-aligned
MEMORY = 6
ROOT = QModelIndex()  # a table's rows and columns hang off the invalid index
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class Totals:
    layers: int
    params: int
    macs: int
    memory: int


def cells(position: int, row: LayerRow) -> tuple[str, ...]:
    name = row.name + (" !" if row.has_errors else "")
    numbers = (f"{row.params:,}", human(row.macs), human_bytes(row.memory))
    return (str(position + 1), name, row.kind, row.shape_text, *numbers)


def sort_keys(position: int, row: LayerRow) -> tuple[int | str, ...]:
    size = row.output.numel if row.output is not None else -1
    names = (row.name.lower(), row.kind.lower())
    return (position, *names, size, row.params, row.macs, row.memory)


@dataclass(frozen=True)
class Entry:
    """A row as shown: the layer, its cells' text and its sort values, worked out once."""

    row: LayerRow
    cells: tuple[str, ...]
    keys: tuple[int | str, ...]

    @property
    def node_id(self) -> str:
        return self.row.node_id


class LayerTableModel(QAbstractTableModel):
    """One row per node of the analysed graph, sorted by a column (by forward order at first).

    The model sorts its rows itself, on values worked out once per analysis: a proxy's sort
    would ask Python for two values on every comparison."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entries: list[Entry] = []
        self.positions: dict[str, int] = {}  # a node's row
        self.totals = Totals(0, 0, 0, 0)
        self.batch_size = 32
        self.sort_column, self.sort_order = 0, Qt.SortOrder.AscendingOrder

    def show_report(self, doc: GraphDocument, report: GraphReport, batch_size: int) -> None:
        """Take the rows of `report`. When the same nodes stay, rows move and change in place,
        so a view keeps its selection and scroll position; else the table starts afresh."""
        rows = layer_rows(doc, report, batch_size)
        self.totals = Totals(
            len(rows), report.total_params, report.total_macs, report.activation_bytes(batch_size)
        )
        entries = [Entry(row, cells(i, row), sort_keys(i, row)) for i, row in enumerate(rows)]
        same = {entry.node_id for entry in entries} == set(self.positions)
        if same and batch_size == self.batch_size and len(entries) == len(self.entries):
            self.arrange(entries)
            return
        self.beginResetModel()
        self.batch_size = batch_size
        self.entries = self.in_order(entries)
        self.positions = {entry.node_id: row for row, entry in enumerate(self.entries)}
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self.arrange(self.entries)

    def in_order(self, entries: list[Entry]) -> list[Entry]:
        """`entries` (in forward order) sorted as asked; ties keep forward order."""
        descending = self.sort_order == Qt.SortOrder.DescendingOrder
        column = self.sort_column
        return sorted(entries, key=lambda entry: entry.keys[column], reverse=descending)

    def arrange(self, entries: list[Entry]) -> None:
        """Show `entries`, the same nodes as now: moved rows move, changed rows change."""
        before = {entry.node_id: entry for entry in self.entries}
        arranged = self.in_order(sorted(entries, key=lambda entry: entry.keys[0]))
        if [entry.node_id for entry in arranged] != [entry.node_id for entry in self.entries]:
            self.layoutAboutToBeChanged.emit()
            positions = {entry.node_id: row for row, entry in enumerate(arranged)}
            old = self.persistentIndexList()
            moved = [
                self.index(positions[self.entries[index.row()].node_id], index.column())
                for index in old
            ]
            self.changePersistentIndexList(old, moved)
            self.entries, self.positions = arranged, positions
            self.layoutChanged.emit()
        else:
            self.entries = arranged
        changed = [row for row, entry in enumerate(arranged) if before[entry.node_id] != entry]
        if changed:  # one span: views and proxies handle one signal faster than many
            last = len(COLUMNS) - 1
            self.dataChanged.emit(self.index(changed[0], 0), self.index(changed[-1], last))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = ROOT) -> int:
        return 0 if parent.isValid() else len(self.entries)

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
        entry, column = self.entries[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.cells[column]
        if role == FILTER_ROLE:
            return f"{entry.row.name} {entry.row.kind}"
        if role == NODE_ROLE:
            return entry.node_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMBERS:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and entry.row.has_errors:
            return ERROR_COLOR
        if role == Qt.ItemDataRole.ToolTipRole:
            layer = entry.row
            errors = "; it has errors (see Problems)" if layer.has_errors else ""
            return (
                f"{layer.kind} '{layer.name}': output {layer.shape_text}, {layer.params:,} "
                f"params, {layer.macs:,} MACs, {layer.memory:,} bytes at batch "
                f"{self.batch_size}{errors}"
            )
        return None

    def totals_text(self) -> str:
        totals = self.totals
        return (
            f"Total: {totals.layers} layers, {totals.params:,} parameters, "
            f"{human(totals.macs)} MACs, {human_bytes(totals.memory)} at batch {self.batch_size}"
        )


class LayerFilterProxy(QSortFilterProxyModel):
    """Filters the rows by name or kind; sorting is left to the layer model, which has each
    row's sort values at hand."""

    def __init__(self, source: LayerTableModel) -> None:
        super().__init__(source)
        self.setSourceModel(source)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)
