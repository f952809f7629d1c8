"""The live plots after a real short run: the mouse over a point reads out its value, the
confusion matrix shows its counts with a colour bar, and smoothing changes the drawn step loss
but never the values."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyle, QStyleOptionSlider

from designer.training.events import EpochDone
from tests.ui.plot_gestures import hover, leave, on_screen
from tests.ui.test_training_panel import RUN_TIMEOUT, open_copy, open_tab, record

LEFT = Qt.MouseButton.LeftButton


def shown_copy(window, example, tmp_path, qtbot):
    """The example's Training panel, its dock raised (the Problems tab was in front)."""
    panel = open_copy(window, example, tmp_path)
    window.training_dock.raise_()
    qtbot.waitUntil(lambda: panel.width() > 1000)
    return panel


def short_run(window, example, tmp_path, qtbot, epochs=3):
    panel = shown_copy(window, example, tmp_path, qtbot)
    events = record(panel)
    panel.epochs.setValue(epochs)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, LEFT)
    open_tab(panel, panel.loss_plot.widget)
    return panel, [event for event in events if isinstance(event, EpochDone)]


def tensorboard_smoothing(values: np.ndarray, weight: float) -> list[float]:
    """TensorBoard's own smoothing (its scalar dashboard), written out plainly."""
    last, smoothed = 0.0, []
    for count, value in enumerate(values, 1):
        last = last * weight + (1 - weight) * value
        smoothed.append(last / (1 - weight**count))
    return smoothed


def test_the_mouse_over_a_point_reads_out_its_value(window, example, tmp_path, qtbot):
    panel, epochs = short_run(window, example, tmp_path, qtbot)
    loss = panel.loss_plot
    last = epochs[-1]
    hover(loss.widget, on_screen(loss.widget, last.step, last.val["loss"]))
    assert loss.hover.text == (
        f"validation (epoch)\nstep {last.step} \u00b7 loss {last.val['loss']:.4g}"
    )
    assert loss.hover.label.isVisible() and loss.hover.ring.isVisible()
    steps, values = loss.train.view()
    middle = len(steps) // 2
    hover(loss.widget, on_screen(loss.widget, steps[middle], values[middle]))
    smoothed = loss.train_curve.y[middle]
    assert loss.hover.text == (
        f"train (step)\nstep {int(steps[middle])} \u00b7 loss {values[middle]:.4g} "
        f"(smoothed {smoothed:.4g})"
    )
    # Far from every point: nothing; the mouse gone: nothing.
    (_, right), (_, top) = loss.widget.getPlotItem().getViewBox().viewRange()
    hover(loss.widget, on_screen(loss.widget, 0.5 * right, top))
    assert loss.hover.text == ""
    hover(loss.widget, on_screen(loss.widget, last.step, last.val["loss"]))
    leave(loss.widget)
    assert loss.hover.text == ""

    metric = panel.metric_plot
    first = epochs[0]
    hover(metric.widget, on_screen(metric.widget, first.step, first.train["accuracy"]))
    assert metric.hover.text == (
        f"train\nstep {first.step} \u00b7 accuracy {first.train['accuracy']:.4g}"
    )


def test_the_confusion_matrix_shows_counts_a_colour_bar_and_the_cell_under_the_mouse(
    window, example, tmp_path, qtbot
):
    panel, epochs = short_run(window, example, tmp_path, qtbot, epochs=2)
    confusion = panel.confusion_plot
    matrix = epochs[-1].confusion
    assert [label.toPlainText() for label in confusion.labels] == [
        str(count) for row in matrix for count in row
    ]
    top = max(max(row) for row in matrix)
    bar = confusion.bar
    assert bar.isVisible() and bar.levels() == (0, top)
    assert tuple(confusion.image.getLevels()) == (0, top)
    assert bar.axis.range == [0, top]  # its scale reads the counts
    # The colour bar sits beside the matrix, inside the plot.
    plot_area = confusion.widget.getPlotItem().getViewBox().sceneBoundingRect()
    assert bar.sceneBoundingRect().left() >= plot_area.right()
    assert confusion.widget.sceneRect().contains(bar.sceneBoundingRect())
    hover(confusion.widget, on_screen(confusion.widget, 2.5, 1.5))  # row 1, column 2
    assert confusion.hover.text == f"true versicolor\npredicted virginica: {matrix[1][2]}"
    hover(confusion.widget, on_screen(confusion.widget, 0.5, 0.5))
    assert confusion.hover.text == f"true setosa\npredicted setosa: {matrix[0][0]}"


def slider_handle(slider) -> QPoint:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    style = slider.style()
    rect = style.subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )
    return rect.center()


def test_smoothing_changes_the_drawn_step_loss_but_not_the_values(window, example, tmp_path, qtbot):
    panel, _ = short_run(window, example, tmp_path, qtbot)
    loss = panel.loss_plot
    steps, values = (array.copy() for array in loss.train.view())
    table = loss.table()
    assert panel.smoothing_value.text() == "0.60"
    assert np.allclose(loss.train_curve.y, tensorboard_smoothing(values, 0.6))
    assert not np.allclose(loss.train_curve.y, values)

    QTest.keyClick(panel.smoothing, Qt.Key.Key_Home)  # no smoothing: the curve is the values
    assert panel.smoothing_value.text() == "0.00"
    assert list(loss.train_curve.y) == list(values)

    # Drag the handle to the far right: the heaviest smoothing, applied on release.
    slider = panel.smoothing
    start = slider_handle(slider)
    end = QPoint(slider.width() - 1, start.y())
    QTest.mousePress(slider, LEFT, pos=start)
    for fraction in (0.25, 0.5, 0.75, 1.0):
        QTest.mouseMove(slider, start + (end - start) * fraction)
    assert list(loss.train_curve.y) == list(values)  # nothing redrawn while dragging
    QTest.mouseRelease(slider, LEFT, pos=end)
    assert slider.value() == slider.maximum() and panel.smoothing_value.text() == "0.99"
    assert np.allclose(loss.train_curve.y, tensorboard_smoothing(values, 0.99))
    # The raw values are drawn faintly behind, and kept, in the curve and in a saved table.
    assert list(loss.raw_train_curve.y) == list(values)
    assert loss.raw_train_curve.pen.color().alpha() < 128
    now_steps, now_values = loss.train.view()
    assert list(now_steps) == list(steps) and list(now_values) == list(values)
    assert loss.table() == table
    assert all(math.isfinite(value) for value in loss.train_curve.y)
