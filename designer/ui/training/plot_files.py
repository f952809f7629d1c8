"""Saving a training plot as a PNG picture or a CSV of its values, from the plot's context menu.

Each file is written whole or not at all, and only over a regular file, by the app's one
atomic writer: a folder, a FIFO or a device at the chosen name is refused with a message."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import pyqtgraph as pg
from pyqtgraph.exporters import ImageExporter
from PySide6.QtCore import QBuffer, QIODevice, QObject, Signal
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QFileDialog, QWidget

from designer.runtime.files import OutputRefused, write_bytes_atomically

Table = tuple[list[str], list[Sequence]]  # a header and rows


def write_file(path: Path, data: bytes) -> str | None:
    """Write `data` to `path` with the one atomic writer; None once it is there, else why
    not (a folder, FIFO or device at `path` is left as it was)."""
    try:
        write_bytes_atomically(path, data)
    except OutputRefused as error:
        return str(error)
    except OSError as error:
        return f"{path} cannot be written ({error.strerror or error})"
    return None


def csv_text(table: Table, delimiter: str = ",") -> str:
    header, rows = table
    stream = io.StringIO()
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue()


def write_csv(path: Path, table: Table) -> str | None:
    return write_file(path, csv_text(table).encode("utf-8"))


def plot_picture(widget: pg.PlotWidget) -> QImage:
    """The plot with its title, axes, legend and colour bar, at its size on screen, on the
    window's colour (the plots draw on a transparent background)."""
    exporter = ImageExporter(widget.getPlotItem())
    background = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    exporter.parameters()["background"] = QColor(background)
    return exporter.export(toBytes=True)


def write_png(path: Path, widget: pg.PlotWidget) -> str | None:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not plot_picture(widget).save(buffer, "PNG"):
        return f"{path} cannot be written (the picture could not be encoded as PNG)"
    return write_file(path, bytes(buffer.data()))


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
