"""The Train panel: settings, Start / Pause / Resume / Stop, progress, live plots and errors.

The plots, runs and finder sit in tabs across the panel beside the controls; the Overview tab
holds the loss, the metric and the confusion matrix side by side. The tab bar never scrolls:
at the default size every tab shows whole, and a narrower panel shortens their titles."""

from __future__ import annotations

import copy
import functools
import json
import math
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from designer.project.files import project_to_dict
from designer.project.training_settings import DEFAULT
from designer.ui.background_task import BackgroundTask
from designer.ui.editor import Editor
from designer.ui.sweep_button import setting_sweep_button
from designer.ui.torch_loader import torch_loader
from designer.ui.training.devices import device_choices
from designer.ui.training.message_bar import MessageBar
from designer.ui.training.on_screen import Latest, ShownWatcher, TakingTurns
from designer.ui.training.run_clock import RunClock
from designer.ui.training.runs import RunsWidget
from designer.ui.training.session import TrainingSession
from designer.ui.training.start_from import StartFromRow
from designer.ui.training.view_bar import ViewBarPlacement

# 30 frames a second at most, whatever the step rate. The trainer is another process, so
# drawing does not slow it; each frame draws only the plots on screen, the others catch up when
# shown.
REDRAW_MS = 33
OTHER_PLOTS_SECONDS = 0.5  # the plots besides the loss draw in turn, one at most this often
PROGRESS_SECONDS = 1.0  # the progress bar repaints at once when set: once a second is enough
MINIMUM_HEIGHT = 300
LOCK_MESSAGE = "Training is running: stop it before changing the network"
NO_DATASET = "No dataset yet: choose a dataset in Settings\u2026"
SMOOTHING_STEPS = 100  # the slider's positions: weights 0.00 to 0.99
FAILED = "Training failed: the Training panel says why"


def setting(training: dict, key: str, default: int) -> int:
    """A whole-number training setting as the form shows it; odd values fall back to default
    (the trainer reports them, with their place, when the run starts)."""
    value = training.get(key, default)
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default
    )


def learning_rate(training: dict) -> float:
    default = DEFAULT.optimizer.lr
    optimizer = training.get("optimizer")
    value = optimizer.get("lr", default) if isinstance(optimizer, dict) else default
    return float(value) if isinstance(value, int | float) and value > 0 else default


class TrainPanel(QWidget):
    """Drives one TrainingSession for the editor's project; the plots on screen redraw at most
    30 times a second."""

    progress_changed = Signal(str)
    layers_sampled = Signal(object)  # {node id: LayerStats}; {} when a run starts

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.session = TrainingSession(self)
        self.session.event_emitted.connect(self.on_event)
        self.session.ended.connect(self.on_ended)
        self.epochs = QSpinBox(minimum=1, maximum=1_000_000)
        self.batch_size = QSpinBox(minimum=1, maximum=1_000_000)
        self.lr = QDoubleSpinBox(decimals=8, minimum=1e-8, maximum=10.0, singleStep=1e-3)
        self.settings_button = QPushButton("Settings\u2026")
        self.settings_button.setToolTip("Dataset, loss, optimizer, schedule and stopping")
        self.settings_dialog = None
        self.preview_button = QPushButton("Preview data\u2026")
        self.preview_button.setToolTip(
            "Training samples as the network sees them, and class counts"
        )
        self.preview_dialog = None
        self.preview_task: BackgroundTask | None = None
        self.dataset_label = QLabel()
        self.dataset_label.setWordWrap(True)
        self.show_sections()
        editor.sections_changed.connect(self.show_sections)
        self.device = QComboBox()
        self.log_scale = QCheckBox("Log loss")
        self.log_scale.setToolTip("The loss on a logarithmic scale")
        self.start_button = QPushButton("Start")
        self.pause_button = QPushButton("Pause")
        self.stop_button = QPushButton("Stop")
        self.progress = QProgressBar()
        self.status = QLabel("Not started")
        self.status.setWordWrap(True)
        self.message = MessageBar()
        from designer.ui.training import (  # pyqtgraph: once the panel is wanted
            confusion,
            layer_plots,
            lr_search,
            plot_files,
            plots,
            sample_plots,
        )
        from designer.ui.training.explain_view import ExplainView
        from designer.ui.training.metrics_table import MetricsTable

        self.fix_range = plots.fix_range
        self.axis = plots.XAxis()

        self.loss_plot, self.metric_plot = plots.LossPlot(), plots.MetricPlot()
        self.confusion_plot = confusion.ConfusionPlot()
        self.lr_plot = plots.SeriesPlot("Learning rate", "lr", "#8e24aa")
        self.speed_plot = plots.SeriesPlot("Throughput", "samples/s", "#00897b")
        self.smoothing = QSlider(Qt.Orientation.Horizontal, minimum=0, maximum=SMOOTHING_STEPS - 1)
        self.smoothing.setValue(round(self.loss_plot.smoothing.weight * SMOOTHING_STEPS))
        self.smoothing.setTracking(False)  # a long run is smoothed again on release, not per pixel
        self.smoothing.setToolTip(
            "Smooths the step loss (an exponential moving average, as TensorBoard's); the raw "
            "values stay, faint, behind it"
        )
        self.smoothing_value = QLabel()
        self.show_smoothing(self.smoothing.value())
        self.runs = RunsWidget()
        self.metrics_table = MetricsTable(self.save_folder)
        self.current_run: str | None = None  # the id of the run going on or last started
        self.start_from = StartFromRow(editor)
        self.layer_plots = layer_plots.LayerHistograms()
        self.predictions = sample_plots.PredictionsPlot()
        self.explain_view = ExplainView(lambda: self.editor.project, self.chosen_run)
        self.predictions.image_clicked = self.explain_view.choose
        self.lr_finder = lr_search.LrFinderPlot()
        self.find_lr_button = QPushButton("Find LR")
        self.find_lr_button.setToolTip("Sweep learning rates on a copy of the network")
        self.use_lr_button = QPushButton("Use proposed")
        self.use_lr_button.setEnabled(False)
        self.x_axis = QComboBox()
        for mode, label in (("step", "Step"), ("epoch", "Epoch"), ("time", "Wall time")):
            self.x_axis.addItem(label, mode)
        self.build_layout()
        self.plot_files = plot_files.PlotFiles(self, self.save_folder)
        pictures = [
            (plot.widget, plot.name, plot.table)
            for plot in (*self.plots(), self.predictions, self.lr_finder)
        ]
        for widget, name, table in [*pictures, *self.layer_plots.pictures()]:
            self.plot_files.add(widget, name, table)
        for source in (self.plot_files, self.metrics_table):
            source.saved.connect(lambda path: self.status.setText(f"Saved {path}"))
            source.failed.connect(self.message.setText)
        self.runs.tensorboard.told.connect(self.status.setText)
        self.runs.tensorboard.failed.connect(self.message.setText)
        self.runs.run_selected.connect(self.metrics_table.show_run)
        self.runs.damaged_selected.connect(self.message.setText)
        self.latest_confusion = Latest(self.confusion_plot.widget, self.confusion_plot.show)
        self.latest_samples = Latest(self.predictions.widget, self.predictions.show)
        self.other_plots = TakingTurns(
            [
                *(
                    functools.partial(self.redraw_on_screen, plot)
                    for plot in (self.metric_plot, self.lr_plot, self.speed_plot)
                ),
                self.latest_confusion.flush,
                self.latest_samples.flush,
                self.layer_plots.catch_up,
            ],
            OTHER_PLOTS_SECONDS,
        )
        self.shown_watcher = ShownWatcher(self.draw_all_on_screen, self)
        self.shown_watcher.watch(
            *(plot.widget for plot in self.plots()),
            self.predictions.widget,
            self.layer_plots.widget,
        )
        self.start_button.clicked.connect(lambda: self.start())
        self.settings_button.clicked.connect(self.open_settings)
        self.preview_button.clicked.connect(self.open_preview)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.stop_button.clicked.connect(self.session.stop)
        self.log_scale.toggled.connect(self.set_log_scale)
        self.smoothing.sliderMoved.connect(self.show_smoothing)
        self.smoothing.valueChanged.connect(self.set_smoothing)
        self.x_axis.currentIndexChanged.connect(self.change_axis)
        self.runs.overlay_changed.connect(self.overlay_run)
        self.runs.resume_requested.connect(lambda run_id: self.start(resume=run_id))
        self.runs.start_from_requested.connect(self.start_from.choose)
        self.find_lr_button.clicked.connect(self.find_lr)
        self.use_lr_button.clicked.connect(lambda: self.take_rate(self.lr_finder.suggestion))
        self.lr_finder.rate_picked.connect(self.take_rate)
        self.lr_finder.finished.connect(self.lr_search_ended)
        torch_loader().when_ready(self.refresh_runs)
        torch_loader().when_ready(self.fill_devices)
        self.timer = QTimer(self, interval=REDRAW_MS)
        self.timer.timeout.connect(self.drain)
        self.clock_zero = 0.0
        self.run_clock = RunClock()
        self.last_time: float | None = None
        self.samples_done = 0
        self.total_steps = 0
        self.start_pending = False
        self.pending_resume: str | None = None
        self.progress_shown = -math.inf
        self.set_running(False)

    def build_layout(self) -> None:
        form = QFormLayout()
        form.addRow("Epochs", self.epochs)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Learning rate", self.lr)
        form.addRow("Device", self.device)
        data_row = QHBoxLayout()
        data_row.addWidget(self.dataset_label, 1)
        data_row.addWidget(self.preview_button)
        form.addRow(self.settings_button, data_row)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.stop_button):
            buttons.addWidget(button)
        lr_buttons = QHBoxLayout()
        lr_buttons.addWidget(self.find_lr_button)
        lr_buttons.addWidget(self.use_lr_button)
        controls = QVBoxLayout()
        controls.addLayout(form)
        controls.addWidget(self.start_from)
        controls.addLayout(buttons)
        controls.addLayout(lr_buttons)
        controls.addWidget(self.progress)
        controls.addWidget(self.status)
        controls.addStretch(1)
        form_widget = QWidget()
        form_widget.setLayout(controls)
        # A short dock scrolls the controls rather than squeezing them below their height.
        left = QScrollArea()
        left.setWidget(form_widget)
        left.setWidgetResizable(True)
        left.setFrameShape(QFrame.Shape.NoFrame)
        left.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.setMaximumWidth(340)
        left.setMinimumWidth(
            form_widget.minimumSizeHint().width() + left.verticalScrollBar().sizeHint().width()
        )
        splitter = QSplitter()
        splitter.addWidget(left)
        self.tabs = tabs = self.build_tabs()
        splitter.addWidget(tabs)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.message)  # across the panel: a long message has room
        layout.addWidget(splitter, 1)
        self.setMinimumHeight(MINIMUM_HEIGHT)

    def build_tabs(self) -> QTabWidget:
        """The plots, runs and finder in six tabs, and the view bar. The tab bar never scrolls:
        a narrow panel shortens the titles (each tooltip says it whole)."""
        tabs = QTabWidget()
        tabs.setUsesScrollButtons(False)
        tabs.setElideMode(Qt.TextElideMode.ElideRight)
        tabs.setDocumentMode(True)
        self.overview = QWidget()
        overview = QVBoxLayout(self.overview)
        overview.setContentsMargins(0, 0, 0, 0)
        plots = (self.loss_plot.widget, self.metric_plot.widget, self.confusion_plot.widget)
        overview.addWidget(side_by_side(*plots), 1)
        self.runs_page = side_by_side(self.runs, self.metrics_table)
        self.runs_page.setStretchFactor(0, 3)  # the list's names are long, the table scrolls
        self.runs_page.setStretchFactor(1, 2)
        pages = [
            (self.overview, "Overview", "The loss, the metric and the confusion matrix"),
            (
                side_by_side(self.lr_plot.widget, self.speed_plot.widget),
                "LR && throughput",
                "The learning rate and the samples per second",
            ),
            (
                side_by_side(self.predictions.widget, self.explain_view),
                "Predictions",
                "Validation samples, predicted and true, and why the network answered so",
            ),
            (self.layer_plots.widget, "Layer", "The selected layer's weights and gradients"),
            (self.runs_page, "Runs", "Every run of the project, and the selected run's epochs"),
            (self.lr_finder.widget, "LR finder", "Loss against learning rate, to choose one"),
        ]
        for page, title, tip in pages:
            tabs.setTabToolTip(tabs.addTab(page, title), tip)
        # Beside the tabs when there is room, else above the Overview's plots.
        self.view_bar_placement = ViewBarPlacement(self.view_bar(), tabs, overview)
        return tabs

    def view_bar(self) -> QWidget:
        """How the curves are drawn, beside the tabs: the x axis, a log loss, smoothing."""
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 0, 4, 0)
        row.addStretch(1)  # right-aligned, above the plots too
        row.addWidget(QLabel("x axis"))
        row.addWidget(self.x_axis)
        row.addSpacing(8)
        row.addWidget(self.log_scale)
        row.addSpacing(8)
        row.addWidget(QLabel("Smoothing"))
        self.smoothing.setMinimumWidth(80)
        row.addWidget(self.smoothing)
        row.addWidget(self.smoothing_value)
        return bar

    def chosen_run(self) -> str | None:
        """The run selected in the Runs tab (the newest unless the user chose another)."""
        run = self.runs.selected_run()
        return run.id if run is not None and not run.problem else self.current_run

    def save_folder(self) -> Path:
        """Where saved plots and tables go first: the project's folder."""
        path = self.editor.project.path
        return path.parent if path is not None else Path.home()

    def show_smoothing(self, position: int) -> None:
        self.smoothing_value.setText(f"{position / SMOOTHING_STEPS:.2f}")

    def set_smoothing(self, position: int) -> None:
        self.show_smoothing(position)
        self.loss_plot.set_smoothing(position / SMOOTHING_STEPS, self.axis)

    def show_sections(self) -> None:
        """Show the project's training section in the fields, and which dataset it uses."""
        training = self.editor.project.training
        self.epochs.setValue(setting(training, "epochs", DEFAULT.epochs))
        self.batch_size.setValue(setting(training, "batch_size", DEFAULT.batch_size))
        self.lr.setValue(learning_rate(training))
        source = self.editor.project.dataset.get("source")
        self.dataset_label.setText(f"Dataset: {source}" if source else "No dataset chosen")

    def open_settings(self) -> None:
        """The Settings dialog on the project's sections and this panel's fields; its OK is
        one undoable command."""
        from designer.ui.training.settings_dialog import SettingsDialog

        project = self.editor.project
        shown = {
            "training.epochs": self.epochs.value(),
            "training.batch_size": self.batch_size.value(),
            "training.optimizer.lr": self.lr.value(),
        }
        sections = {"dataset": project.dataset, "training": project.training}
        base = project.path.parent if project.path is not None else None
        dialog = SettingsDialog(
            sections,
            base,
            shown,
            self,
            self.frozen_layers(),
            lambda setting: setting_sweep_button(self.editor, setting),
        )
        dialog.accepted.connect(lambda: self.editor.set_sections(dialog.dataset, dialog.training))
        dialog.finished.connect(dialog.deleteLater)
        self.settings_dialog = dialog
        dialog.open()

    def frozen_layers(self) -> list[tuple[str, str]]:
        """The nodes training.freeze lists, (id, name) in the order forward runs them."""
        frozen, doc, order = self.editor.frozen, self.editor.doc, self.editor.report.order
        return [(node, doc.node(node).name) for node in order if node in frozen]

    def open_preview(self) -> None:
        """The data preview of the project's dataset section, read in the background (a
        large folder takes a while); a setting that cannot be read shows its message."""
        from designer.training.data_preview import data_preview

        if self.preview_task is not None:  # one preview at a time
            return
        project = self.editor.project
        base = project.path.parent if project.path is not None else None
        dataset = copy.deepcopy(project.dataset)  # edits go on while it is read
        task = BackgroundTask(lambda: data_preview(dataset, base), "data-preview")
        task.done.connect(self.show_preview)
        task.failed.connect(self.preview_failed)
        self.preview_task = task
        self.preview_button.setEnabled(False)
        self.message.setText("Reading the dataset for the preview\u2026")
        task.start()

    def show_preview(self, preview) -> None:
        from designer.ui.training.data_preview_dialog import DataPreviewDialog

        self.preview_task = None
        self.preview_button.setEnabled(True)
        self.message.clear()
        dialog = DataPreviewDialog(preview, self)
        dialog.finished.connect(dialog.deleteLater)
        self.preview_dialog = dialog
        dialog.open()

    def preview_failed(self, message: str) -> None:
        self.preview_task = None
        self.preview_button.setEnabled(True)
        self.show_message(message)

    def show_message(self, message: str) -> None:
        """A message from the trainer or the data readers, naming each setting as Settings\u2026
        labels it."""
        from designer.training.setting_words import in_user_words  # the settings bring torch

        project = self.editor.project
        sections = {"dataset": project.dataset, "training": project.training}
        self.message.setText(in_user_words(message, sections))

    def fill_devices(self) -> None:
        """Ask torch which devices there are, once: as soon as torch is loaded (Start and Find LR
        ask too, in case they come first)."""
        if self.device.count():
            return
        for setting, label in device_choices():
            self.device.addItem(label, setting)
        wanted = self.editor.project.training.get("device", "auto")
        self.device.setCurrentIndex(max(0, self.device.findData(wanted)))

    def training_settings(self) -> dict:
        settings = copy.deepcopy(self.editor.project.training)
        settings["epochs"] = self.epochs.value()
        settings["batch_size"] = self.batch_size.value()
        optimizer = settings.get("optimizer")
        if not isinstance(optimizer, dict):
            optimizer = {"name": optimizer} if isinstance(optimizer, str) else {}
        settings["optimizer"] = {**optimizer, "lr": self.lr.value()}
        settings["device"] = self.device.currentData() or "auto"
        return settings

    def find_lr(self) -> None:
        """Sweep learning rates in the background; the curve and proposal land in their tab."""
        self.fill_devices()
        self.message.clear()
        self.find_lr_button.setEnabled(False)
        self.start_button.setEnabled(False)
        self.status.setText("Sweeping learning rates\u2026")
        self.tabs.setCurrentWidget(self.lr_finder.widget)
        snapshot = json.dumps(project_to_dict(self.editor.project))
        self.lr_finder.start(snapshot, self.training_settings())
        self.lr_finder.worker.failed.connect(self.show_message)

    def lr_search_ended(self) -> None:
        self.find_lr_button.setEnabled(True)
        self.start_button.setEnabled(not self.session.running)
        proposal = self.lr_finder.suggestion
        self.use_lr_button.setEnabled(proposal is not None)
        self.status.setText(
            f"Proposed learning rate {proposal:.2e}: use it, or click the curve to take another"
            if proposal is not None
            else "No rate made the loss fall"
        )

    def take_rate(self, rate: float | None) -> None:
        if rate is not None and not self.session.running:
            self.lr.setValue(rate)

    def refresh_runs(self) -> None:
        running = self.current_run if self.session.running else None
        self.runs.refresh(self.editor.project.path, self.current_run, running)

    def overlay_run(self, run_id: str, name: str, records: list | None) -> None:
        epochs = [record for record in records or [] if "val_loss" in record]
        self.loss_plot.overlay(
            run_id,
            name,
            [record["step"] for record in epochs],
            [record["val_loss"] for record in epochs],
            self.axis,
        )

    def start(self, resume: str | None = None) -> None:
        """Start a new run, or continue run `resume` of this project from its checkpoint."""
        if resume is None and not self.editor.project.dataset.get("source"):
            self.message.setText(NO_DATASET)
            return
        if not torch_loader().is_ready:
            self.start_when_loaded(resume)
            return
        self.fill_devices()
        snapshot = json.dumps(project_to_dict(self.editor.project))
        for plot in self.plots():
            plot.clear()
        self.latest_confusion.clear()
        self.latest_samples.clear()
        self.axis.clock = type(self.axis.clock)()
        self.message.clear()
        self.progress.setValue(0)
        self.status.setText("Preparing data\u2026")
        self.clock_zero = time.monotonic()  # the wall-time axis counts from Start
        self.samples_done, self.total_steps = 0, 0
        self.progress_shown = -math.inf
        self.run_clock = RunClock(self.clock_zero)  # started again once the data is ready
        self.last_time = None
        self.session.start(
            snapshot, self.editor.project.path, self.training_settings(), resume=resume
        )
        self.editor.lock(LOCK_MESSAGE)
        self.set_running(True)
        self.timer.start()

    def start_when_loaded(self, resume: str | None) -> None:
        """Start once the background import of torch and the trainer is done: importing them
        here as well would hold the window until that import ends (seconds)."""
        if self.start_pending:
            return
        self.start_pending, self.pending_resume = True, resume
        self.start_button.setEnabled(False)
        self.status.setText("Loading PyTorch\u2026")
        torch_loader().when_ready(self.start_loaded)

    def start_loaded(self) -> None:
        self.start_pending = False
        self.start(self.pending_resume)

    def toggle_pause(self) -> None:
        if self.session.paused:
            self.session.resume()
            self.run_clock.resume(time.monotonic())
            self.pause_button.setText("Pause")
        else:
            self.session.pause()
            self.run_clock.pause(time.monotonic())
            self.pause_button.setText("Resume")
            self.status.setText(self.status.text() + " (paused)")

    def set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.stop_button.setEnabled(running)
        for field in (self.epochs, self.batch_size, self.lr, self.device, self.settings_button):
            field.setEnabled(not running)
        if not running:
            self.pause_button.setText("Pause")

    def drain(self) -> None:
        """Move the steps that arrived since the last frame into the plots (GUI timer)."""
        points = []
        while self.session.steps:
            points.append(self.session.steps.popleft())
        if points:
            steps = [p.step for p in points]
            self.axis.record_times(steps, [p.time - self.clock_zero for p in points])
            self.loss_plot.add_steps(steps, [p.loss for p in points])
            self.lr_plot.add(steps, [p.lr for p in points])
            self.plot_throughput(points)
            self.samples_done += sum(p.samples for p in points)
            if time.monotonic() - self.progress_shown >= PROGRESS_SECONDS:
                self.show_progress(points[-1].step, points[-1].epoch)
        self.draw_on_screen()

    def draw_on_screen(self) -> None:
        """A frame: the loss curve and at most one other plot that changed. Plots not on
        screen keep what changed until they are shown."""
        self.redraw_on_screen(self.loss_plot)
        self.other_plots.draw_one()

    def draw_all_on_screen(self) -> None:
        self.redraw_on_screen(self.loss_plot)
        self.other_plots.draw_all()

    def redraw_on_screen(self, plot) -> bool:
        return plot.widget.isVisible() and plot.redraw(self.axis)

    def plot_throughput(self, points: list) -> None:
        """Samples per second over the steps just drained, timed by the trainer's own clock
        (a pause between them left out)."""
        counted, since = points, self.last_time
        if since is None or since >= points[0].time:
            counted, since = points[1:], points[0].time
        span = self.run_clock.trained(points[-1].time) - self.run_clock.trained(since)
        if counted and span > 0:
            rate = sum(point.samples for point in counted) / span
            self.speed_plot.add([points[-1].step], [rate])
        self.last_time = points[-1].time

    def curve_plots(self) -> list:
        return [self.loss_plot, self.metric_plot, self.lr_plot, self.speed_plot]

    def plots(self) -> list:
        return [*self.curve_plots(), self.confusion_plot]

    def change_axis(self, _index: int) -> None:
        """Show every curve against steps, epochs or seconds; the data stays by step."""
        self.axis.mode = self.x_axis.currentData()
        for plot in self.curve_plots():
            self.fix_range(plot.widget, self.axis, self.total_steps)
            plot.redraw(self.axis, force=True)

    def set_log_scale(self, on: bool) -> None:
        self.loss_plot.set_log(on)
        self.fix_range(self.loss_plot.widget, self.axis, self.total_steps)

    def show_progress(self, step: int, epoch: int) -> None:
        self.progress_shown = time.monotonic()
        elapsed = max(self.run_clock.trained(time.monotonic()), 1e-9)
        rate = self.samples_done / elapsed
        done = self.done(step)
        remaining = elapsed * (1 - done) / done if done else 0.0
        percent = round(100 * done)
        if percent != self.progress.value():
            self.progress.setValue(percent)
        text = (
            f"Epoch {epoch}/{self.epochs.value()} \u00b7 step {step} \u00b7 "
            f"{rate:,.0f} samples/s \u00b7 ETA {remaining:.0f} s"
        )
        self.status.setText(text)
        self.progress_changed.emit(text)

    def done(self, step: int) -> float:
        """The share of the run's steps done at `step`."""
        return step / self.total_steps if self.total_steps else 0.0

    def on_event(self, event) -> None:
        from designer.training import EpochDone, LayersSampled, RunFailed, RunFinished, RunStarted
        from designer.training.events import BaselineFitted, WeightsFetching

        if isinstance(event, WeightsFetching):
            self.show_fetching(event.done, event.total)
        elif isinstance(event, BaselineFitted):
            self.metric_plot.show_baseline(event.model, event.val)
        elif isinstance(event, LayersSampled):
            self.layer_plots.add(event.step, event.layers)
            self.layers_sampled.emit(event.layers)
        elif isinstance(event, RunStarted):
            self.current_run = event.run_id or None
            self.refresh_runs()  # the new run is listed, and its epochs come in below
            self.layer_plots.clear()
            self.layers_sampled.emit({})
            self.total_steps = event.epochs * event.steps_per_epoch
            self.run_clock.start = time.monotonic()
            self.axis.steps_per_epoch = max(1, event.steps_per_epoch)
            self.change_axis(0)
            self.status.setText(f"Training on {event.device}\u2026")
            self.confusion_plot.set_classes(event.class_names)
            self.predictions.clear()
            self.predictions.set_classes(event.class_names)
        elif isinstance(event, EpochDone):  # values only: the next frame draws them
            if "loss" in event.val:
                self.loss_plot.add_epoch(event.step, event.val["loss"])
            self.metric_plot.add_epoch(event.step, event.train, event.val)
            if event.confusion is not None:
                self.latest_confusion.put(event.confusion)
            if event.samples is not None:
                self.latest_samples.put(event.samples)
            self.show_new_epoch()
            if event.skipped:
                self.message.setText(
                    f"{event.skipped_total:,} unreadable image(s) left out of training so "
                    f"far; the latest: {event.skipped[-1]}"
                )
        elif isinstance(event, RunFinished | RunFailed):
            self.drain()  # the last steps' progress, before the end is told
            self.show_end(event)

    def show_new_epoch(self) -> None:
        """The epochs table, if on screen and showing this run, reads its new row."""
        run = self.runs.selected_run()
        if self.metrics_table.isVisible() and run is not None and run.id == self.current_run:
            self.metrics_table.show_run(run)

    def show_fetching(self, done: int, total: int) -> None:
        """The start weights' download, before the run starts."""
        size = f" of {total / 1e6:.1f}" if total else ""
        self.status.setText(f"Downloading the start weights: {done / 1e6:.1f}{size} MB")
        self.progress.setValue(done * 100 // total if total else 0)

    def show_end(self, event) -> None:
        """The run's end; a stopped run's bar stays at the step it stopped at (a resume goes
        on from there), a run that ended on its own shows full."""
        from designer.training import RunFinished
        from designer.training.events import EndReason

        if isinstance(event, RunFinished):
            scores = ", ".join(f"{key} {value:.4g}" for key, value in event.val.items())
            stopped = event.reason == EndReason.STOPPED
            self.progress.setValue(round(100 * self.done(event.step)) if stopped else 100)
            self.status.setText(f"Finished ({event.reason}) \u00b7 validation: {scores}")
            self.progress_changed.emit(f"Training finished ({event.reason})")
        else:
            self.show_message(event.message)
            self.status.setText("Failed")
            self.progress_changed.emit(FAILED)  # the panel has room for the why

    def on_ended(self) -> None:
        self.timer.stop()
        self.drain()
        self.draw_all_on_screen()
        self.editor.unlock()
        self.set_running(False)
        self.refresh_runs()

    def showEvent(self, event) -> None:
        """The user opened the panel: start the training process now, so that Start need not
        wait for it to import torch."""
        super().showEvent(event)
        torch_loader().when_ready(self.session.prepare)

    def shut_down(self) -> None:
        """Stop a run, let the training process go (the window is closing)."""
        self.session.close()
        self.lr_finder.wait()
        self.runs.tensorboard.stop()


def side_by_side(*widgets: QWidget) -> QSplitter:
    """`widgets` in a row, sharing its width equally until the user drags a divider."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setChildrenCollapsible(False)
    for widget in widgets:
        splitter.addWidget(widget)
        splitter.setStretchFactor(splitter.count() - 1, 1)
    return splitter
