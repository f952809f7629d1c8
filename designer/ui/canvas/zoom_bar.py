"""The zoom bar in the canvas's corner: zoom out, the zoom level (click for 100%), zoom in, fit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton, QWidget


class ZoomBar(QFrame):
    """Buttons that never take the keyboard focus from the canvas."""

    def __init__(
        self,
        parent: QWidget,
        zoom_out: Callable[[], None],
        actual_size: Callable[[], None],
        zoom_in: Callable[[], None],
        fit: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self.setObjectName("zoom_bar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 1, 2, 1)
        layout.setSpacing(0)
        self.level = self.button("100%", "Zoom level: click for 100% (Ctrl+0)", actual_size)
        self.level.setMinimumWidth(self.level.fontMetrics().horizontalAdvance("400%") + 14)
        layout.addWidget(self.button("\u2212", "Zoom out (Ctrl+-)", zoom_out))
        layout.addWidget(self.level)
        layout.addWidget(self.button("+", "Zoom in (Ctrl++)", zoom_in))
        layout.addWidget(self.button("Fit", "Fit the graph in view (F)", fit))

    def button(self, text: str, tip: str, slot: Callable[[], None]) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda _=False: slot())
        return button

    def show_level(self, scale: float) -> None:
        self.level.setText(f"{scale:.0%}")
