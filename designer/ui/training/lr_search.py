"""The learning-rate finder in the window: a sweep in a background thread, its curve, a pick."""

from __future__ import annotations

import functools
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QThread, Signal, Slot

from designer.ui.training.curves import Curve
from designer.ui.training.hover import HoverLabel, curve_words, nearest_point
from designer.ui.training.plot_files import Table
from designer.ui.training.plots import curves_table, plot_widget

SWEEP = {"start": 1e-6, "end": 1.0, "steps": 80}


class SweepWorker(QObject):
    """Prepares the project from a snapshot and sweeps the learning rate (fastai's finder)."""

    found = Signal(object)
    failed = Signal(str)
    done = Signal()

    def __init__(self, snapshot: str, training: dict) -> None:
        super().__init__()
        self.snapshot, self.training = snapshot, training

    @Slot()
    def run(self) -> None:
        from designer.data import SetupError
        from designer.project import ProjectError, project_from_text
        from designer.training import prepare_run
        from designer.training.lr_finder import find_lr

        try:
            project = project_from_text(self.snapshot, "project")
            setup = prepare_run(project, training=self.training)
            found = find_lr(setup, SWEEP["start"], SWEEP["end"], SWEEP["steps"], beside_window=True)
            self.found.emit(found)
        except (SetupError, ProjectError) as error:
            self.failed.emit(str(error))
        except Exception as error:  # the window must live on whatever the sweep does
            self.failed.emit(f"{type(error).__name__}: {error}")
        finally:
            self.done.emit()


class LrFinderPlot(QObject):
    """Loss against learning rate (log scale) with the proposed rate marked; a click on the
    plot emits the rate under the mouse as `rate_picked`."""

    rate_picked = Signal(float)
    finished = Signal()
    name = "LR finder"

    def __init__(self) -> None:
        super().__init__()
        self.widget = plot_widget("Learning-rate finder (click to take a rate)", "loss")
        self.widget.setLabel("bottom", "learning rate")
        self.widget.setLogMode(x=True)
        pen = pg.mkPen("#5e35b1", width=2)
        self.curve = Curve(self.widget.getPlotItem(), pen, "sweep", in_legend=False)
        words = functools.partial(curve_words, self.widget)
        self.hover = HoverLabel(self.widget, nearest_point(lambda: [self.curve], words))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen("#e53935", width=1.5))
        self.marker.hide()
        self.widget.addItem(self.marker)
        self.widget.scene().sigMouseClicked.connect(self.clicked)
        self.sweep = None
        self.thread: QThread | None = None

    def start(self, snapshot: str, training: dict) -> None:
        self.thread = QThread(self)
        self.worker = SweepWorker(snapshot, training)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.found.connect(self.show)
        self.worker.done.connect(self.thread.quit)
        self.thread.finished.connect(self.finished)
        self.thread.start()

    def table(self) -> Table:
        return curves_table(self.widget, [self.curve])

    @property
    def suggestion(self) -> float | None:
        return self.sweep.suggestion if self.sweep is not None else None

    def show(self, sweep) -> None:
        self.sweep = sweep
        self.curve.setData(np.asarray(sweep.rates), np.asarray(sweep.losses))
        if sweep.suggestion is not None:
            self.marker.setValue(math.log10(sweep.suggestion))
            self.marker.show()

    def clicked(self, event) -> None:
        view = self.widget.getPlotItem().vb
        if not view.sceneBoundingRect().contains(event.scenePos()):
            return
        self.rate_picked.emit(10 ** view.mapSceneToView(event.scenePos()).x())

    def wait(self) -> None:
        if self.thread is not None and self.thread.isRunning():
            self.thread.quit()
            self.thread.wait(30_000)
