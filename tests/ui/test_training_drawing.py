"""How the Train panel draws during a run: plots in closed tabs catch up when opened, the y
range moves in steps and holds every value, and a Start before torch is loaded waits for it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.ui.torch_loader import TorchLoader
from tests.ui.test_training_panel import RUN_TIMEOUT, open_copy, open_tab

LEFT = Qt.MouseButton.LeftButton


def drawn(curve) -> tuple[list, list]:
    xs, ys = curve.getData()
    return ([], []) if xs is None else (list(xs), list(ys))


def run(panel, qtbot, epochs: int) -> None:
    panel.epochs.setValue(epochs)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, LEFT)


def test_a_closed_tab_is_drawn_when_it_is_opened(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    open_tab(panel, panel.metric_plot.widget)
    run(panel, qtbot, 2)
    steps, rates = panel.lr_plot.series.view()
    assert len(steps) > 0 and drawn(panel.lr_plot.curve) == ([], [])  # kept, not drawn
    open_tab(panel, panel.lr_plot.widget)
    assert drawn(panel.lr_plot.curve) == (list(steps), list(rates))


def test_the_loss_range_moves_in_steps_and_holds_every_value(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    plot, frames = panel.loss_plot, 200
    view = plot.widget.getPlotItem().getViewBox()
    ranges = []
    view.sigYRangeChanged.connect(lambda _view, y_range: ranges.append(tuple(y_range)))
    noise = np.random.default_rng(0).random(3 * frames)
    losses = 2.3 * np.exp(-np.linspace(0, 4, 3 * frames)) + 0.05 * noise
    for frame in range(frames):  # three steps a frame, as the panel's timer hands them over
        steps = list(range(3 * frame, 3 * frame + 3))
        plot.add_steps(steps, list(losses[steps]))
        plot.redraw(panel.axis)
        QApplication.processEvents()  # the frame is painted
        low, high = view.viewRange()[1]
        shown = losses[: steps[-1] + 1]
        assert low <= shown.min() and shown.max() <= high
    assert losses.max() - losses.min() >= 0.5 * (high - low)  # the curve fills the plot
    assert len(ranges) <= frames / 10  # a step now and then, not at every frame
    QTest.mouseClick(panel.log_scale, LEFT, pos=panel.log_scale.rect().bottomLeft() / 2)
    assert panel.log_scale.isChecked()
    low, high = view.viewRange()[1]
    assert 10**low <= losses.min() and losses.max() <= 10**high


def test_start_before_torch_is_loaded_waits_for_it(window, example, tmp_path, qtbot, monkeypatch):
    panel = open_copy(window, example, tmp_path)
    loading = TorchLoader()
    loading._done.clear()  # as if the background import were still going
    loading._started = True  # this test finishes it
    monkeypatch.setattr("designer.ui.training.panel.torch_loader", lambda: loading)
    panel.epochs.setValue(1)
    QTest.mouseClick(panel.start_button, LEFT)
    assert panel.status.text() == "Loading PyTorch\u2026"
    assert not panel.start_button.isEnabled() and not panel.session.running
    QTest.mouseClick(panel.start_button, LEFT)  # disabled: nothing more is queued
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        loading._done.set()
        loading.ready.emit()
    assert panel.status.text().startswith("Finished (completed)")
    assert panel.start_button.isEnabled()
