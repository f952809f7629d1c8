"""The baseline in the metric plot: shown as soon as its scores arrive, during the run, kept
after Stop, and named in the legend rather than by a label across the plot."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from designer.training.events import BaselineFitted, EpochDone
from tests.ui.test_training_panel import RUN_TIMEOUT, open_tab, record
from tests.ui.test_training_progress import open_without_early_stopping

LEFT = Qt.MouseButton.LeftButton


def legend_entries(plot) -> dict[str, object]:
    legend = plot.widget.getPlotItem().legend
    return {label.text: sample.item for sample, label in legend.items}


def under_the_legend(plot, line) -> bool:
    """Whether `line` passes under the legend's opaque fill where it crosses it (if it does)."""
    legend = plot.widget.getPlotItem().legend
    box = legend.sceneBoundingRect()
    y = plot.widget.getPlotItem().getViewBox().mapViewToScene(QPointF(0, line.value())).y()
    if not box.top() <= y <= box.bottom():
        return True
    stacked = plot.widget.scene().items(QPointF(box.center().x(), y))  # the topmost first
    opaque = legend.brush().style() != Qt.BrushStyle.NoBrush and legend.brush().color().alpha()
    return bool(opaque) and stacked.index(legend) < stacked.index(line)


def test_the_baseline_shows_when_it_arrives_and_stays_after_stop(window, example, tmp_path, qtbot):
    panel = open_without_early_stopping(window, example, tmp_path)  # runs until stopped
    plot = panel.metric_plot
    open_tab(panel, plot.widget)
    events = record(panel)
    seen = []

    def look(event) -> None:  # what the plot holds the moment the baseline arrives
        if isinstance(event, BaselineFitted):
            seen.append((plot.baseline, dict(legend_entries(plot))))

    panel.session.event_emitted.connect(look)
    panel.epochs.setValue(1000)
    QTest.mouseClick(panel.start_button, LEFT)
    qtbot.waitUntil(lambda: bool(seen), timeout=RUN_TIMEOUT)
    (fitted,) = [e for e in events if isinstance(e, BaselineFitted)]
    line, entries = seen[0]
    assert line is not None and line.value() == fitted.val["accuracy"]
    name = f"{fitted.model} {fitted.val['accuracy']:.3f}"
    assert entries.get(name) is line  # named in the legend, no label of its own
    assert not [item for item in line.childItems() if item.isVisible()]
    assert under_the_legend(plot, line)
    epochs = sum(isinstance(e, EpochDone) for e in events)
    qtbot.waitUntil(
        lambda: sum(isinstance(e, EpochDone) for e in events) > epochs + 2, timeout=RUN_TIMEOUT
    )
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.stop_button, LEFT)
    assert plot.baseline is line and line.scene() is plot.widget.scene()
    assert legend_entries(plot).get(name) is line


def test_a_baseline_before_the_first_epoch_shows_at_once(qtbot):
    """The baseline fits beside the run and may be ready before any metric is plotted."""
    from designer.ui.training.plots import MetricPlot

    plot = MetricPlot()
    qtbot.addWidget(plot.widget)
    plot.show_baseline("gradient boosting", {"accuracy": 0.75})
    assert plot.baseline is not None and plot.baseline.value() == 0.75
    assert plot.widget.getAxis("left").labelText == "accuracy"
    plot.add_epoch(10, {"accuracy": 0.5}, {"accuracy": 0.6})
    assert plot.baseline.value() == 0.75
    plot.clear()
    assert legend_entries(plot).keys() == {"train", "val"}
    plot.add_epoch(10, {"accuracy": 0.5}, {"accuracy": 0.6})
    assert plot.baseline is None  # a new run does not inherit the last one's
