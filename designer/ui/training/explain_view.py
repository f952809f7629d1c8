"""The Predictions tab's explanations: a trained run's validation samples (only the wrongly
answered ones, if asked), and why the network answered as it did for the one clicked, with
the method chosen, drawn over the image or as bars. All the work runs in worker threads."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from designer.project import Project
from designer.ui.background_task import BackgroundTask
from designer.ui.training.plain_plots import plain_plot_widget

METHODS = (
    ("gradcam", "Grad-CAM"),
    ("ig", "Integrated gradients"),
    ("saliency", "Saliency"),
    ("occlusion", "Occlusion"),
)
LAST_CONVOLUTION = "Last convolution"
THUMBNAIL = 48
FOR, AGAINST = "#dc2814", "#1450e6"  # as the CLI's pictures: red speaks for the answer
WRONG = "#c62828"
SAMPLE_ROLE = Qt.ItemDataRole.UserRole
NO_RUN = "Train a run first: explanations look at a trained network"


def icon_of(thumbnail: np.ndarray) -> QIcon:
    """A sample's image (H x W or H x W x 3, 0..1) as an icon, grey or in colour."""
    pixels = np.ascontiguousarray((np.clip(thumbnail, 0, 1) * 255).astype(np.uint8))
    height, width = pixels.shape[:2]
    if pixels.ndim == 2:
        image = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8)
    else:
        image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    scaled = image.scaled(
        THUMBNAIL,
        THUMBNAIL,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,
    )
    return QIcon(QPixmap.fromImage(scaled))  # copies: `pixels` may go


class ExplainView(QWidget):
    """`project_of()` gives the open project, `run_of()` the id of the run to explain (the
    one selected in the Runs tab), or None."""

    def __init__(
        self,
        project_of: Callable[[], Project],
        run_of: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project_of, self.run_of = project_of, run_of
        self.loaded = None  # the ExplainedRun shown
        self.task: BackgroundTask | None = None  # an explanation being computed
        self.loading: BackgroundTask | None = None
        self.wanted: tuple | None = None  # the explanation asked for while another ran
        self.chosen: int | None = None  # a sample clicked in the grid before its run loaded
        self.load_button = QPushButton("Load Run")
        self.load_button.setToolTip(
            "Load the run selected in the Runs tab (the newest, unless you chose another) and "
            "list its validation samples"
        )
        self.run_label = QLabel("No run loaded")
        self.run_label.setWordWrap(True)
        self.method = QComboBox()
        for method, label in METHODS:
            self.method.addItem(label, method)
        self.layer = QComboBox()
        self.layer.setToolTip("The convolution whose feature maps Grad-CAM weighs")
        self.wrong_only = QCheckBox("Wrong only")
        self.wrong_only.setToolTip("List only the samples the network answered wrongly")
        self.samples = QListWidget()
        self.samples.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.samples.setUniformItemSizes(True)
        self.plot = plain_plot_widget()
        self.caption = QLabel("Explanation")  # a label: a long one wraps, a plot title is cut
        self.caption.setWordWrap(True)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        bold = self.caption.font()
        bold.setBold(True)
        self.caption.setFont(bold)
        self.picture = pg.ImageItem(axisOrder="row-major")
        self.bars: pg.BarGraphItem | None = None
        self.message = QLabel("Load a trained run, then click a sample to explain it")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.build_layout()
        self.load_button.clicked.connect(self.load)
        self.wrong_only.toggled.connect(self.list_samples)
        self.samples.currentItemChanged.connect(lambda *_: self.explain_current())
        self.method.currentIndexChanged.connect(self.method_changed)
        self.layer.currentIndexChanged.connect(lambda _: self.explain_current())
        self.method_changed()

    def build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.load_button, self.run_label)
        form.addRow("Method", self.method)
        form.addRow("Layer", self.layer)
        form.addRow(self.wrong_only)
        column = QWidget()
        left = QVBoxLayout(column)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(form)
        left.addWidget(self.samples, 1)
        right = QWidget()
        result = QVBoxLayout(right)
        result.setContentsMargins(0, 0, 0, 0)
        result.addWidget(self.caption)
        result.addWidget(self.plot, 1)
        result.addWidget(self.message)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(column)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def choose(self, sample: int) -> None:
        """Explain validation sample `sample` (clicked in the Predictions grid), loading the
        run first if none is."""
        self.chosen = sample
        if self.loaded is None:
            self.load()
        else:
            self.select_chosen()

    def select_chosen(self) -> None:
        sample, self.chosen = self.chosen, None
        if sample is None:
            return
        if self.wrong_only.isChecked() and sample not in {c.sample for c in self.loaded.wrong}:
            self.wrong_only.setChecked(False)  # the sample was answered rightly
        for row in range(self.samples.count()):
            if self.samples.item(row).data(SAMPLE_ROLE) == sample:
                self.samples.setCurrentRow(row)
                self.samples.scrollToItem(self.samples.item(row))

    # -- loading a run ---------------------------------------------------------------------------

    def load(self) -> None:
        """Load the chosen run in a worker thread; its samples are listed when it is ready."""
        from designer.ui.training.explained_run import explained_run, snapshot

        run = self.run_of()
        project = self.project_of()
        if self.loading is not None:
            return
        if run is None or project.path is None:
            self.message.setText(NO_RUN)
            return
        copy = snapshot(project)
        self.load_button.setEnabled(False)
        self.message.setText(f"Loading run {run}\u2026")
        task = self.loading = BackgroundTask(lambda: explained_run(copy, run), "explain-load")
        task.done.connect(self.show_run)
        task.failed.connect(self.message.setText)
        task.ended.connect(self.loaded_or_not)
        task.start()

    def loaded_or_not(self) -> None:
        self.loading = None
        self.load_button.setEnabled(True)

    def show_run(self, loaded) -> None:
        self.loaded = loaded
        weights = loaded.trained.weights
        self.run_label.setText(f"run {weights.run_id} ({weights.kind} weights)")
        self.wrong_only.setEnabled(loaded.wrong is not None)
        self.wrong_only.setToolTip(
            "List only the samples the network answered wrongly"
            if loaded.wrong is not None
            else "This task's answers are values, not classes: none is simply wrong"
        )
        blocked = self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItem(LAST_CONVOLUTION, None)
        for path, label in loaded.convolutions:
            self.layer.addItem(label, path)
        self.layer.blockSignals(blocked)
        self.method_changed()
        self.list_samples()
        self.message.setText("Click a sample to explain the network's answer")
        self.select_chosen()

    def list_samples(self) -> None:
        loaded = self.loaded
        if loaded is None:
            return
        wrong_only = self.wrong_only.isChecked() and loaded.wrong is not None
        shown = loaded.wrong if wrong_only else loaded.offered
        blocked = self.samples.blockSignals(True)
        self.samples.clear()
        image = loaded.kind == "image"
        self.samples.setViewMode(
            QListWidget.ViewMode.IconMode if image else QListWidget.ViewMode.ListMode
        )
        self.samples.setResizeMode(QListWidget.ResizeMode.Adjust)
        if image:
            self.samples.setGridSize(QSize(THUMBNAIL + 56, THUMBNAIL + 22))
        for choice in shown:
            item = QListWidgetItem(choice.caption)
            item.setData(SAMPLE_ROLE, choice.sample)
            if choice.thumbnail is not None:
                item.setIcon(icon_of(choice.thumbnail))
            if choice.wrong:
                item.setForeground(QBrush(QColor(WRONG)))
            self.samples.addItem(item)
        self.samples.blockSignals(blocked)
        if wrong_only and not shown:
            self.message.setText("The network answers every validation sample rightly")

    # -- explaining ----------------------------------------------------------------------------

    def method_changed(self, *_) -> None:
        gradcam = self.method.currentData() == "gradcam"
        self.layer.setEnabled(gradcam and self.layer.count() > 0)
        self.explain_current()

    def request(self) -> tuple | None:
        """The explanation the controls ask for: (sample, method, layer), or None."""
        item = self.samples.currentItem()
        if self.loaded is None or item is None:
            return None
        method = self.method.currentData()
        layer = self.layer.currentData() if method == "gradcam" else None
        return item.data(SAMPLE_ROLE), method, layer

    def explain_current(self) -> None:
        """Explain the chosen sample, in a worker thread; asked while another explanation
        runs, it follows that one."""
        self.wanted = self.request()
        if self.wanted is not None and (self.task is None or not self.task.running):
            self.explain(self.wanted)

    def explain(self, wanted: tuple) -> None:
        from designer.inspection.explain import explain

        self.wanted = None
        sample, method, layer = wanted
        trained = self.loaded.trained
        self.message.setText(f"Explaining sample {sample}\u2026")
        task = self.task = BackgroundTask(
            lambda: explain(trained, sample, method, layer), "explain"
        )
        task.done.connect(self.show_explanation)
        task.failed.connect(self.refused)
        task.ended.connect(self.explained)
        task.start()

    def explained(self) -> None:
        """An explanation ended: the one asked for meanwhile, if any, comes next."""
        self.task = None
        if self.wanted is not None:
            self.explain(self.wanted)

    def refused(self, message: str) -> None:
        """The core refused (or failed): why, in the tab, and no picture of another answer."""
        self.plot.clear()
        self.bars = None
        self.caption.setText("Not explained")
        self.message.setText(message)

    def show_explanation(self, explanation) -> None:
        self.message.setText(
            f"Red: what speaks for the answer {explanation.predicted}; blue: what speaks against it"
        )
        self.plot.clear()
        self.caption.setText(explanation.describe())
        if explanation.picture is not None:
            self.draw_picture(explanation)
        else:
            self.draw_bars(explanation)

    def draw_picture(self, explanation) -> None:
        """The image in grey with the attributions over it (the CLI's picture)."""
        from designer.inspection.pictures import overlay

        picture = np.asarray(overlay(explanation.picture, explanation.values))
        self.picture.setImage(picture, levels=(0, 255))
        self.plot.addItem(self.picture)
        self.plot.showAxes(False)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.autoRange(padding=0.02)

    def draw_bars(self, explanation) -> None:
        """A table's columns as horizontal bars, largest first; a sequence's steps as
        vertical bars in time order."""
        values = np.asarray(explanation.values, dtype=float)
        labels = explanation.labels
        brushes = [pg.mkBrush(FOR if value >= 0 else AGAINST) for value in values]
        self.plot.showAxes(True)
        self.plot.invertY(False)
        self.plot.setAspectLocked(False)
        if explanation.data_kind == "table":
            order = np.argsort(-np.abs(values), kind="stable")
            rows = np.arange(len(values))[::-1]  # the largest on top
            self.bars = pg.BarGraphItem(
                x0=0,
                y=rows,
                height=0.7,
                width=values[order],
                brushes=[brushes[index] for index in order],
                pen=None,
            )
            ticks = [(row, labels[i]) for row, i in zip(rows, order, strict=True)]
            self.plot.getAxis("left").setTicks([ticks])
            self.plot.getAxis("bottom").setTicks(None)
            self.plot.setLabel("bottom", "attribution")
            self.plot.setLabel("left", "")
            value_axis, place_axis = self.plot.setXRange, self.plot.setYRange
        else:
            steps = np.arange(len(values))
            self.bars = pg.BarGraphItem(x=steps, y0=0, width=0.7, height=values, brushes=brushes)
            every = max(1, len(values) // 20)
            ticks = [(step, labels[step]) for step in steps[::every]]
            self.plot.getAxis("bottom").setTicks([ticks])
            self.plot.getAxis("left").setTicks(None)
            self.plot.setLabel("left", "attribution")
            self.plot.setLabel("bottom", "time step")
            value_axis, place_axis = self.plot.setYRange, self.plot.setXRange
        self.plot.addItem(self.bars)
        # Every bar whole, and the zero line in sight even when all are on one side.
        value_axis(min(0.0, values.min()), max(0.0, values.max()), padding=0.05)
        place_axis(-0.5, len(values) - 0.5, padding=0.02)
