"""Where the curves' view settings sit: beside the Training tabs when the tab bar leaves room,
else above the Overview's plots, so that a narrow panel neither scrolls its tabs nor hides them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QBoxLayout, QTabWidget, QWidget

CORNER = Qt.Corner.TopRightCorner


class ViewBarPlacement(QObject):
    """Moves `bar` between the corner of `tabs` and the top of `fallback` as `tabs` is
    resized. The tabs' minimum width is their pages' and their tab bar's, without the bar
    (which would hold the window wider than it need be)."""

    def __init__(self, bar: QWidget, tabs: QTabWidget, fallback: QBoxLayout) -> None:
        super().__init__(tabs)
        self.bar, self.tabs, self.fallback = bar, tabs, fallback
        fallback.insertWidget(0, bar)
        pages = [tabs.widget(index) for index in range(tabs.count())]
        tabs.setMinimumWidth(
            max(
                tabs.tabBar().minimumSizeHint().width(),
                *(page.minimumSizeHint().width() for page in pages),
            )
        )
        tabs.installEventFilter(self)

    @property
    def beside_tabs(self) -> bool:
        return self.tabs.cornerWidget(CORNER) is self.bar

    def place(self) -> None:
        room = self.tabs.width() - self.tabs.tabBar().sizeHint().width()
        beside = room >= self.bar.sizeHint().width()
        if beside == self.beside_tabs:
            return
        if beside:
            self.fallback.removeWidget(self.bar)
            self.tabs.setCornerWidget(self.bar, CORNER)
        else:
            self.tabs.setCornerWidget(None, CORNER)
            self.fallback.insertWidget(0, self.bar)
        self.bar.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.place()
        return False
