"""The Export dialog's script preview, built in a background thread: a full script prepares the
dataset, which for a large CSV file or image folder would stall the window."""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject, QThread, Signal, Slot

from designer.project import Project

# Build threads outlive a dialog closed mid-build; they are kept here until they end, so that
# neither the thread nor its worker is deleted while it runs.
RUNNING: set[tuple[QThread, QObject]] = set()


def forget(pair: tuple[QThread, QObject]) -> None:
    """Let a build thread that has ended, and its worker, go."""
    RUNNING.discard(pair)
    for item in pair:
        item.deleteLater()


def commented(message: str) -> str:
    """A message as the comment lines that stand in for a script that cannot be written."""
    lines = ["Cannot write this script:", *message.splitlines()]
    return "\n".join(f"# {line}".rstrip() for line in lines)


class PreviewWorker(QObject):
    """Builds one script's text in its thread; `built` carries the request's generation."""

    built = Signal(int, str, bool)  # generation, text, whether it is a script to write
    done = Signal()

    def __init__(self, project: Project, model_only: bool, generation: int) -> None:
        super().__init__()
        self.project, self.model_only, self.generation = project, model_only, generation

    @Slot()
    def run(self) -> None:
        from designer.data import SetupError
        from designer.export import bundle

        try:
            text, ok = bundle.script_source(self.project, self.model_only), True
        except SetupError as error:
            text, ok = commented(str(error)), False
        except Exception as error:  # the dialog shows whatever went wrong, as a message
            text, ok = commented(f"{type(error).__name__}: {error}"), False
        self.built.emit(self.generation, text, ok)
        self.done.emit()


class PreviewBuilder(QObject):
    """Builds the preview for the latest choice: one build at a time, a choice made while one
    runs is built after it, and a result for an older choice is dropped (generation count)."""

    built = Signal(str, bool)  # the latest choice's text, and whether it can be written

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.model_only = False
        self.generation = self.shown = 0
        self.building = False

    @property
    def pending(self) -> bool:
        """True until the text of the latest choice has been delivered."""
        return self.shown != self.generation

    def request(self, model_only: bool) -> None:
        self.generation += 1
        self.model_only = model_only
        if not self.building:
            self.launch()

    def launch(self) -> None:
        self.building = True
        worker = PreviewWorker(self.project, self.model_only, self.generation)
        thread = QThread()
        thread.setObjectName("export preview")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.built.connect(self.receive)
        worker.done.connect(thread.quit)
        pair = (thread, worker)
        RUNNING.add(pair)
        thread.finished.connect(functools.partial(forget, pair))
        thread.finished.connect(self.build_ended)
        thread.start()

    @Slot(int, str, bool)
    def receive(self, generation: int, text: str, ok: bool) -> None:
        if generation == self.generation:
            self.shown = generation
            self.built.emit(text, ok)

    @Slot()
    def build_ended(self) -> None:
        self.building = False
        if self.pending:
            self.launch()
