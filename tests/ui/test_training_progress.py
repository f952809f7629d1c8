"""The Train panel's progress line and bar: the epoch under way, samples/s and ETA over the time
trained (a pause left out), and a stopped run's bar left where the run stopped."""

from __future__ import annotations

import json
import math
import re

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.training.events import EpochDone, RunFinished, RunStarted
from tests.ui.test_training_panel import RUN_TIMEOUT, open_copy, record

LEFT = Qt.MouseButton.LeftButton
PROGRESS = re.compile(
    r"Epoch (\d+)/(\d+) \u00b7 step (\d+) \u00b7 ([\d,]+) samples/s \u00b7 ETA (\d+) s"
)
PAUSE_MS = 4000


def open_without_early_stopping(window, example, tmp_path):
    """mlp_iris saved to tmp_path with no early stopping: a long run trains until stopped."""
    raw = json.loads(example("mlp_iris").read_text())
    raw["training"]["early_stopping"]["patience"] = 0
    path = tmp_path / "mlp_iris.json"
    path.write_text(json.dumps(raw))
    window.open_file(path)
    panel = window.train_panel
    window.training_dock.raise_()  # in front of Problems, at its size
    QApplication.processEvents()
    return panel


def shown(texts: list[str]) -> list[tuple[int, int, int, float, int]]:
    """(epoch, epochs, step, samples/s, ETA) of each progress line."""
    lines = [PROGRESS.fullmatch(text) for text in texts]
    assert all(lines), texts
    return [
        (int(e), int(n), int(s), float(rate.replace(",", "")), int(eta))
        for e, n, s, rate, eta in (line.groups() for line in lines)
    ]


def test_the_epoch_shown_is_the_epoch_under_way(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    events = record(panel)
    texts = []
    panel.progress_changed.connect(texts.append)
    for epochs in (1, 3):
        panel.epochs.setValue(epochs)
        texts.clear()
        with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
            QTest.mouseClick(panel.start_button, LEFT)
        per_epoch = [e for e in events if isinstance(e, RunStarted)][-1].steps_per_epoch
        progress = shown(texts[:-1])  # the last says the run finished
        assert progress
        for epoch, total, step, _, _ in progress:
            assert (epoch, total) == (math.ceil(step / per_epoch), epochs)


def test_stop_leaves_the_bar_where_the_run_stopped(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    events = record(panel)
    panel.epochs.setValue(100)
    QTest.mouseClick(panel.start_button, LEFT)
    qtbot.waitUntil(
        lambda: any(isinstance(e, EpochDone) and e.epoch >= 3 for e in events),
        timeout=RUN_TIMEOUT,
    )
    QTest.mouseClick(panel.pause_button, LEFT)  # holds the run, so that it stops midway
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.stop_button, LEFT)
    started = next(e for e in events if isinstance(e, RunStarted))
    (finished,) = [e for e in events if isinstance(e, RunFinished)]
    assert finished.reason == "stopped"
    total = 100 * started.steps_per_epoch
    assert 0 < panel.progress.value() == round(100 * finished.step / total) < 100
    assert panel.status.text().startswith("Finished (stopped)")


def test_a_pause_counts_neither_in_samples_per_second_nor_in_eta(window, example, tmp_path, qtbot):
    panel = open_without_early_stopping(window, example, tmp_path)
    texts = []
    panel.progress_changed.connect(texts.append)
    panel.epochs.setValue(100_000)
    QTest.mouseClick(panel.start_button, LEFT)
    qtbot.waitUntil(lambda: len(texts) >= 2, timeout=RUN_TIMEOUT)  # a second of training
    QTest.mouseClick(panel.pause_button, LEFT)
    qtbot.wait(PAUSE_MS)
    panel.drain()
    before, paused_at, count = shown(texts)[-1], panel.speed_plot.series.size, len(texts)
    QTest.mouseClick(panel.pause_button, LEFT)
    qtbot.waitUntil(lambda: len(texts) > count, timeout=RUN_TIMEOUT)
    after = shown(texts)[-1]
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.stop_button, LEFT)
    assert after[2] > before[2]
    # Counted, a pause four times the training before it would cut the rate to a fifth and
    # multiply the ETA by five.
    assert after[3] > 0.5 * before[3]
    assert after[4] < 2 * before[4]
    _, rates = panel.speed_plot.series.view()
    assert rates[paused_at:].min() > 0.1 * np.median(rates[:paused_at])
