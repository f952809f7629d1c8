"""The baseline fits beside the run: its scores reach the listener during the run, and a run's
end never waits for a slow one longer than the grace period."""

from __future__ import annotations

import threading
import time

from designer.training import Trainer, prepare_run
from designer.training import baseline as baseline_module
from designer.training.background_baseline import GRACE_SECONDS, run_with_baseline
from designer.training.events import BaselineFitted, EpochDone, RunFinished
from tests.train_helpers import example_copy


def test_the_baseline_reaches_the_listener_from_its_own_thread(tmp_path):
    setup = prepare_run(example_copy(tmp_path, "mlp_iris", epochs=3))
    threads = []

    def listener(event):
        if isinstance(event, BaselineFitted):
            threads.append(threading.current_thread().name)

    last, found, note = run_with_baseline(Trainer(setup), listener)
    assert isinstance(last, RunFinished) and note == ""
    assert found is not None and found.val["accuracy"] > 0.5
    assert threads == ["baseline"]


def test_a_slow_baseline_is_left_out_after_the_grace_period(tmp_path, monkeypatch):
    release = threading.Event()

    def slow(*args, **kwargs):
        release.wait(60)

    monkeypatch.setattr(baseline_module, "fit_baseline", slow)
    setup = prepare_run(example_copy(tmp_path, "mlp_iris", epochs=2))
    ended = []
    trainer = Trainer(
        setup, listeners=[lambda e: isinstance(e, EpochDone) and ended.append(time.perf_counter())]
    )
    sent = []
    last, found, note = run_with_baseline(trainer, sent.append)
    waited = time.perf_counter() - ended[-1]
    release.set()
    assert isinstance(last, RunFinished) and found is None and sent == []
    assert "still fitting" in note and "left out" in note
    # A bound, not a speed: the run waited for the grace period and not for the baseline.
    assert GRACE_SECONDS <= waited < GRACE_SECONDS + 10
