"""Training plot axes read in plain numbers: no pyqtgraph SI scaling ("x0.001"), and the empty
confusion plot shows no made-up range before any run."""

from __future__ import annotations

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from designer.ui.training.plots import MetricPlot, XAxis


def drawn(axis) -> tuple[str, list[str]]:
    """The axis' label and the tick texts it draws, as it would paint them now."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return axis.labelString(), [] if specs is None else [text for _, _, text in specs[2]]


def test_accuracies_below_one_are_read_as_they_are(qtbot):
    plot = MetricPlot()
    qtbot.addWidget(plot.widget)
    plot.widget.resize(400, 300)
    plot.widget.show()
    for epoch, (train, val) in enumerate([(0.31, 0.42), (0.55, 0.61), (0.72, 0.78)], start=1):
        plot.add_epoch(10 * epoch, {"accuracy": train}, {"accuracy": val})
    plot.redraw(XAxis())
    QApplication.processEvents()
    label, ticks = drawn(plot.widget.getAxis("left"))
    assert "accuracy" in label and "x0.001" not in label
    assert ticks and all(0 <= float(tick) <= 1 for tick in ticks), ticks


def test_the_empty_confusion_plot_shows_no_range(window, example):
    window.open_file(example("mlp_iris"))
    window.training_dock.show()
    window.training_dock.raise_()
    panel = window.train_panel
    QApplication.processEvents()
    for side in ("left", "bottom"):
        label, ticks = drawn(panel.confusion_plot.widget.getAxis(side))
        assert "x0.001" not in label and ticks == []
    widgets = [plot.widget for plot in (*panel.plots(), panel.lr_finder, panel.predictions)]
    widgets += [panel.layer_plots.weights, panel.layer_plots.grads]
    for widget in widgets:
        for side in ("left", "bottom"):
            assert not widget.getAxis(side).autoSIPrefix, (widget, side)
