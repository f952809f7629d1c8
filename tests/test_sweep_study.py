"""The study of a sweep: named after the project file, kept beside its runs by default, opened
again to be continued, and refused where it cannot be (a storage that does not open, a study
made for the other direction); a complete trial's values saved in the project file; GPUs
shared among trials."""

from __future__ import annotations

import pytest

from designer.cli import main
from designer.project import load_project
from designer.sweep.devices import DeviceShare
from designer.sweep.search import open_study, suggest
from designer.sweep.space import SweepError, read_space
from designer.sweep.trial_apply import chosen_trial
from designer.training.runs import runs_root
from tests.train_helpers import example_copy


def test_the_study_is_kept_beside_the_runs_and_opened_again(tmp_path):
    project = example_copy(tmp_path, "sweep_iris")
    space = read_space(project)
    study, objective = open_study(project, space, None)
    assert (runs_root(project.path) / "sweep.db").is_file()
    assert (study.study_name, objective.monitor, objective.minimize) == (
        "sweep_iris",
        "val_loss",
        True,
    )
    study.enqueue_trial({"training.optimizer.lr": 0.01, "n2.units": 8, "n4.units": 8})
    again, _ = open_study(project, space, None)
    assert len(again.trials) == 1


def test_a_study_made_for_the_other_direction_is_refused(tmp_path):
    project = example_copy(tmp_path, "sweep_iris")
    space = read_space(project)
    open_study(project, space, None)
    project.training["monitor"] = "val_accuracy"
    with pytest.raises(SweepError) as caught:
        open_study(project, space, None)
    assert caught.value.place == "training.monitor"
    assert "was made to minimize its score; val_accuracy is to be maximized" in str(caught.value)


def test_a_storage_that_does_not_open_is_named_in_one_line(tmp_path):
    project = example_copy(tmp_path, "sweep_iris")
    url = f"sqlite:///{tmp_path / 'missing' / 'sweep.db'}"
    with pytest.raises(SweepError) as caught:
        open_study(project, read_space(project), url)
    message = str(caught.value)
    assert f"--storage: cannot open the study in {url}: " in message
    assert "\n" not in message


def test_a_complete_trials_values_are_saved_in_the_project_file(tmp_path, capsys):
    project = example_copy(tmp_path, "sweep_iris")
    space = read_space(project)
    study, _ = open_study(project, space, None)
    with pytest.raises(SweepError, match="has no complete trial yet"):
        chosen_trial(study, "best", "p.json")
    for value in (0.4, 0.2):
        trial = study.ask()
        suggest(trial, space)
        study.tell(trial, value)
    with pytest.raises(SweepError, match=r"no complete trial '7' in the study \(complete: 0, 1"):
        chosen_trial(study, "7", "p.json")
    assert chosen_trial(study, "best", "p.json").number == 1
    assert main(["sweep", str(project.path), "--apply", "0"]) == 0
    first = study.trials[0].params
    saved = load_project(project.path)
    assert saved.graph.node("n2").params["units"] == first["n2.units"]
    assert saved.graph.node("n4").params["units"] == first["n4.units"]
    assert saved.training["optimizer"]["lr"] == first["training.optimizer.lr"]
    assert saved.sweep == project.sweep and saved.dataset == project.dataset
    out = capsys.readouterr().out
    assert out.startswith(f"{project.path}: trial 0's values saved: training.optimizer.lr=")


def test_trials_share_several_gpus_where_the_device_is_left_automatic():
    share = DeviceShare("auto", 3)
    taken = [share.take() for _ in range(4)]
    assert taken == ["cuda:0", "cuda:1", "cuda:2", "cuda:0"]
    share.give_back("cuda:1")
    assert share.take() == "cuda:1"
    assert DeviceShare("auto", 1).take() is None  # one GPU: the project's own device
    assert DeviceShare("cuda:1", 4).take() is None  # a device the project names


def test_the_grid_sampler_suggests_every_point_of_the_grid_once(tmp_path):
    project = example_copy(tmp_path, "sweep_iris")
    project.sweep = {
        "sampler": "grid",
        "params": [
            {"training": "optimizer.lr", "low": 0.01, "high": 0.07, "step": 0.02},
            {"node": "n2", "param": "units", "low": 4, "high": 8, "step": 2},
            {"node": "n4", "param": "units", "choices": [4, 8]},
        ],
    }
    space = read_space(project)
    study, _ = open_study(project, space, None)
    suggested = []
    study.optimize(lambda trial: suggested.append(suggest(trial, space)) or 0.0, n_trials=30)
    points = {tuple(values.values()) for values in suggested}
    assert len(suggested) == len(points) == 4 * 3 * 2
    assert {point[0] for point in points} == {0.01, 0.03, 0.05, 0.07}
