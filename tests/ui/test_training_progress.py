"""The Train panel's progress line and bar: the epoch under way, and a stopped run's bar left
where the run stopped."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.training.events import EpochDone, RunFinished, RunStarted
from tests.ui.test_training_panel import RUN_TIMEOUT, open_copy, record

LEFT = Qt.MouseButton.LeftButton
PROGRESS = re.compile(
    r"Epoch (\d+)/(\d+) \u00b7 step (\d+) \u00b7 ([\d,]+) samples/s \u00b7 ETA (\d+) s"
)


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
