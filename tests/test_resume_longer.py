"""Resuming a run for more epochs than it planned: schedules with no set length go on exactly as
an uninterrupted run; one-cycle and cosine, whose curve is fitted to the run's length, are
refused up front with what to do instead, and the run stays resumable."""

from __future__ import annotations

import pytest

from designer.cli import main
from designer.project import save_project
from designer.training import list_runs
from tests.train_helpers import example_copy

FAST = {"epochs": 1, "batch_size": 16, "baseline": False, "seed": 0, "threads": 1}
SCHEDULES = {
    "none": {"name": "none"},
    "step": {"name": "step", "step_size": 1, "gamma": 0.5},
    "plateau": {"name": "plateau", "factor": 0.5, "patience": 0},
    "one_cycle": {"name": "one_cycle"},
    "cosine": {"name": "cosine", "min_lr": 0.0001},
}


def trained(tmp_path, schedule: str, epochs: int = 1):
    """mlp_iris with the schedule, trained for `epochs` by the command, and its run."""
    tmp_path.mkdir(exist_ok=True)
    project = example_copy(tmp_path, "mlp_iris", **FAST, schedule=SCHEDULES[schedule])
    save_project(project)
    assert main(["train", str(project.path), "--epochs", str(epochs)]) == 0
    return project, list_runs(project.path)[-1]


def epochs_of(run) -> list[dict]:
    records = [record for record in run.records() if "epoch" in record]
    return [{k: v for k, v in r.items() if k not in ("seconds", "val_confusion")} for r in records]


@pytest.mark.parametrize("schedule", ["none", "step", "plateau"])
def test_a_schedule_of_no_set_length_goes_on_as_if_planned_longer(tmp_path, capsys, schedule):
    project, run = trained(tmp_path, schedule)
    code = main(["train", str(project.path), "--resume", run.id, "--epochs", "3"])
    output = capsys.readouterr()
    assert code == 0, output.err
    _, straight = trained(tmp_path / "straight", schedule, epochs=3)
    assert [r["epoch"] for r in epochs_of(run)] == [1, 2, 3]
    assert epochs_of(run) == epochs_of(straight)


@pytest.mark.parametrize(("schedule", "words"), [("one_cycle", "one-cycle"), ("cosine", "cosine")])
def test_a_schedule_fitted_to_the_run_is_not_stretched(tmp_path, capsys, schedule, words):
    project, run = trained(tmp_path, schedule)
    last = run.checkpoint("last").read_bytes()
    records = run.metrics_path.read_text(encoding="utf-8")
    capsys.readouterr()
    code = main(["train", str(project.path), "--resume", run.id, "--epochs", "3"])
    output = capsys.readouterr()
    assert code == 2
    (line,) = output.err.splitlines()
    assert "Traceback" not in output.err and "Tried to step" not in output.err
    assert f"run {run.id} has a {words} schedule planned for 1 epoch" in line
    assert "cannot go on to 3 epochs" in line
    assert f"--init-from {run.id} --epochs 3" in line
    # Nothing changed: the run is not marked failed and resumes as before.
    assert run.checkpoint("last").read_bytes() == last
    assert run.metrics_path.read_text(encoding="utf-8") == records
    assert not any(record.get("final") == "failed" for record in run.records())
    assert main(["train", str(project.path), "--resume", run.id, "--epochs", "1"]) == 0
