"""Colours and sizes of canvas items, with light and dark variants that follow the palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QGuiApplication, QPalette

CATEGORY_HUES = {
    "Input / Output": 210,
    "Core": 140,
    "Convolution": 30,
    "Pooling": 50,
    "Reshape": 280,
    "Normalization": 180,
    "Recurrent": 330,
    "Attention": 0,
    "Activation": 90,
    "Merge": 250,
}
NODE_WIDTH = 200.0
ROW_HEIGHT = 17.0
PORT_RADIUS = 6.0
ERROR_COLOR = QColor("#d32f2f")
WARNING_COLOR = QColor("#f9a825")
SELECTED_COLOR = QColor("#1e88e5")
LIVE_FLAG_COLOR = QColor("#8e24aa")  # a layer the running network shows a problem in
TOKEN_COLOR = QColor("#ef6c00")  # ports and wires that carry token ids (long)
LOCK_COLOR = QColor("#546e7a")  # the padlock of a frozen layer
SWEEP_COLOR = QColor("#7b1fa2")  # the tag of a layer with a swept param


def is_dark() -> bool:
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def category_color(category: str) -> QColor:
    hue = CATEGORY_HUES.get(category, 200)
    return QColor.fromHsl(hue, 90, 70) if is_dark() else QColor.fromHsl(hue, 150, 225)


def frozen_color(color: QColor) -> QColor:
    """A category's colour, greyed: most of its saturation gone."""
    return QColor.fromHsl(color.hslHue(), color.hslSaturation() // 5, color.lightness())


def text_color() -> QColor:
    return QGuiApplication.palette().color(QPalette.ColorRole.Text)


def canvas_color() -> QColor:
    return QColor("#1f2227") if is_dark() else QColor("#f4f5f7")


def grid_color() -> QColor:
    return QColor("#2b2f36") if is_dark() else QColor("#e2e4e8")


def wire_color() -> QColor:
    return QColor("#9aa4b2") if is_dark() else QColor("#5f6b7a")


def heat_color(share: float) -> QColor:
    """A layer profile's colour for `share` (0..1) of the slowest layer's time: pale yellow
    to red, light enough for the node's text to stay readable."""
    share = min(max(share, 0.0), 1.0)
    hue = round(55 * (1 - share))
    if is_dark():
        return QColor.fromHsl(hue, 150, 45 + round(45 * share))
    return QColor.fromHsl(hue, 230, 232 - round(80 * share))
