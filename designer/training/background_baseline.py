"""The classical baseline fitted in a thread beside the run: its scores reach the listeners as
soon as they are ready, during the run, and the run's end waits for it a few seconds at most."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from typing import Any

from designer.training.events import (
    BaselineFitted,
    EndReason,
    Listener,
    RunFailed,
    RunFinished,
    RunStarted,
)

GRACE_SECONDS = 4.0  # the longest a finished run waits for a baseline still fitting
LOW_PRIORITY = 19  # the baseline takes the cores the run leaves idle


class BackgroundBaseline:
    """Fits the baseline of `setup` (see fit_baseline) in a daemon thread and gives its scores
    to `listener` once ready, unless the run has ended by then."""

    def __init__(self, setup: Any, listener: Listener) -> None:
        self.setup, self.listener = setup, listener
        self.lock = threading.Lock()
        self.event: BaselineFitted | None = None
        self.error: str | None = None
        self.ended = False
        self.started = time.perf_counter()
        self.thread = threading.Thread(target=self._fit, name="baseline", daemon=True)
        self.thread.start()

    def _fit(self) -> None:
        from threadpoolctl import threadpool_limits

        from designer.training.baseline import fit_baseline

        with contextlib.suppress(AttributeError, OSError):  # Linux: nice is per thread
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOW_PRIORITY)
        try:
            with threadpool_limits(limits=1):  # scikit-learn's OpenMP, in this thread
                found = fit_baseline(self.setup.data, self.setup.config.seed)
        except Exception as error:  # a baseline that fails leaves the run alone
            found, self.error = None, f"{type(error).__name__}: {error}"
        with self.lock:
            if found is not None:
                self.event = BaselineFitted(found.model, found.val, found.test)
                if not self.ended:
                    self.listener(self.event)

    def finish(self, wait: bool) -> tuple[BaselineFitted | None, str]:
        """At the run's end: the baseline (waiting up to GRACE_SECONDS where `wait`), and a note
        when there is none to show."""
        self.thread.join(GRACE_SECONDS if wait else 0.0)
        with self.lock:
            self.ended = True
            if self.event is not None:
                return self.event, ""
            if self.error is not None:
                return None, f"the baseline failed ({self.error})"
            if self.thread.is_alive():
                waited = time.perf_counter() - self.started
                return None, f"the baseline was still fitting after {waited:.0f} s: left out"
            return None, ""


def run_with_baseline(
    trainer: Any, listener: Listener | None
) -> tuple[RunFinished | RunFailed, BaselineFitted | None, str]:
    """Run `trainer` with the baseline fitting beside it from the run's start (where the
    settings ask): the run's last event, the baseline (None when there is none to show) and a
    note saying why there is none. `listener` gets the baseline as soon as it is ready."""
    setup, background, last = trainer.setup, None, None
    try:
        for event in trainer.events():
            if isinstance(event, RunStarted) and setup.config.baseline:
                background = BackgroundBaseline(setup, listener or ignore)
            last = event
    except BaseException:
        if background is not None:
            background.finish(wait=False)  # nothing more reaches the listener
        raise
    if background is None:
        return last, None, ""
    completed = isinstance(last, RunFinished) and last.reason != EndReason.STOPPED
    found, note = background.finish(wait=completed)
    return last, found, note


def ignore(event: Any) -> None:
    """A listener that keeps nothing."""
