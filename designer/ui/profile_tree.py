"""A layer profile as a table: the layers slowest first, a block's own layers under it, then
the loss, the optimizer, the rest and the total, which is the measured step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem

from designer.inspection.profile_table import HEADER, REST, row

NODE_ROLE = Qt.ItemDataRole.UserRole
EMPTY = "Profile Layers measures a training step layer by layer"


class ProfileTree(QTreeWidget):
    """Emits `node_chosen(node id)` when a row of a top-level layer is clicked."""

    node_chosen = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderLabels(list(HEADER))
        self.setAlternatingRowColors(True)
        self.setUniformRowHeights(True)
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setToolTip(EMPTY)
        self.itemClicked.connect(self.row_clicked)

    def show_profile(self, profile) -> None:
        """Fill the table from a StepProfile (None: empty it)."""
        self.clear()
        if profile is None:
            return
        step = profile.step
        self.add_layers(self.invisibleRootItem(), profile.layers, step)
        times = (profile.loss, profile.optimizer, profile.other)
        for (name, what), time in zip(REST, times, strict=True):
            self.add_row(self.invisibleRootItem(), row(name, what, step, time))
        total = row(
            "total (one step)",
            f"batch {profile.batch_size} on {profile.device}",
            step,
            step,
            activations=sum(layer.activation_bytes for layer in profile.layers),
            parameters=sum(layer.parameter_bytes for layer in profile.layers),
        )
        item = self.add_row(self.invisibleRootItem(), total)
        bold = item.font(0)
        bold.setBold(True)
        for column in range(len(HEADER)):
            item.setFont(column, bold)
        self.expandAll()

    def add_layers(self, parent: QTreeWidgetItem, layers, step: float) -> None:
        for layer in sorted(layers, key=lambda layer: -layer.time):
            cells = row(
                layer.name,
                layer.kind,
                step,
                layer.time,
                layer.forward,
                layer.backward,
                layer.activation_bytes,
                layer.parameter_bytes,
            )
            item = self.add_row(parent, cells)
            item.setData(0, NODE_ROLE, layer.node)
            item.setToolTip(0, layer.path)
            self.add_layers(item, layer.inner, step)

    def add_row(self, parent: QTreeWidgetItem, cells: tuple[str, ...]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, list(cells))
        for column in range(2, len(cells)):
            item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight)
        return item

    def row_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        node = item.data(0, NODE_ROLE)
        if node:
            self.node_chosen.emit(node)
