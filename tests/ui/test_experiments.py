"""The Experiments dock: a sweep started from it runs off the GUI thread and fills the table
of trials, its plots and, opened again, shows the study; Apply writes the chosen trial's
values as one step that Undo takes back exactly."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.project.files import project_to_dict
from designer.sweep.search import trial_values
from designer.sweep.space import read_space
from designer.training.runs import runs_root
from designer.ui.experiments.importance_chart import MIN_COMPLETE
from tests.ui.gestures import type_into

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier
SWEEP_TIMEOUT = 60_000


def sweep_copy(example, tmp_path, epochs: int = 3):
    """sweep_iris saved in tmp_path (its runs land there), trained `epochs` epochs."""
    raw = json.loads(example("sweep_iris").read_text())
    raw["training"]["epochs"] = epochs
    path = tmp_path / "sweep_iris.json"
    path.write_text(json.dumps(raw))
    return path


def open_experiments(window, path):
    window.open_file(path)
    window.experiments_dock.raise_()
    QApplication.processEvents()
    return window.experiments_dock.panel


def column(table, title: str) -> int:
    titles = [table.horizontalHeaderItem(index).text() for index in range(table.columnCount())]
    return titles.index(title)


def click_header(table, title: str) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column(table, title)) + 5
    QTest.mouseClick(header.viewport(), LEFT, pos=QPoint(x, header.height() // 2))


def cell(table, row: int, title: str) -> str:
    return table.item(row, column(table, title)).text()


@pytest.mark.slow
def test_a_sweep_from_the_view_fills_the_table_and_apply_is_undone_exactly(
    window, example, tmp_path, qtbot
):
    path = sweep_copy(example, tmp_path)
    panel = open_experiments(window, path)
    assert panel.table.rowCount() == 0
    type_into(panel.trials_box, "3")
    type_into(panel.jobs_box, "2")
    QTest.mouseClick(panel.start_button, LEFT)
    assert panel.task is not None and panel.task.running  # the window goes on meanwhile
    assert not panel.start_button.isEnabled()
    qtbot.waitUntil(lambda: panel.task is None, timeout=SWEEP_TIMEOUT)
    assert "Sweep done. 3 trials: 3 complete." in panel.status.text(), panel.status.text()
    table = panel.table
    assert table.rowCount() == 3
    study = panel.study
    for trial in study.trials:
        assert (runs_root(path) / trial.user_attrs["run"]).is_dir()
    click_header(table, "Best val_loss")
    assert float(cell(table, 0, "Best val_loss")) == pytest.approx(study.best_value, rel=1e-3)
    assert cell(table, 0, "Trial") == str(study.best_trial.number)
    assert cell(table, 0, "State") == "complete" and cell(table, 0, "Params")
    assert len(panel.curves.widget.listDataItems()) == 3
    assert panel.parallel.lines == 3
    assert panel.importance.importances  # three complete trials: the chart is drawn
    assert MIN_COMPLETE == 3

    editor = window.editor
    before = json.dumps(project_to_dict(editor.project), sort_keys=True)
    QTest.mouseClick(table.viewport(), LEFT, pos=table.visualItemRect(table.item(2, 0)).center())
    chosen = int(cell(table, 2, "Trial"))
    assert panel.apply_button.text() == f"Apply trial {chosen} to project"
    QTest.mouseClick(panel.apply_button, LEFT)
    values = trial_values(study.trials[chosen], read_space(editor.project))
    assert editor.project.training["optimizer"]["lr"] == values["training.optimizer.lr"]
    assert editor.doc.node("n2").params["units"] == values["n2.units"]
    assert editor.doc.node("n4").params["units"] == values["n4.units"]
    QTest.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert json.dumps(project_to_dict(editor.project), sort_keys=True) == before


def test_opening_a_project_shows_its_study_and_a_project_without_a_sweep_says_what_to_do(
    window, example, tmp_path
):
    import optuna

    path = sweep_copy(example, tmp_path)
    runs_root(path).mkdir(parents=True)
    storage = f"sqlite:///{runs_root(path) / 'sweep.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="sweep_iris", storage=storage)
    for lr, units, score in ((0.01, 8, 0.3), (0.05, 32, 0.2)):
        study.add_trial(
            optuna.trial.create_trial(
                params={"training.optimizer.lr": lr, "n2.units": units, "n4.units": 16},
                distributions={
                    "training.optimizer.lr": optuna.distributions.FloatDistribution(
                        0.001, 0.1, log=True
                    ),
                    "n2.units": optuna.distributions.CategoricalDistribution([4, 8, 16, 32, 64]),
                    "n4.units": optuna.distributions.CategoricalDistribution([4, 8, 16, 32, 64]),
                },
                value=score,
                intermediate_values={1: score + 0.1, 2: score},
            )
        )
    panel = open_experiments(window, path)
    table = panel.table
    assert table.rowCount() == 2
    assert {cell(table, row, "hidden1.units") for row in range(2)} == {"8", "32"}
    assert "Best: trial 1 (val_loss 0.2)" in panel.status.text()
    assert "needs 3 complete trials; the study has 2" in panel.importance.reason.text()
    assert panel.apply_button.text() == "Apply best to project"

    panel = open_experiments(window, example("mlp_iris"))
    assert "Mark what to sweep first" in panel.status.text()
    QTest.mouseClick(panel.start_button, LEFT)
    assert "has no sweep section" in panel.status.text()
    assert panel.task is None


@pytest.mark.slow
def test_stop_ends_a_sweep_cleanly_and_the_trial_cut_short_runs_first_next_time(
    window, example, tmp_path, qtbot
):
    from optuna.trial import TrialState

    path = sweep_copy(example, tmp_path, epochs=100_000)  # a trial that runs until stopped
    panel = open_experiments(window, path)
    type_into(panel.jobs_box, "1")
    QTest.mouseClick(panel.start_button, LEFT)
    qtbot.waitUntil(
        lambda: panel.table.rowCount() == 1 and cell(panel.table, 0, "State") == "running",
        timeout=SWEEP_TIMEOUT,
    )
    qtbot.waitUntil(lambda: bool(panel.study.trials[0].intermediate_values), timeout=30_000)
    QTest.mouseClick(panel.stop_button, LEFT)
    assert not panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: panel.task is None, timeout=SWEEP_TIMEOUT)
    assert "Stopped." in panel.status.text(), panel.status.text()
    assert panel.start_button.isEnabled()
    waiting = panel.study.get_trials(states=(TrialState.WAITING,))
    assert len(waiting) == 1
    assert waiting[0].system_attrs["fixed_params"] == panel.study.trials[0].params
    assert cell(panel.table, 0, "State") == "interrupted"
