"""The Train panel's Settings dialog: a form over the dataset and training sections whose OK is
one undoable command, checked by the parsers, and a run that uses what it set."""

from __future__ import annotations

import copy
import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.training.events import RunFinished, RunStarted
from designer.ui.training.panel import NO_DATASET
from tests.ui.test_training_panel import RUN_TIMEOUT, open_copy, record

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


def open_settings(panel):
    QTest.mouseClick(panel.settings_button, LEFT)
    dialog = panel.settings_dialog
    assert dialog.isVisible()
    return dialog


def choose(dialog, place: str, text: str) -> None:
    """Pick a choice by typing its name into the focused combo box, as a user would."""
    box = dialog.field(place).widget
    box.setFocus()
    QTest.keyClicks(box, text)
    assert box.currentData() == text


def type_number(dialog, place: str, text: str) -> None:
    line = dialog.field(place).widget.lineEdit()
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, text)


def sections(project):
    return copy.deepcopy((project.dataset, project.training))


def test_ok_sets_both_sections_as_one_undoable_step_and_a_run_uses_them(
    window, example, tmp_path, qtbot
):
    panel = open_copy(window, example, tmp_path)
    project = window.editor.project
    old = sections(project)
    dialog = open_settings(panel)
    assert not dialog.field("dataset.image_size").widget.isVisible()
    choose(dialog, "dataset.source", "wine")
    choose(dialog, "training.optimizer.name", "sgd")
    assert dialog.field("training.optimizer.momentum").widget.isVisible()
    type_number(dialog, "training.optimizer.momentum", "0.8")
    choose(dialog, "training.schedule.name", "cosine")
    type_number(dialog, "training.epochs", "1")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    new_dataset = {
        "source": "wine",
        "standardize": True,
        "split": {"val": 0.2, "test": 0.2, "seed": 3},
    }
    new_training = {
        **old[1],
        "epochs": 1,
        "optimizer": {"name": "sgd", "lr": 0.01, "momentum": 0.8},
        "schedule": {"name": "cosine"},
    }
    assert sections(project) == (new_dataset, new_training)
    assert (panel.epochs.value(), panel.dataset_label.text()) == (1, "Dataset: wine")
    assert window.isWindowModified()
    assert window.editor.undo_stack.count() == 1

    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert sections(project) == old
    assert (panel.epochs.value(), panel.dataset_label.text()) == (100, "Dataset: iris")
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert sections(project) == (new_dataset, new_training)

    window.save()
    saved = json.loads(project.path.read_text())
    assert (saved["dataset"], saved["training"]) == (new_dataset, new_training)

    window.editor.set_param(window.editor.doc.find("features").id, "shape", [13])
    events = record(panel)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, LEFT)
    started = next(event for event in events if isinstance(event, RunStarted))
    finished = next(event for event in events if isinstance(event, RunFinished))
    assert started.class_names == ("class_0", "class_1", "class_2")
    assert (started.epochs, finished.reason) == (1, "completed")
    run = json.loads(next((tmp_path / "runs").glob("*/*/config.json")).read_text())
    assert run["resolved"]["optimizer"]["momentum"] == 0.8
    assert run["resolved"]["schedule"]["name"] == "cosine"


def test_values_the_parsers_refuse_show_their_message_and_change_nothing(window, example, tmp_path):
    panel = open_copy(window, example, tmp_path)
    project = window.editor.project
    old = sections(project)
    dialog = open_settings(panel)
    type_number(dialog, "dataset.split.val", "0.6")
    type_number(dialog, "dataset.split.test", "0.5")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert dialog.error.text() == (
        "dataset.split: val + test is 1.1; leave some samples for training"
    )
    type_number(dialog, "dataset.split.test", "0.2")
    choose(dialog, "training.optimizer.name", "sgd")
    type_number(dialog, "training.optimizer.momentum", "0")
    nesterov = dialog.field("training.optimizer.nesterov").widget
    nesterov.setFocus()
    QTest.keyClick(nesterov, Qt.Key.Key_Space)
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert dialog.error.text() == (
        "training.optimizer.nesterov: needs the sgd optimizer with momentum above 0"
    )
    assert dialog.isVisible()
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert sections(project) == old
    assert window.editor.undo_stack.count() == 0 and not window.isWindowModified()


def test_a_new_project_is_sent_to_settings_and_one_choice_gives_it_a_dataset(window, qtbot):
    window.new_project()
    panel = window.train_panel
    QTest.mouseClick(panel.start_button, LEFT)
    assert panel.message.text() == NO_DATASET
    assert not panel.session.running
    dialog = open_settings(panel)
    assert dialog.focusWidget() is dialog.field("dataset.source").widget
    choose(dialog, "dataset.source", "digits")
    assert dialog.field("dataset.image_size").widget.isVisible()
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert window.editor.project.dataset == {"source": "digits"}
    assert window.editor.project.training == {}


def test_a_file_source_takes_a_path_and_untouched_numbers_stay_exact(window, example, tmp_path):
    panel = open_copy(window, example, tmp_path)
    project = window.editor.project
    project.training["optimizer"]["weight_decay"] = 1e-9  # finer than the field shows
    dialog = open_settings(panel)
    choose(dialog, "dataset.source", "csv")
    assert dialog.field("dataset.path").widget.isVisible()
    assert not dialog.field("dataset.image_size").widget.isVisible()
    path = dialog.field("dataset.path").line
    path.setFocus()
    QTest.keyClicks(path, "table.csv")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert dialog.error.text() == f"dataset.path: file not found: {tmp_path / 'table.csv'}"
    (tmp_path / "table.csv").write_text("a,b,label\n1,2,x\n3,4,y\n")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    assert project.dataset == {
        "source": "csv",
        "standardize": True,
        "split": {"val": 0.2, "test": 0.2, "seed": 3},
        "path": "table.csv",
    }
    assert project.training["optimizer"]["weight_decay"] == 1e-9


def test_frozen_layers_get_a_backbone_rate_and_an_unfreezing_step(window, example, tmp_path):
    panel = open_copy(window, example, tmp_path)
    project = window.editor.project
    dialog = open_settings(panel)
    assert dialog.frozen is None  # nothing frozen: no such fields
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    dataset, training = sections(project)
    window.editor.set_sections(dataset, {**training, "freeze": ["n4", "n2"]})
    dialog = open_settings(panel)
    fields = dialog.frozen
    assert fields.rate.widget.isVisible() and not fields.epoch.widget.isVisible()
    layers = [fields.layer.itemText(index) for index in range(fields.layer.count())]
    assert layers == ["never", "hidden1", "hidden2"]  # in the order forward runs them
    fields.layer.setFocus()
    QTest.keyClicks(fields.layer, "hidden2")
    assert fields.epoch.widget.isVisible()
    for box, text in ((fields.rate.widget, "0.1"), (fields.epoch.widget, "3")):
        box.lineEdit().selectAll()
        QTest.keyClicks(box.lineEdit(), text)
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert not dialog.isVisible()
    assert project.training["unfreeze"] == {"from": "n4", "epoch": 3}
    assert project.training["backbone_lr_factor"] == 0.1

    dialog = open_settings(panel)
    assert dialog.frozen.layer.currentText() == "hidden2"
    assert dialog.frozen.epoch.value() == 3
    dialog.frozen.layer.setCurrentIndex(0)  # never
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert "unfreeze" not in project.training
    assert project.training["backbone_lr_factor"] == 0.1

    several = [{"from": "n4", "epoch": 2}, {"from": "n2", "epoch": 4}]
    window.editor.set_sections(project.dataset, {**project.training, "unfreeze": several})
    dialog = open_settings(panel)
    assert not dialog.frozen.layer.isEnabled()  # shown, kept, edited in the file
    assert dialog.frozen.layer.currentText() == "never"
    dialog.frozen.rate.widget.lineEdit().selectAll()
    QTest.keyClicks(dialog.frozen.rate.widget.lineEdit(), "0.5")
    QTest.mouseClick(dialog.ok_button, LEFT)
    assert project.training["unfreeze"] == several
    assert project.training["backbone_lr_factor"] == 0.5
