"""The layer table of one canvas: every layer's output shape, params, MACs and memory, sortable,
filterable, and selected together with the canvas."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from designer.ui.layer_table_model import NODE_ROLE, LayerSortProxy, LayerTableModel

COLUMN_MARGIN = 18  # room beyond a column's widest text, for the sort arrow and air


class LayerTableWidget(QWidget):
    """Follows its editor's analysis on every edit; selecting rows selects their nodes on the
    canvas (and brings the first into view), and selecting nodes selects their rows."""

    def __init__(
        self, editor: GraphEditor, scene: GraphScene, view: GraphView, batch_size: int
    ) -> None:
        super().__init__()
        self.editor, self.scene, self.graph_view = editor, scene, view
        self.batch_size = batch_size
        self.report: GraphReport | None = None
        self.syncing = False
        self.model = LayerTableModel(self)
        self.proxy = LayerSortProxy(self.model)
        self.filter = QLineEdit(placeholderText="Filter layers by name or kind")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        self.table.selectionModel().selectionChanged.connect(self.rows_selected)
        self.model.modelReset.connect(self.fit_columns)
        editor.analysis_changed.connect(self.show_report)
        scene.selectionChanged.connect(self.nodes_selected)

    def show_report(self, report: GraphReport) -> None:
        self.report = report
        self.model.show_report(self.editor.doc, report, self.batch_size)
        self.nodes_selected()

    def fit_columns(self) -> None:
        """Each column as wide as its widest text (people may widen them after)."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(header.count()):
            header.resizeSection(column, header.sectionSize(column) + COLUMN_MARGIN)

    def set_batch_size(self, batch_size: int) -> None:
        """The batch size the Memory column counts for (the status bar's)."""
        self.batch_size = batch_size
        if self.report is not None:
            self.show_report(self.editor.report)

    def selected_node_ids(self) -> list[str]:
        rows = self.table.selectionModel().selectedRows()
        return [index.data(NODE_ROLE) for index in rows if index.data(NODE_ROLE) is not None]

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
        if self.syncing or not isValid(self.scene):  # the scene's teardown clears its selection
            return
        selection = QItemSelection()
        for node_id in self.scene.selected_node_ids():
            row = self.model.row_of(node_id)
            if row is None:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
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
