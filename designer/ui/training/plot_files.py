"""Saving a training plot as a PNG picture or a CSV of its values, from the plot's context menu.

Each file is written whole or not at all (QSaveFile), and only over a regular file: a folder,
a FIFO or a device at the chosen name is refused with a message saying so."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QIODevice, QObject, QSaveFile, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QFileDialog, QWidget

Table = tuple[list[str], list[Sequence]]  # a header and rows


def refusal(path: Path) -> str | None:
    """Why `path` must not be written, or None: a file may be made or replaced there."""
    if path.is_dir():
        return f"{path} is a folder: give a file name in it"
    if path.exists() and not path.is_file():
        return f"{path} is not a regular file (a FIFO, device or socket): choose another name"
    if not path.parent.is_dir():
        return f"the folder {path.parent} does not exist"
    return None


def write_whole(path: Path, write: Callable[[QSaveFile], bool]) -> str | None:
    """Write `path` through a QSaveFile with `write`; None once it is there, else why not."""
    problem = refusal(path)
    if problem is not None:
        return problem
    file = QSaveFile(str(path))
    if not file.open(QIODevice.OpenModeFlag.WriteOnly):
        return f"{path} cannot be written ({file.errorString()})"
    if not write(file):
        reason = file.errorString() or "the data did not go in"
        file.cancelWriting()  # the old file, if any, stays as it was
        return f"{path} cannot be written ({reason})"
    if not file.commit():
        return f"{path} cannot be written ({file.errorString()})"
    return None


def csv_text(table: Table, delimiter: str = ",") -> str:
    header, rows = table
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue()


def write_csv(path: Path, table: Table) -> str | None:
    data = csv_text(table).encode("utf-8")
    return write_whole(path, lambda file: file.write(data) == len(data))


def plot_picture(widget: pg.PlotWidget) -> QImage:
    """The plot with its title, axes, legend and colour bar, at its size on screen, on the
    window's colour (the plots draw on a transparent background)."""
    exporter = ImageExporter(widget.getPlotItem())
    background = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    exporter.parameters()["background"] = QColor(background)
    return exporter.export(toBytes=True)


def write_png(path: Path, widget: pg.PlotWidget) -> str | None:
    picture = plot_picture(widget)
    return write_whole(path, lambda file: picture.save(file, "PNG"))


def file_stem(name: str) -> str:
    """ "Learning rate" -> "learning_rate"."""
    return re.sub(r"\W+", "_", name.lower()).strip("_") or "plot"


class PlotFiles(QObject):
    """Adds Save as PNG\u2026 and Save as CSV\u2026 to plots' context menus. `saved(path)` and
    `failed(message)` tell the outcome; `folder()` is where the file dialog starts."""

    saved = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QWidget, folder: Callable[[], Path]) -> None:
        super().__init__(parent)
        self.parent_widget, self.folder = parent, folder

    def add(self, widget: pg.PlotWidget, name: str, table: Callable[[], Table]) -> None:
        """The menu of `widget`'s plot gets the two actions, for the plot called `name`.
        pyqtgraph's own Export\u2026 entry goes: its CSV leaves the training curves out."""
        widget.scene().contextMenu = []
        menu = widget.getPlotItem().getViewBox().menu
        menu.addSeparator()
        menu.addAction(f"Save {name} as PNG\u2026").triggered.connect(
            lambda: self.save_png(widget, name)
        )
        menu.addAction(f"Save {name} as CSV\u2026").triggered.connect(
            lambda: self.save_csv(name, table)
        )

    def ask(self, name: str, suffix: str, kind: str) -> Path | None:
        start = self.folder() / f"{file_stem(name)}.{suffix}"
        chosen, _ = QFileDialog.getSaveFileName(
            self.parent_widget, f"Save {name} as {suffix.upper()}", str(start), kind
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix or path.is_dir() else path.with_suffix(f".{suffix}")

    def save_png(self, widget: pg.PlotWidget, name: str) -> None:
        path = self.ask(name, "png", "PNG images (*.png)")
        if path is not None:
            self.report(name, path, write_png(path, widget))

    def save_csv(self, name: str, table: Callable[[], Table]) -> None:
        values = table()
        if not values[1]:
            self.failed.emit(f"The {name} plot has no values to save yet")
            return
        path = self.ask(name, "csv", "CSV files (*.csv)")
        if path is not None:
            self.report(name, path, write_csv(path, values))

    def report(self, name: str, path: Path, problem: str | None) -> None:
        if problem is None:
            self.saved.emit(str(path))
        else:
            self.failed.emit(f"The {name} plot was not saved: {problem}")
