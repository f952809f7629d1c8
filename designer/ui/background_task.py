"""A function run in a worker thread, its result delivered in the GUI thread: work that
reads data (a large CSV file, an image folder) never freezes the window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

# Tasks whose thread runs, kept until it ends: a task outlives a panel closed meanwhile.
RUNNING: set[BackgroundTask] = set()


class BackgroundTask(QObject):
    """Runs `work` in a thread on `start`; `done` carries its result, `failed` the
    message of a setup error (a setting or a file the user can fix) or of any other
    failure, so the window shows it instead of a traceback. It has no parent: it stays
    (in RUNNING) until its thread ends, then goes, whoever listened."""

    done = Signal(object)
    failed = Signal(str)
    ended = Signal()

    def __init__(self, work: Callable[[], Any], name: str) -> None:
        super().__init__()
        self.work, self.name = work, name
        self.thread: threading.Thread | None = None
        self.ended.connect(self.forget)  # queued: runs in the GUI thread

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        RUNNING.add(self)
        self.thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from designer.data import SetupError

        try:
            result = self.work()
        except SetupError as error:
            self.failed.emit(str(error))
        except Exception as error:  # shown as a message; the window goes on
            self.failed.emit(f"{type(error).__name__}: {error}")
        else:
            self.done.emit(result)
        finally:
            self.ended.emit()

    @Slot()
    def forget(self) -> None:
        RUNNING.discard(self)
        self.deleteLater()
