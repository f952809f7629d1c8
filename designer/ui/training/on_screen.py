"""Drawing only what is on screen: the Train panel skips plots in hidden tabs (or a hidden
dock) at each frame, keeps the newest values of the ones drawn whole at a time, and catches
them up when they are shown."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class Latest:
    """The newest value for a picture drawn whole (confusion matrix, predictions grid): kept
    until its widget is on screen, and drawn once however many came in between."""

    def __init__(self, widget: QWidget, draw: Callable[[Any], None]) -> None:
        self.widget, self.draw = widget, draw
        self.value: Any = None

    def put(self, value: Any) -> None:
        self.value = value

    def clear(self) -> None:
        self.value = None

    def flush(self) -> bool:
        """Draw the newest value if there is one and the widget is on screen; True if so."""
        if self.value is None or not self.widget.isVisible():
            return False
        value, self.value = self.value, None
        self.draw(value)
        return True


class ShownWatcher(QObject):
    """Calls `on_shown` whenever one of the watched widgets is shown (a tab opened, the dock
    raised)."""

    def __init__(self, on_shown: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.on_shown = on_shown

    def watch(self, *widgets: QWidget) -> None:
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show:
            self.on_shown()
        return False


class TakingTurns:
    """Pictures that draw in turn, one a frame and at most one every `interval` seconds: the
    first, from where the last one left off, that has something new on screen. A frame in which
    an epoch ends (metric, confusion, predictions all new) is then not several times as long as
    the others, and short epochs do not redraw every picture several times a second."""

    def __init__(self, drawers: list[Callable[[], bool]], interval: float) -> None:
        self.drawers = drawers  # each draws if it has something new on screen; True if it did
        self.interval = interval
        self.next = 0
        self.last = -math.inf

    def draw_one(self) -> None:
        if time.monotonic() - self.last < self.interval:
            return
        for offset in range(len(self.drawers)):
            index = (self.next + offset) % len(self.drawers)
            if self.drawers[index]():
                self.next, self.last = index + 1, time.monotonic()
                return

    def draw_all(self) -> None:
        for draw in self.drawers:
            draw()
