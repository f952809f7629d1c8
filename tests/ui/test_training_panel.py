"""The Train panel: a real short run in the background, live plots, pause/stop, locks, errors."""

from __future__ import annotations

import os
import signal
import threading

import pytest
from PySide6.QtCore import QPointF, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.training import prepare_run
from designer.training.baseline import fit_baseline
from designer.training.events import EpochDone, RunFinished, RunStarted
from designer.ui.training.panel import LOCK_MESSAGE
from tests.ui.gestures import drag

RUN_TIMEOUT = 120_000


def open_copy(window, example, tmp_path, name="mlp_iris"):
    """Open an example saved to tmp_path, so that its runs folder lands there, and bring the
    Training dock to the front (Problems shares its place), as a person clicks its tab."""
    window.open_file(example(name))
    copy = tmp_path / f"{name}.json"
    window.write(copy)
    window.open_file(copy)
    panel = window.train_panel
    window.training_dock.raise_()
    QApplication.processEvents()  # laid out at the dock's size, not its minimum
    return panel


def open_tab(panel, page) -> None:
    """Click the tab that holds `page` (a tab's page, or a plot on one) in the panel's tabs."""
    tabs = panel.tabs
    pages = [tabs.widget(index) for index in range(tabs.count())]
    index = next(i for i, tab in enumerate(pages) if tab is page or tab.isAncestorOf(page))
    bar = tabs.tabBar()
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert tabs.currentIndex() == index and page.isVisible()


def record(panel):
    events = []
    panel.session.event_emitted.connect(events.append)
    return events


def test_a_short_run_fills_the_plots_with_what_the_trainer_sent(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    events = record(panel)
    panel.epochs.setValue(3)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    started = next(event for event in events if isinstance(event, RunStarted))
    epochs = [event for event in events if isinstance(event, EpochDone)]
    finished = next(event for event in events if isinstance(event, RunFinished))
    assert finished.reason == "completed" and len(epochs) == 3
    steps, losses = panel.loss_plot.train.view()
    assert len(steps) == 3 * started.steps_per_epoch
    assert list(steps) == sorted(steps)
    assert all(0 < loss < 10 for loss in losses)
    assert list(panel.loss_plot.val.view()[1]) == [event.val["loss"] for event in epochs]
    assert list(panel.metric_plot.series["val"].view()[1]) == [
        event.val["accuracy"] for event in epochs
    ]
    assert panel.status.text().startswith("Finished (completed)")
    assert panel.confusion_plot.matrix.tolist() == epochs[-1].confusion
    assert started.class_names == ("setosa", "versicolor", "virginica")
    assert panel.progress.value() == 100
    assert (tmp_path / "runs").is_dir()
    assert panel.start_button.isEnabled() and not panel.stop_button.isEnabled()
    baseline = fit_baseline(prepare_run(window.editor.project).data, 0)
    assert panel.metric_plot.baseline.value() == baseline.val["accuracy"]
    legend = panel.metric_plot.widget.getPlotItem().legend
    named = {label.text: sample.item for sample, label in legend.items}
    assert named[f"gradient boosting {baseline.val['accuracy']:.3f}"] is panel.metric_plot.baseline


def test_edits_are_locked_while_training_and_free_after(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    panel.epochs.setValue(200)
    messages = []
    window.editor.edit_failed.connect(messages.append)
    node = window.editor.doc.find("hidden1")
    window.editor.edit("Rename", lambda doc: doc.rename(node.id, "encoder"))
    with qtbot.waitSignal(panel.session.event_emitted, timeout=RUN_TIMEOUT):
        panel.start()
    window.editor.set_param(node.id, "units", 3)
    window.scene.select_nodes([node.id])
    window.delete_selection()
    window.undo_action.trigger()
    assert messages == [LOCK_MESSAGE] * 3
    assert node.params["units"] == 16 and node.id in window.editor.doc
    assert node.name == "encoder"
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    window.editor.set_param(node.id, "units", 3)
    assert node.params["units"] == 3


def test_pause_holds_the_run_and_stop_ends_it(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    events = record(panel)
    panel.epochs.setValue(500)
    panel.start()
    qtbot.waitUntil(lambda: any(isinstance(e, EpochDone) for e in events), timeout=RUN_TIMEOUT)
    QTest.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.pause_button.text() == "Resume"
    qtbot.wait(300)
    panel.drain()
    held = panel.loss_plot.train.size
    qtbot.wait(400)
    panel.drain()
    assert panel.loss_plot.train.size == held
    QTest.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (panel.drain(), panel.loss_plot.train.size > held)[1], timeout=10_000)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    finished = [event for event in events if isinstance(event, RunFinished)]
    assert [event.reason for event in finished] == ["stopped"]


def test_an_error_in_the_run_is_shown_and_the_app_goes_on(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    (tmp_path / "runs").write_text("a file where the runs folder goes")
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        panel.start()
    assert panel.message.text() == (
        f"The run's folder: cannot write {tmp_path / 'runs' / 'mlp_iris'} (Not a directory)"
    )
    assert panel.status.text() == "Failed"
    node = window.editor.doc.find("hidden1")
    window.editor.set_param(node.id, "units", 7)
    assert node.params["units"] == 7


def test_a_crashed_training_process_is_reported_and_the_app_goes_on(
    window, example, tmp_path, qtbot
):
    panel = open_copy(window, example, tmp_path)
    events = record(panel)
    panel.epochs.setValue(1000)
    panel.start()
    qtbot.waitUntil(lambda: any(isinstance(e, EpochDone) for e in events), timeout=RUN_TIMEOUT)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        os.kill(panel.session.process.process.pid, signal.SIGKILL)
    assert panel.message.text().startswith(
        "The training process ended unexpectedly (killed, perhaps by the system for lack of"
    )
    assert panel.status.text() == "Failed" and panel.start_button.isEnabled()
    node = window.editor.doc.find("hidden1")
    window.editor.set_param(node.id, "units", 7)
    assert node.params["units"] == 7
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        panel.epochs.setValue(1)
        panel.start()
    assert panel.status.text().startswith("Finished (completed)")


def test_bad_data_gives_the_data_message(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    window.editor.project.dataset = {"source": "csv", "path": "missing.csv", "target": "y"}
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        panel.start()
    assert "missing.csv" in panel.message.text()


def test_odd_training_settings_fall_back_in_the_form(window, example, tmp_path):
    window.open_file(example("mlp_iris"))
    window.editor.project.training = {"optimizer": "sgd", "epochs": "ten", "batch_size": -4}
    window.set_project(window.editor.project)
    panel = window.train_panel
    assert (panel.epochs.value(), panel.batch_size.value(), panel.lr.value()) == (10, 32, 1e-3)
    assert panel.training_settings()["optimizer"] == {"name": "sgd", "lr": 1e-3}


def test_the_x_axis_shows_steps_epochs_or_seconds(window, example, tmp_path, qtbot):
    panel = open_copy(window, example, tmp_path)
    events = record(panel)
    panel.epochs.setValue(2)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        panel.start()
    started = next(event for event in events if isinstance(event, RunStarted))
    steps, _ = panel.loss_plot.train_curve.getData()
    assert steps[-1] == 2 * started.steps_per_epoch
    panel.x_axis.setCurrentIndex(panel.x_axis.findData("epoch"))
    epochs, _ = panel.loss_plot.train_curve.getData()
    assert epochs[-1] == 2.0
    panel.x_axis.setCurrentIndex(panel.x_axis.findData("time"))
    seconds, _ = panel.loss_plot.train_curve.getData()
    assert 0 <= seconds[0] <= seconds[-1] < 60
    lrs = panel.lr_plot.series.view()[1]
    assert len(lrs) == len(steps) and lrs[0] > 0
    assert panel.speed_plot.series.size >= 1


def test_closing_the_window_during_a_run_asks_then_stops_it(qtbot, example, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from designer.ui.main_window import MainWindow

    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    panel = open_copy(main, example, tmp_path)
    panel.epochs.setValue(1000)
    with qtbot.waitSignal(panel.session.event_emitted, timeout=RUN_TIMEOUT):
        panel.start()
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[1])
        return (
            QMessageBox.StandardButton.Cancel if len(asked) == 1 else QMessageBox.StandardButton.Yes
        )

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert not main.close()
    assert panel.session.running
    assert main.close()
    assert asked == ["Training is running", "Training is running"]
    assert not panel.session.running or panel.session.thread.wait(1000)


def test_runs_are_listed_overlaid_resumed_and_deleted(
    window, example, tmp_path, qtbot, monkeypatch
):
    from PySide6.QtCore import Qt as QtCore
    from PySide6.QtWidgets import QLineEdit, QMessageBox

    panel = open_copy(window, example, tmp_path)
    events = record(panel)
    panel.epochs.setValue(2)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        panel.start()
    tree = panel.runs.tree
    assert tree.topLevelItemCount() == 1
    item = tree.topLevelItem(0)
    assert item.text(1) == "2" and item.text(3) == "completed"
    item.setCheckState(0, QtCore.CheckState.Checked)
    (overlay,) = panel.loss_plot.overlays.values()
    first_epochs = [event for event in events if isinstance(event, EpochDone)]
    assert list(overlay.getData()[1]) == [event.val["loss"] for event in first_epochs]
    item.setCheckState(0, QtCore.CheckState.Unchecked)
    assert panel.loss_plot.overlays == {}

    tree.setCurrentItem(item)
    panel.epochs.setValue(4)
    events.clear()
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        panel.runs.resume_button.click()
    resumed = [event.epoch for event in events if isinstance(event, EpochDone)]
    last = first_epochs[-1].epoch
    assert resumed == [last + 1, last + 2]
    assert panel.runs.tree.topLevelItem(0).text(1) == "4"

    tree.setCurrentItem(tree.topLevelItem(0))
    run_id = tree.topLevelItem(0).data(0, QtCore.ItemDataRole.UserRole).id
    panel.runs.rename_button.click()
    editor = tree.viewport().findChild(QLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, "  adam  lr 0.01 ")
    QTest.keyClick(editor, QtCore.Key.Key_Return)  # the view takes the text in a queued call
    qtbot.waitUntil(lambda: tree.topLevelItem(0).text(0) == "adam lr 0.01")
    panel.refresh_runs()
    assert panel.runs.tree.topLevelItem(0).text(0) == "adam lr 0.01"
    assert (tmp_path / "runs" / "mlp_iris" / run_id / "title.txt").is_file()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    panel.runs.tree.setCurrentItem(panel.runs.tree.topLevelItem(0))
    panel.runs.delete_button.click()
    assert panel.runs.tree.topLevelItemCount() == 0
    assert not any((tmp_path / "runs").rglob("metrics.jsonl"))


def test_the_learning_rate_finder_plots_its_sweep_and_a_click_takes_a_rate(
    window, example, tmp_path, qtbot
):
    panel = open_copy(window, example, tmp_path)
    with qtbot.waitSignal(panel.lr_finder.finished, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.find_lr_button, Qt.MouseButton.LeftButton)
    rates, losses = panel.lr_finder.sweep.rates, panel.lr_finder.sweep.losses
    assert len(rates) > 10 and len(rates) == len(losses)
    assert len(panel.lr_finder.curve.getData()[0]) == len(rates)
    proposal = panel.lr_finder.suggestion
    assert proposal is not None and rates[0] <= proposal <= rates[-1]
    assert panel.status.text().startswith(f"Proposed learning rate {proposal:.2e}")
    QTest.mouseClick(panel.use_lr_button, Qt.MouseButton.LeftButton)
    assert panel.lr.value() == pytest.approx(proposal, rel=1e-3)
    panel.tabs.setCurrentWidget(panel.lr_finder.widget)
    view = panel.lr_finder.widget
    qtbot.waitExposed(view)
    picked = []
    panel.lr_finder.rate_picked.connect(picked.append)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.viewport().rect().center()
    )
    assert len(picked) == 1 and rates[0] / 10 < picked[0] < rates[-1] * 10
    assert panel.lr.value() == pytest.approx(picked[0], rel=1e-3, abs=1e-8)


def test_a_huge_learning_rate_flags_dead_relus_on_the_canvas(
    window, example, tmp_path, qtbot, monkeypatch
):
    monkeypatch.setattr("designer.ui.training.session.LAYER_STATS_SECONDS", 1e-9)
    panel = open_copy(window, example, tmp_path)
    window.editor.project.training["optimizer"] = {"name": "sgd"}
    panel.lr.setValue(5.0)
    panel.epochs.setValue(3)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    relu = window.scene.node_items[window.editor.doc.find("relu2").id]
    assert [flag.kind for flag in relu.flags] == ["dead"]
    assert "dead ReLU units" in relu.toolTip() and "learning rate" in relu.toolTip()
    hidden = window.scene.node_items[window.editor.doc.find("hidden1").id]
    assert hidden.live is not None and hidden.live.grad_norm is not None
    window.scene.select_nodes([hidden.node_id])
    assert panel.layer_plots.weights.listDataItems() == []  # its tab is closed: drawn when opened
    open_tab(panel, panel.layer_plots.widget)
    assert "hidden1 at step" in panel.layer_plots.title.text()
    assert len(panel.layer_plots.weights.listDataItems()) == 8  # the last samples, oldest faint
    assert len(panel.layer_plots.grads.listDataItems()) == 8


def test_a_sane_run_flags_no_layer_and_an_edit_but_not_a_move_clears_the_live_values(
    window, example, tmp_path, qtbot, monkeypatch
):
    monkeypatch.setattr("designer.ui.training.session.LAYER_STATS_SECONDS", 1e-9)
    panel = open_copy(window, example, tmp_path)
    panel.lr.setValue(0.01)
    panel.epochs.setValue(2)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    items = window.scene.node_items.values()
    assert not any(item.flags for item in items)
    relu = window.scene.node_items[window.editor.doc.find("relu1").id]
    assert relu.live is not None and relu.live.dead_fraction is not None
    live = {item.node_id: item.live for item in items}
    start = relu.sceneBoundingRect().center()
    drag(window.view, start, start + QPointF(40, 60))
    assert window.editor.doc.node(relu.node_id).position == (relu.pos().x(), relu.pos().y())
    assert window.editor.undo_stack.undoText() == "Move 1 layer(s)"
    assert {item.node_id: item.live for item in items} == live  # the network is the one that ran
    window.undo_action.trigger()
    assert {item.node_id: item.live for item in items} == live
    window.editor.set_param(window.editor.doc.find("hidden1").id, "units", 12)
    assert all(item.live is None for item in items)


def test_predictions_show_an_image_grid_or_a_scatter(window, example, tmp_path):
    import numpy as np

    from designer.training.val_samples import ValSamples

    panel = open_copy(window, example, tmp_path)
    plot = panel.predictions
    plot.set_classes(("zero", "one"))
    images = np.random.default_rng(0).random((5, 8, 8)).astype(np.float32)
    plot.show(ValSamples("images", [0, 1, 1, 0, 1], [0, 1, 0, 0, 1], images))
    assert [label.toPlainText() for label in plot.labels][:3] == [
        "zero (zero)",
        "one (one)",
        "one (zero)",
    ]
    assert plot.labels[2].color.name() == "#c62828" and plot.labels[0].color.name() == "#2e7d32"
    assert plot.image.image.shape[:2] == (2 * (8 + 2 + 4), 3 * (8 + 2))
    plot.show(ValSamples("regression", [1.0, 2.5, 3.0], [1.5, 2.0, 3.0]))
    assert plot.labels == [] and plot.image.scene() is None
    xs, ys = plot.scatter.getData()
    assert list(xs) == [1.5, 2.0, 3.0] and list(ys) == [1.0, 2.5, 3.0]
    assert list(plot.diagonal.getData()[0]) == [1.0, 3.0]


def test_preview_data_shows_augmented_training_samples_and_class_counts(window, tmp_path, qtbot):
    from designer.project.examples import copy_example

    window.open_file(copy_example("cnn_image_folder", tmp_path))
    panel = window.train_panel
    QTest.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.preview_dialog is not None, timeout=30_000)
    dialog = panel.preview_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert len(dialog.samples) == 24 and all(not cell.pixmap().isNull() for cell in dialog.samples)
    assert dialog.samples[0].pixmap().height() == 72  # 32x32 images, enlarged to be seen
    counts = dialog.counts
    assert counts.rowCount() == 4 and counts.verticalHeaderItem(0).text() == "circle"
    assert [counts.item(0, column).text() for column in range(3)] == ["180", "60", "60"]
    dialog.grab().save(str(tmp_path / "preview.png"))
    dialog.reject()
    panel.editor.project.dataset = {"source": "iris", "augment": {"flip": True}}
    QTest.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "augmentation and normalisation apply" in panel.message.text())
    assert panel.preview_button.isEnabled()


def test_the_data_is_read_for_the_preview_while_the_window_goes_on(
    window, example, qtbot, monkeypatch
):
    from designer.training import data_preview

    window.open_file(example("mlp_iris"))
    panel, release = window.train_panel, threading.Event()
    real = data_preview.data_preview

    def slow_preview(dataset, base):
        release.wait(10)  # a large folder being read
        return real(dataset, base)

    monkeypatch.setattr(data_preview, "data_preview", slow_preview)
    QTest.mouseClick(panel.preview_button, Qt.MouseButton.LeftButton)
    assert not panel.preview_button.isEnabled() and "Reading" in panel.message.text()
    ticks = []
    QTimer.singleShot(10, lambda: ticks.append(1))  # the event loop turns meanwhile
    qtbot.waitUntil(lambda: ticks == [1], timeout=2000)
    release.set()
    qtbot.waitUntil(lambda: panel.preview_dialog is not None, timeout=30_000)
    assert panel.preview_button.isEnabled() and panel.message.text() == ""
    panel.preview_dialog.reject()


def test_a_preview_still_reading_when_its_project_closes_ends_quietly(
    window, example, qtbot, monkeypatch
):
    from designer.training import data_preview
    from designer.ui.background_task import RUNNING

    window.open_file(example("mlp_iris"))
    release = threading.Event()
    real = data_preview.data_preview

    def slow_preview(dataset, base):
        release.wait(10)
        return real(dataset, base)

    monkeypatch.setattr(data_preview, "data_preview", slow_preview)
    QTest.mouseClick(window.train_panel.preview_button, Qt.MouseButton.LeftButton)
    assert len(RUNNING) == 1
    window.open_file(example("lenet5_digits"))  # the first panel goes
    release.set()
    qtbot.waitUntil(lambda: not RUNNING, timeout=30_000)
    qtbot.wait(50)  # the ended task's deletion
    assert window.train_panel.preview_dialog is None
