"""The study of a sweep: named after the project file, kept beside its runs by default, opened
again to be continued, and refused where it cannot be (a storage that does not open, a study
made for the other direction)."""

from __future__ import annotations

import pytest

from designer.sweep.search import open_study
from designer.sweep.space import SweepError, read_space
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
