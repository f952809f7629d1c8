"""Pause, resume and stop a run from another thread; the trainer looks between steps."""

from __future__ import annotations

import threading
from collections.abc import Callable


class RunControl:
    """A stop flag and a pause gate, both thread-safe. `asked` is true while a pause or a stop
    is asked for: the one plain attribute a step reads, so that a step asked nothing takes no
    lock and makes no call. `on_hold` is called (in the trainer's thread) as a pause begins."""

    def __init__(self, on_hold: Callable[[], None] | None = None) -> None:
        self.on_hold = on_hold
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._changing = threading.Lock()  # a resume cannot clear `asked` under a stop
        self.asked = False

    def stop(self) -> None:
        with self._changing:
            self._stop.set()
            self._running.set()
            self.asked = True

    def pause(self) -> None:
        with self._changing:
            self._running.clear()
            self.asked = True

    def resume(self) -> None:
        with self._changing:
            self._running.set()
            self.asked = self._stop.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self) -> None:
        if self.on_hold is not None and not self._running.is_set():
            self.on_hold()
        self._running.wait()
