"""The layer table of one canvas: every layer's output shape, params, MACs and memory, sortable,
filterable, with the totals below, and selected together with the canvas."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from designer.compiler import GraphReport
from designer.ui.canvas.scene import GraphScene
from designer.ui.canvas.view import GraphView
from designer.ui.editor import GraphEditor
from designer.ui.layer_table_model import NODE_ROLE, LayerFilterProxy, LayerTableModel

COLUMN_MARGIN = 18  # room beyond a column's widest text, for the sort arrow and air


class LayerTableWidget(QWidget):
    """Follows its editor's analysis on every edit (while hidden, once shown again); selecting
    rows selects their nodes on the canvas (and brings one into view), and selecting nodes
    selects their rows."""

    def __init__(
        self, editor: GraphEditor, scene: GraphScene, view: GraphView, batch_size: int
    ) -> None:
        super().__init__()
        self.editor, self.scene, self.graph_view = editor, scene, view
        self.batch_size = batch_size
        self.report: GraphReport | None = None
        self.stale = False  # an analysis came while the table was out of sight
        self.dock_shown = True  # its dock is shown and in front of the docks tabbed with it
        self.syncing = False
        self.model = LayerTableModel(self)
        self.proxy = LayerFilterProxy(self.model)
        self.filter = QLineEdit(placeholderText="Filter layers by name or kind")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.filter_rows)
        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.table.horizontalHeader().setHighlightSections(False)
        self.totals.setContentsMargins(4, 0, 4, 2)
        bold = self.totals.font()
        bold.setBold(True)
        self.totals.setFont(bold)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        layout.addWidget(self.totals)
        self.table.selectionModel().selectionChanged.connect(self.rows_selected)
        self.model.modelReset.connect(self.fit_columns)
        editor.analysis_changed.connect(self.show_report)
        scene.selectionChanged.connect(self.nodes_selected)

    def on_screen(self) -> bool:
        return self.dock_shown and self.isVisible()

    def show_report(self, report: GraphReport) -> None:
        self.report = report
        self.stale = not self.on_screen()
        if self.stale:  # no work for a table nobody sees: it catches up when shown
            return
        self.model.show_report(self.editor.doc, report, self.batch_size)
        self.show_totals()
        self.nodes_selected()

    def set_dock_shown(self, shown: bool) -> None:
        self.dock_shown = shown
        self.catch_up()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.catch_up()

    def catch_up(self) -> None:
        """Now in sight: show the latest analysis, and the canvas's selection, if they changed
        meanwhile."""
        if self.stale and self.report is not None:
            self.show_report(self.editor.report)
        else:
            self.nodes_selected()

    def set_batch_size(self, batch_size: int) -> None:
        """The batch size the Memory column counts for (the status bar's)."""
        self.batch_size = batch_size
        if self.report is not None:
            self.show_report(self.editor.report)

    def filter_rows(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self.show_totals()

    def show_totals(self) -> None:
        text = self.model.totals_text()
        shown, every = self.proxy.rowCount(), self.model.rowCount()
        self.totals.setText(text if shown == every else f"{text} ({shown} shown)")

    def fit_columns(self) -> None:
        """Each column as wide as its widest text (people may widen them after)."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(header.count()):
            header.resizeSection(column, header.sectionSize(column) + COLUMN_MARGIN)

    def selected_node_ids(self) -> list[str]:
        return [index.data(NODE_ROLE) for index in self.table.selectionModel().selectedRows()]

    def rows_selected(self) -> None:
        if self.syncing:
            return
        node_ids = self.selected_node_ids()
        self.syncing = True
        try:
            self.scene.select_nodes(node_ids)
        finally:
            self.syncing = False
        current = self.table.currentIndex().data(NODE_ROLE)
        shown = current if current in node_ids else node_ids[0] if node_ids else None
        if shown is not None:
            self.graph_view.ensureVisible(self.scene.node_items[shown], 40, 40)

    def nodes_selected(self) -> None:
        hidden = self.stale or not self.on_screen()
        if self.syncing or hidden or not isValid(self.scene):  # (the scene's teardown, too)
            return
        selection = QItemSelection()
        for node_id in self.scene.selected_node_ids():
            row = self.model.positions.get(node_id)
            index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else None
            if index is not None and index.isValid():
                selection.select(index, index)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        self.syncing = True
        try:
            self.table.selectionModel().select(selection, flags)
        finally:
            self.syncing = False
        if not selection.isEmpty():
            self.table.scrollTo(selection.indexes()[0])
