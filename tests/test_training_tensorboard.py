"""TensorBoard files beside a run when tensorboard is installed; runs work without it."""

from __future__ import annotations

import sys

import pytest

from designer.training import EpochDone, RunFinished, StepDone, Trainer, new_run, prepare_run
from designer.training import tensorboard as board
from tests.train_helpers import example_copy

FAST = {"epochs": 3, "batch_size": 16, "baseline": False}


def scalars(folder) -> dict[str, list[tuple[int, float]]]:
    accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator"
    ).EventAccumulator(str(folder))
    accumulator.Reload()
    return {
        tag: [(event.step, event.value) for event in accumulator.Scalars(tag)]
        for tag in accumulator.Tags()["scalars"]
    }


def test_a_stored_run_writes_its_curves_for_tensorboard(tmp_path):
    pytest.importorskip("torch.utils.tensorboard")
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    run = new_run(project.path)
    events = list(Trainer(prepare_run(project), run).events())
    logged = scalars(run.root / board.FOLDER)
    epochs = [event for event in events if isinstance(event, EpochDone)]
    assert logged["val/loss"] == [(e.step, pytest.approx(e.val["loss"])) for e in epochs]
    assert [step for step, _ in logged["train/accuracy"]] == [6, 12, 18]
    assert [step for step, _ in logged["step/loss"]] == [10]
    finished = events[-1]
    assert logged["final_test/accuracy"] == [(18, pytest.approx(finished.test["accuracy"]))]


def test_a_resumed_run_replaces_what_was_logged_after_its_checkpoint(tmp_path, monkeypatch):
    """A run that dies at step 15 has logged steps 13 and 14 past its last checkpoint (step
    12); resumed from there, TensorBoard shows each step once, with the resumed values."""
    pytest.importorskip("torch.utils.tensorboard")
    monkeypatch.setattr(board, "STEP_EVERY", 1)
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    run = new_run(project.path)

    def crash(event):
        if isinstance(event, StepDone) and event.step == 15:
            raise RuntimeError("the machine went down")

    assert Trainer(prepare_run(project), run, listeners=[crash]).run().kind == "error"
    resumed = list(Trainer(prepare_run(project), run, resume=True).events())
    assert isinstance(resumed[-1], RunFinished)
    losses = {e.step: e.loss for e in resumed if isinstance(e, StepDone)}
    logged = scalars(run.root / board.FOLDER)["step/loss"]
    assert [step for step, _ in logged] == list(range(1, 19))
    assert [value for step, value in logged if step > 12] == pytest.approx(
        [losses[step] for step in range(13, 19)]
    )


def test_without_tensorboard_a_run_works_and_writes_no_event_files(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)
    assert board.tensorboard_log(tmp_path) is None
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    run = new_run(project.path)
    finished = Trainer(prepare_run(project), run).run()
    assert isinstance(finished, RunFinished) and finished.reason == "completed"
    assert not (run.root / board.FOLDER).exists()
