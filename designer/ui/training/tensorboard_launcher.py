"""TensorBoard for a project's runs: open a run's event-file folder, or start TensorBoard on the
runs folder (when it is installed) and open it in the browser."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QUrl, Signal
from PySide6.QtGui import QDesktopServices

INSTALL = "pip install tensorboard"
ADDRESS = re.compile(r"TensorBoard \S+ at (https?://\S+)")  # "TensorBoard 2.21.0 at http://..."
STOP_MS = 3000


def tensorboard_program() -> str | None:
    """The tensorboard command beside this Python (in its virtual environment) or on PATH."""
    places = [str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    return shutil.which("tensorboard", path=os.pathsep.join(places))


def event_folder(run_root: Path) -> Path:
    from designer.training.tensorboard import FOLDER  # designer.training loads torch

    return run_root / FOLDER


class TensorBoard(QObject):
    """One TensorBoard process at most, stopped with the window. `told(text)` says what
    happened, `failed(message)` what went wrong and what to do."""

    told = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.logdir: Path | None = None
        self.address: str | None = None
        self.output = ""

    @property
    def installed(self) -> bool:
        return tensorboard_program() is not None

    def open_folder(self, run_root: Path, name: str) -> None:
        folder = event_folder(run_root)
        if not folder.is_dir():
            self.failed.emit(
                f"{name} wrote no TensorBoard files: runs write them when the tensorboard "
                f"package is installed ({INSTALL})"
            )
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
        self.told.emit(f"Opened {folder}")

    def start(self, logdir: Path) -> None:
        """TensorBoard on `logdir` (every run of the project), opened in the browser once it
        says where it listens; if it runs on that folder already, its page opens again."""
        if self.running and self.logdir == logdir and self.address is not None:
            QDesktopServices.openUrl(QUrl(self.address))
            return
        program = tensorboard_program()
        if program is None:
            self.failed.emit(
                f"TensorBoard is not installed: {INSTALL}, then start it here (or run "
                f"tensorboard --logdir {logdir})"
            )
            return
        self.stop()
        self.logdir, self.address, self.output = logdir, None, ""
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.readyReadStandardOutput.connect(self.read)
        process.finished.connect(self.ended)
        process.errorOccurred.connect(self.could_not_start)
        self.process = process
        process.start(program, ["--logdir", str(logdir)])
        self.told.emit(f"Starting TensorBoard on {logdir}\u2026")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def read(self) -> None:
        if self.process is None:
            return
        self.output += bytes(self.process.readAllStandardOutput().data()).decode(errors="replace")
        found = ADDRESS.search(self.output)
        if found is not None and self.address is None:
            self.address = found.group(1)
            QDesktopServices.openUrl(QUrl(self.address))
            self.told.emit(f"TensorBoard is at {self.address} (it stops with the window)")

    def ended(self) -> None:
        if self.address is None and self.output.strip():
            last = self.output.strip().splitlines()[-1]
            self.failed.emit(f"TensorBoard stopped before it started: {last}")

    def could_not_start(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.failed.emit(f"TensorBoard could not be started ({self.process.errorString()})")

    def stop(self) -> None:
        if self.process is None:
            return
        process, self.process = self.process, None
        process.finished.disconnect(self.ended)
        process.terminate()
        if not process.waitForFinished(STOP_MS):
            process.kill()
            process.waitForFinished(STOP_MS)
        self.address = None
