"""Pause, resume and stop a run from another thread; the trainer looks between steps."""

from __future__ import annotations

import threading


class RunControl:
    """A stop flag and a pause gate, both thread-safe."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()

    def stop(self) -> None:
        self._stop.set()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self) -> None:
        if not self._running.is_set():  # the check alone skips the lock every step takes
            self._running.wait()
