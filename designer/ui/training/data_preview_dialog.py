"""The data preview dialog: a grid of training samples as the network will see them
(augmented, as in training) with their labels, and each class's count in each part."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.training.data_preview import DataPreview

COLUMNS = 8
SHOWN_SIDE = 72  # pixels each sample is drawn at
MAX_SHOWN_CLASSES = 10  # rows of counts shown without scrolling


def pixmap(image: np.ndarray) -> QPixmap:
    """A 0..1 image (H x W or H x W x 3) as a pixmap SHOWN_SIDE pixels high."""
    pixels = np.ascontiguousarray((image * 255).round().astype(np.uint8))
    height, width = pixels.shape[:2]
    if pixels.ndim == 2:
        found = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        found = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    picture = QPixmap.fromImage(found.copy())  # copied: the array goes
    smooth = height >= SHOWN_SIDE  # small images grow pixel by pixel, as the network sees them
    mode = (
        Qt.TransformationMode.SmoothTransformation
        if smooth
        else Qt.TransformationMode.FastTransformation
    )
    return picture.scaledToHeight(SHOWN_SIDE, mode)


class DataPreviewDialog(QDialog):
    """Shows one DataPreview; nothing in it can be edited."""

    def __init__(self, preview: DataPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Data preview")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(preview.description))
        if len(preview.labels):
            how = "augmented as in training" if preview.augmented else "as in training"
            layout.addWidget(QLabel(f"Training samples as the network sees them ({how}):"))
            grid = QGridLayout()
            self.samples: list[QLabel] = []
            for index, (image, label) in enumerate(
                zip(preview.images, preview.labels, strict=True)
            ):
                cell = QLabel()
                cell.setPixmap(pixmap(image))
                cell.setToolTip(label)
                caption = QLabel(label)
                caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
                row, column = divmod(index, COLUMNS)
                grid.addWidget(cell, 2 * row, column, Qt.AlignmentFlag.AlignCenter)
                grid.addWidget(caption, 2 * row + 1, column)
                self.samples.append(cell)
            layout.addLayout(grid)
        self.counts = QTableWidget(len(preview.counts), 3)
        self.counts.setHorizontalHeaderLabels(["Train", "Validation", "Test"])
        self.counts.setVerticalHeaderLabels(list(preview.counts))
        self.counts.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, numbers in enumerate(preview.counts.values()):
            for column, number in enumerate(numbers):
                item = QTableWidgetItem(f"{number:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.counts.setItem(row, column, item)
        self.counts.setVisible(bool(preview.counts))
        self.counts.resizeColumnsToContents()
        shown_rows = min(len(preview.counts), MAX_SHOWN_CLASSES)
        row_height = self.counts.verticalHeader().defaultSectionSize()
        frame = 2 * self.counts.frameWidth()
        header = self.counts.horizontalHeader().sizeHint().height()
        self.counts.setMinimumHeight(header + shown_rows * row_height + frame)
        if preview.counts:
            layout.addWidget(QLabel("Samples of each class:"))
        layout.addWidget(self.counts, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
