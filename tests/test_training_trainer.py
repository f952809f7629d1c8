"""The trainer: events, falling loss on every example, exact repeats, resume, pause and stop."""

from __future__ import annotations

import json
import os
import threading

import pytest
import torch

from designer.runtime import tally
from designer.runtime.devices import thread_count
from designer.training import (
    CheckpointSaved,
    EpochDone,
    RunControl,
    RunFinished,
    RunStarted,
    StepDone,
    Trainer,
    load_checkpoint,
    new_run,
    prepare_run,
)
from designer.training.evaluate import evaluate
from tests.train_helpers import add_dropout, example_copy

FAST = {"epochs": 3, "batch_size": 16, "baseline": False}


def weights(model: torch.nn.Module) -> list[torch.Tensor]:
    return [value.detach().clone() for value in model.state_dict().values()]


def test_events_arrive_in_order_and_listeners_hear_them(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    heard = []
    trainer = Trainer(prepare_run(project), new_run(project.path), listeners=[heard.append])
    events = list(trainer.events())
    assert events == heard
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    steps = [event for event in events if isinstance(event, StepDone)]
    assert len(steps) == 3 * events[0].steps_per_epoch == 18
    assert [event.step for event in steps] == list(range(1, 19))
    epochs = [event for event in events if isinstance(event, EpochDone)]
    assert [event.epoch for event in epochs] == [1, 2, 3]
    assert {"loss", "accuracy", "precision", "recall", "f1"} <= set(epochs[0].val)
    assert len(epochs[0].confusion) == 3 and sum(map(sum, epochs[0].confusion)) == 30
    saved = {event.kind for event in events if isinstance(event, CheckpointSaved)}
    assert saved == {"best", "last"}
    assert events[-1].reason == "completed" and "accuracy" in events[-1].test


@pytest.mark.parametrize("name", ["mlp_iris", "lenet5_digits", "resnet_digits"])
def test_every_example_trains_briefly_and_its_loss_falls(tmp_path, name):
    project = example_copy(tmp_path, name, epochs=2, baseline=False)
    setup = prepare_run(project)
    before, _ = evaluate(setup, setup.build_model(), setup.data.val, 256)
    finished = Trainer(setup).run()
    assert isinstance(finished, RunFinished), finished
    assert finished.val["loss"] < before["loss"] * 0.9
    assert finished.val["accuracy"] > before["accuracy"]


def test_a_cpu_run_repeats_exactly_with_its_seed_and_differs_with_another(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    runs = []
    for seed in (3, 3, 4):
        trainer = Trainer(prepare_run(project, seed=seed))
        trainer.run()
        runs.append(weights(trainer.model))
    assert all(torch.equal(a, b) for a, b in zip(runs[0], runs[1], strict=True))
    assert not all(torch.equal(a, b) for a, b in zip(runs[0], runs[2], strict=True))


def stop_at(control: RunControl, step: int):
    def listener(event):
        if isinstance(event, StepDone) and event.step == step:
            control.stop()

    return listener


@pytest.mark.parametrize("stop_step", [4, 6, 11])
def test_stop_and_resume_continues_the_same_curve(tmp_path, stop_step):
    """Stopped after k steps (mid-epoch or at an epoch's end) and resumed, a run ends with the
    same weights and the same metrics as one that never stopped (dropout included)."""
    settings = {**FAST, "epochs": 3, "schedule": {"name": "one_cycle"}}
    project = add_dropout(example_copy(tmp_path, "mlp_iris", **settings))
    whole_run = new_run(project.path)
    whole = Trainer(prepare_run(project), whole_run)
    whole.run()

    broken_run = new_run(project.path)
    control = RunControl()
    first = Trainer(prepare_run(project), broken_run, control, [stop_at(control, stop_step)])
    stopped = first.run()
    assert stopped.reason == "stopped" and stopped.step == stop_step
    assert load_checkpoint(broken_run.checkpoint("last"))["step"] == stop_step
    resumed = Trainer(prepare_run(project), broken_run, resume=True)
    events = list(resumed.events())
    assert events[0].first_step == stop_step
    assert next(e.step for e in events if isinstance(e, StepDone)) == stop_step + 1
    assert all(
        torch.equal(a, b) for a, b in zip(weights(whole.model), weights(resumed.model), strict=True)
    )

    def epochs(run):
        return [
            {k: v for k, v in record.items() if k != "seconds"}
            for record in run.records()
            if "epoch" in record
        ]

    assert epochs(broken_run) == epochs(whole_run)
    assert len(epochs(broken_run)) == 3


def test_resume_with_more_epochs_continues_a_finished_run(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **{**FAST, "epochs": 2})
    run = new_run(project.path)
    Trainer(prepare_run(project), run).run()
    more = list(Trainer(prepare_run(project, epochs=4), run, resume=True).events())
    assert [e.epoch for e in more if isinstance(e, EpochDone)] == [3, 4]
    assert [r["epoch"] for r in run.records() if "epoch" in r] == [1, 2, 3, 4]


def test_pause_holds_the_run_between_steps_until_resumed(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    control = RunControl()
    paused_at = []

    def pause_once(event):
        if isinstance(event, StepDone) and event.step == 2 and not paused_at:
            control.pause()
            paused_at.append(event.step)
            threading.Timer(0.2, control.resume).start()

    events = list(Trainer(prepare_run(project), None, control, [pause_once]).events())
    assert paused_at == [2] and not control.paused
    assert events[-1].reason == "completed"


def test_a_stop_asked_while_paused_outlasts_the_resume(tmp_path):
    """Steps read one flag; a resume clears it only when no stop is asked as well."""
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    control = RunControl()

    def pause_stop_resume(event):
        if isinstance(event, StepDone) and event.step == 3:
            control.pause()
            control.stop()
            control.resume()

    events = list(Trainer(prepare_run(project), None, control, [pause_stop_resume]).events())
    assert control.asked and control.stop_requested
    assert events[-1].reason == "stopped" and events[-1].step == 3


def test_early_stopping_and_best_weights(tmp_path):
    project = example_copy(
        tmp_path,
        "mlp_iris",
        epochs=40,
        batch_size=8,
        baseline=False,
        optimizer={"name": "adam", "lr": 0.05},
        early_stopping={"patience": 2, "min_delta": 0.5},
    )
    run = new_run(project.path)
    events = list(Trainer(prepare_run(project), run).events())
    assert events[-1].reason == "early_stopped"
    epochs = [e for e in events if isinstance(e, EpochDone)]
    assert len(epochs) < 40
    best = load_checkpoint(run.checkpoint("best"))
    assert best["best_epoch"] == max(e.epoch for e in epochs if e.improved)
    config = json.loads(run.config_path.read_text())
    assert config["resolved"]["patience"] == 2 and config["task"] == "multiclass"
    assert (run.root / "model.py").read_text() == prepare_run(project).code.source


@pytest.mark.parametrize(
    "training",
    [
        {"optimizer": {"name": "sgd", "lr": 0.05, "momentum": 0.9, "nesterov": True}},
        {"optimizer": {"name": "adamw", "lr": 0.01, "weight_decay": 0.01}},
        {"optimizer": {"name": "rmsprop", "lr": 0.01}},
        {"optimizer": {"name": "adagrad", "lr": 0.1}},
        {"schedule": {"name": "step", "step_size": 1, "gamma": 0.5}},
        {"schedule": {"name": "cosine"}},
        {"schedule": {"name": "plateau", "patience": 0}},
        {"clip": {"norm": 0.1}},
        {"clip": {"value": 0.01}},
        {"mixed_precision": True},
        {"loss": "cross_entropy", "monitor": "val_f1"},
    ],
)
def test_optimizers_schedules_clipping_and_precision_train(tmp_path, training):
    project = example_copy(tmp_path, "mlp_iris", **{**FAST, **training})
    setup = prepare_run(project)
    before, _ = evaluate(setup, setup.build_model(), setup.data.val, 64)
    finished = Trainer(setup).run()
    assert isinstance(finished, RunFinished)
    assert finished.val["loss"] < before["loss"]


def test_step_schedule_lowers_the_rate_each_epoch(tmp_path):
    project = example_copy(
        tmp_path, "mlp_iris", **FAST, schedule={"name": "step", "step_size": 1, "gamma": 0.5}
    )
    events = list(Trainer(prepare_run(project)).events())
    rates = [e.lr for e in events if isinstance(e, EpochDone)]
    assert rates == pytest.approx([0.01, 0.005, 0.0025])


def test_threads_are_set_for_the_run_and_restored(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **FAST, threads=1)
    before = torch.get_num_threads()
    seen = []
    listener = lambda event: seen.append(torch.get_num_threads())  # noqa: E731
    Trainer(prepare_run(project), listeners=[listener]).run()
    assert set(seen) == {1}
    assert torch.get_num_threads() == before


def test_a_run_in_a_background_thread_uses_the_callers_thread_count(tmp_path):
    """The GUI trains in a worker thread: the count chosen for the run applies there, and
    the thread that started it keeps its own (torch's OpenMP count is per thread)."""
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    main_count = torch.get_num_threads()
    target = 2 if main_count == 1 else 1
    seen, midway, checked = [], threading.Event(), threading.Event()

    def listener(event):
        seen.append(torch.get_num_threads())
        if isinstance(event, StepDone) and event.step == 9:
            midway.set()
            checked.wait(10)

    trainer = Trainer(prepare_run(project, threads=target), listeners=[listener])
    worker = threading.Thread(target=trainer.run)
    worker.start()
    assert midway.wait(10)
    during = torch.get_num_threads()
    checked.set()
    worker.join()
    assert set(seen) == {target}
    assert during == main_count == torch.get_num_threads()
    cores = os.cpu_count() or 1
    assert thread_count(0) == cores and thread_count(3) == 3
    assert thread_count(0, window=True) == thread_count(0, readers=1) == max(1, cores - 1)


def test_step_accuracies_add_up_to_the_epochs_training_accuracy(tmp_path, monkeypatch):
    """Steps file their predicted classes and the tally counts them in bulk (here every 4 steps,
    so an epoch of 6 folds twice); read per step or per epoch, the answers agree."""
    monkeypatch.setattr(tally, "FOLD_STEPS", 4)
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    events = list(Trainer(prepare_run(project)).events())
    for epoch in (e for e in events if isinstance(e, EpochDone)):
        steps = [e for e in events if isinstance(e, StepDone) and e.epoch == epoch.epoch]
        correct = sum(step.accuracy * step.samples for step in steps)
        samples = sum(step.samples for step in steps)
        assert epoch.train["accuracy"] == pytest.approx(correct / samples)
        assert epoch.train["loss"] == pytest.approx(
            sum(step.loss * step.samples for step in steps) / samples
        )
    assert 0 < epoch.train["accuracy"] < 1


@pytest.mark.parametrize("restore_best", [False, True])
def test_the_end_of_a_run_reuses_the_validation_of_the_weights_it_keeps(
    tmp_path, monkeypatch, restore_best
):
    """A second pass over the validation part would give the same numbers: a big part's run
    ends that much sooner."""
    from designer.runtime.evaluation import Evaluation

    passes = []
    scored = Evaluation.__call__

    def counted(self, model):
        passes.append(self)
        return scored(self, model)

    monkeypatch.setattr(Evaluation, "__call__", counted)
    project = example_copy(tmp_path, "mlp_iris", epochs=4, restore_best=restore_best)
    events = []
    finished = Trainer(prepare_run(project), listeners=[events.append]).run()
    assert passes.count(passes[0]) == 4  # one validation an epoch, none again at the end
    assert len(passes) == 5  # and the test part's, once
    epochs = [event for event in events if isinstance(event, EpochDone)]
    kept = [event for event in epochs if event.improved][-1] if restore_best else epochs[-1]
    assert finished.val == kept.val
