"""The start page: new project, open a file, recent files, the examples and pretrained
networks to start from."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from designer.project.examples import examples
from designer.project.outline import read_outline
from designer.ui.graph_thumbnail import thumbnail

PATH_ROLE = Qt.ItemDataRole.UserRole
THUMBNAIL = QSize(168, 56)
CARD = QSize(184, 128)  # a thumbnail over the title and first sentence
# Pretrained networks offered first (torchvision's names); "More" lists every one.
FEATURED = (
    ("resnet18", "ResNet-18: small, quick to fine-tune"),
    ("resnet50", "ResNet-50: the common baseline"),
    ("mobilenet_v3_small", "MobileNetV3 Small: for phones"),
    ("efficientnet_b0", "EfficientNet-B0: accurate for its size"),
    ("convnext_tiny", "ConvNeXt-Tiny: a modern convolutional network"),
    ("vgg16", "VGG-16: plain and deep"),
)
MORE = ""  # the entry that opens the whole list


class StartPage(QWidget):
    """Emits `new_requested`, `open_requested` or `path_chosen(path)`."""

    new_requested = Signal()
    open_requested = Signal()
    path_chosen = Signal(Path)
    pretrained_chosen = Signal(str)  # a network's name, or MORE

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("NetDesigner", objectName="startTitle")
        subtitle = QLabel(
            "Draw a neural network, see every shape as you wire it, take it away as PyTorch.",
            objectName="startSubtitle",
        )
        new_button = QPushButton("New project")
        open_button = QPushButton("Open\u2026")
        new_button.clicked.connect(self.new_requested)
        open_button.clicked.connect(self.open_requested)
        buttons = QHBoxLayout()
        buttons.addWidget(new_button)
        buttons.addWidget(open_button)
        buttons.addStretch(1)
        self.examples = self.example_cards([path for _, path in examples()])
        self.recent = self.path_list([])
        self.pretrained = QListWidget()
        for model, text in (*FEATURED, (MORE, "More networks\u2026")):
            item = QListWidgetItem(text)
            item.setData(PATH_ROLE, model)
            self.pretrained.addItem(item)
        self.pretrained.itemActivated.connect(
            lambda item: self.pretrained_chosen.emit(item.data(PATH_ROLE))
        )
        self.pretrained.setWordWrap(True)
        self.recent.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # a path's file name shows
        for widget in (self.pretrained, self.recent):
            widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pretrained.setToolTip("Start from published weights, and fine-tune on your images")
        columns = QHBoxLayout()
        for heading, widget, stretch in (
            ("Examples", self.examples, 3),
            ("Start from a pretrained network", self.pretrained, 1),
            ("Recent", self.recent, 1),
        ):
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{heading}</b>"))
            column.addWidget(widget)
            columns.addLayout(column, stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 40, 48, 40)
        layout.addWidget(title)
        layout.addWidget(subtitle)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addSpacing(16)
        layout.addLayout(columns, 1)

    def example_cards(self, paths: list[Path]) -> QListWidget:
        """Each example with a picture of its graph, its title and its first sentence."""
        widget = self.path_list([])
        widget.setViewMode(QListWidget.ViewMode.IconMode)
        widget.setMovement(QListWidget.Movement.Static)
        widget.setResizeMode(QListWidget.ResizeMode.Adjust)
        widget.setIconSize(THUMBNAIL)
        widget.setGridSize(CARD)
        widget.setWordWrap(True)
        widget.setUniformItemSizes(True)
        for path in paths:
            outline = read_outline(path)
            item = QListWidgetItem(QIcon(thumbnail(outline, THUMBNAIL)), outline.title)
            item.setText(
                f"{outline.title}\n{outline.summary}" if outline.summary else outline.title
            )
            item.setData(PATH_ROLE, path)
            item.setToolTip(f"{outline.description}\n\n{path}".strip())
            widget.addItem(item)
        return widget

    def path_list(self, entries: list[tuple[str, Path]]) -> QListWidget:
        widget = QListWidget()
        widget.itemActivated.connect(lambda item: self.path_chosen.emit(item.data(PATH_ROLE)))
        self.fill(widget, entries)
        return widget

    @staticmethod
    def fill(widget: QListWidget, entries: list[tuple[str, Path]]) -> None:
        widget.clear()
        for title, path in entries:
            item = QListWidgetItem(f"{title}\n{path}")
            item.setData(PATH_ROLE, path)
            item.setToolTip(str(path))
            widget.addItem(item)

    def set_recent(self, paths: list[Path]) -> None:
        self.fill(self.recent, [(path.stem, path) for path in paths])
