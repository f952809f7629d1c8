"""The Training dock's tabs: every one shows whole at the default size, none hides behind scroll
arrows at any size, and a click on each opens its page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolButton

TITLES = ["Overview", "LR & throughput", "Predictions", "Layer", "Runs", "LR finder"]


def shown_panel(window, example, qtbot):
    window.open_file(example("mlp_iris"))
    panel = window.train_panel
    window.training_dock.raise_()
    qtbot.waitUntil(panel.tabs.isVisible)
    return panel


def scroll_buttons(bar) -> list:
    return [button for button in bar.findChildren(QToolButton) if button.isVisible()]


def click_every_tab(panel) -> None:
    bar = panel.tabs.tabBar()
    for index in range(panel.tabs.count()):
        QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
        assert panel.tabs.currentIndex() == index
        assert panel.tabs.widget(index).isVisible()


def test_every_tab_shows_whole_at_the_default_size(window, example, qtbot):
    panel = shown_panel(window, example, qtbot)
    tabs, bar = panel.tabs, panel.tabs.tabBar()
    titles = [tabs.tabText(index).replace("&&", "&") for index in range(tabs.count())]
    assert titles == TITLES
    assert scroll_buttons(bar) == []
    for index in range(tabs.count()):
        assert bar.rect().contains(bar.tabRect(index))
        assert bar.tabRect(index).width() >= bar.tabSizeHint(index).width()  # not shortened
    corner = tabs.cornerWidget(Qt.Corner.TopRightCorner)
    assert corner.isVisible() and not corner.geometry().intersects(bar.geometry())
    assert panel.x_axis.isVisible() and panel.smoothing.isVisible()
    click_every_tab(panel)
    # The loss, the metric and the confusion matrix share the first tab, side by side.
    tabs.setCurrentIndex(0)
    plots = [panel.loss_plot, panel.metric_plot, panel.confusion_plot]
    assert all(plot.widget.isVisible() for plot in plots)
    lefts = [plot.widget.mapTo(panel, plot.widget.rect().topLeft()).x() for plot in plots]
    assert lefts == sorted(lefts) and min(plot.widget.width() for plot in plots) > 250


def test_a_narrow_panel_shortens_the_titles_instead_of_scrolling(window, example, qtbot):
    panel = shown_panel(window, example, qtbot)
    window.resize(800, 800)
    qtbot.waitUntil(lambda: panel.tabs.width() < 550)
    bar = panel.tabs.tabBar()
    assert scroll_buttons(bar) == []
    for index in range(panel.tabs.count()):
        assert bar.rect().contains(bar.tabRect(index))
        assert panel.tabs.tabToolTip(index)  # the whole title, or what the tab holds
    click_every_tab(panel)
    # The view settings moved above the Overview's plots, whole.
    assert panel.tabs.cornerWidget(Qt.Corner.TopRightCorner) is None
    panel.tabs.setCurrentIndex(0)
    assert panel.smoothing.isVisible() and panel.overview.isAncestorOf(panel.smoothing)
    assert panel.smoothing_value.visibleRegion().boundingRect() == panel.smoothing_value.rect()
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: panel.tabs.cornerWidget(Qt.Corner.TopRightCorner) is not None)
    assert panel.smoothing.isVisible() and not panel.overview.isAncestorOf(panel.smoothing)
