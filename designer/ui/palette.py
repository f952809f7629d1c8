"""The layer palette: categories from the catalog and the project's blocks, a search box, drag
or double-click (or Enter) to add."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.ui.canvas.view import KIND_MIME
from designer.ui.palette_target import BLOCK_PREFIX
from nodes import REGISTRY

KIND_ROLE = Qt.ItemDataRole.UserRole
BLOCKS = "Blocks"
CATEGORY_ORDER = [
    "Input / Output",
    "Core",
    "Convolution",
    "Pooling",
    "Normalization",
    "Reshape",
    "Recurrent",
    "Attention",
    "Activation",
    "Merge",
]


class LayerTree(QTreeWidget):
    """Layer kinds by category; dragging an item carries its kind id."""

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        data = QMimeData()
        kinds = [item.data(0, KIND_ROLE) for item in items if item.data(0, KIND_ROLE)]
        if kinds:
            data.setData(KIND_MIME, kinds[0].encode())
        return data

    def mimeTypes(self) -> list[str]:
        return [KIND_MIME]


class PaletteWidget(QWidget):
    """Emits `kind_activated` when a layer is double-clicked (or chosen with Enter)."""

    kind_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers")
        self.search.setClearButtonEnabled(True)
        self.tree = LayerTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setRootIsDecorated(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        grouped = REGISTRY.categories()
        for category in sorted(grouped, key=lambda name: [*CATEGORY_ORDER, name].index(name)):
            parent_item = QTreeWidgetItem(self.tree, [category])
            parent_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for spec in grouped[category]:
                add_item(parent_item, spec.name, spec.kind, spec.help)
        self.blocks = QTreeWidgetItem(self.tree, [BLOCKS])
        self.blocks.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.blocks.setHidden(True)
        self.tree.expandAll()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.activate_first)
        self.tree.itemActivated.connect(self.activate)

    def show_blocks(self, blocks: list[tuple[str, str]]) -> None:
        """The project's blocks, as (name, description), in the Blocks category."""
        self.blocks.takeChildren()
        for name, description in blocks:
            add_item(self.blocks, name, BLOCK_PREFIX + name, description)
        self.filter(self.search.text())

    def items(self) -> list[QTreeWidgetItem]:
        root = self.tree.invisibleRootItem()
        return [
            root.child(group).child(index)
            for group in range(root.childCount())
            for index in range(root.child(group).childCount())
        ]

    def item_for(self, kind: str) -> QTreeWidgetItem:
        return next(item for item in self.items() if item.data(0, KIND_ROLE) == kind)

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        root = self.tree.invisibleRootItem()
        for group in range(root.childCount()):
            category = root.child(group)
            visible = 0
            for index in range(category.childCount()):
                item = category.child(index)
                words = f"{item.text(0)} {item.toolTip(0)} {category.text(0)}"
                hit = not needle or needle in words.lower()
                item.setHidden(not hit)
                visible += hit
            category.setHidden(visible == 0)

    def activate(self, item: QTreeWidgetItem) -> None:
        kind = item.data(0, KIND_ROLE)
        if kind:
            self.kind_activated.emit(kind)

    def activate_first(self) -> None:
        for item in self.items():
            if not item.isHidden() and not item.parent().isHidden():
                self.activate(item)
                return


def add_item(parent: QTreeWidgetItem, name: str, kind: str, help_text: str) -> None:
    item = QTreeWidgetItem(parent, [name])
    item.setData(0, KIND_ROLE, kind)
    item.setToolTip(0, help_text)
    item.setFlags(
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
    )
