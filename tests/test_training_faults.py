"""Faults: NaN losses, out-of-memory errors, damaged checkpoints, changed networks, bad data:
each ends with one clear message and nothing crashes."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch

from designer.data import DataError
from designer.training import (
    CheckpointError,
    RunControl,
    RunFailed,
    RunFinished,
    StepDone,
    Trainer,
    load_checkpoint,
    new_run,
    prepare_run,
)
from designer.training.resume import resume_setup
from tests.train_helpers import example_copy

FAST = {"epochs": 3, "batch_size": 16, "baseline": False}


def test_nan_in_the_data_stops_the_run_naming_epoch_and_step(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    setup = prepare_run(project)
    run = new_run(project.path)
    trainer = Trainer(setup, run)
    events = []
    for event in trainer.events():
        events.append(event)
        if isinstance(event, StepDone) and event.step == 7:
            setup.data.train.x[:] = float("nan")  # poisons the tensors the batcher slices
    failed = events[-1]
    assert isinstance(failed, RunFailed) and failed.kind == "nan"
    assert "at epoch 2, step 8 (batch 2)" in failed.message
    assert str(run.checkpoint("last")) in failed.message
    kept = load_checkpoint(run.checkpoint("last"))
    assert kept["step"] == 6 and all(torch.isfinite(v).all() for v in kept["model"].values())
    assert run.records()[-1]["failure"] == "nan"


@pytest.mark.parametrize(
    "error",
    [
        torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB"),
        RuntimeError(
            "[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory"
        ),
    ],
)
def test_out_of_memory_is_caught_and_the_process_goes_on(tmp_path, monkeypatch, error):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    setup = prepare_run(project)
    calls = []
    forward = setup.network.forward

    def failing_forward(self, features):
        calls.append(1)
        if len(calls) == 5:
            raise error
        return forward(self, features)

    monkeypatch.setattr(setup.network, "forward", failing_forward)
    failed = Trainer(setup, new_run(project.path)).run()
    assert isinstance(failed, RunFailed) and failed.kind == "out_of_memory"
    assert (
        "out of memory at epoch 1, step 5 on cpu: lower the batch size (now 16)" in failed.message
    )
    monkeypatch.undo()
    assert isinstance(Trainer(prepare_run(project)).run(), RunFinished)


def test_other_errors_during_training_become_a_failure_event(tmp_path, monkeypatch):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    setup = prepare_run(project)

    def broken(self, features):
        raise ValueError("something odd")

    monkeypatch.setattr(setup.network, "forward", broken)
    failed = Trainer(setup).run()
    assert (
        failed.kind == "error" and failed.message == "ValueError at epoch 1, step 1: something odd"
    )
    assert "Traceback" in failed.details


def stopped_run(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    run = new_run(project.path)
    control = RunControl()

    def stop(event):
        if isinstance(event, StepDone) and event.step == 3:
            control.stop()

    Trainer(prepare_run(project), run, control, [stop]).run()
    return project, run


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        (lambda path: path.write_bytes(b"garbage"), "is damaged or not a NetDesigner checkpoint"),
        (lambda path: path.write_bytes(path.read_bytes()[:200]), "is damaged"),
        (
            lambda path: torch.save({"model": {}}, path),
            r"is not a NetDesigner checkpoint \(no format",
        ),
        (lambda path: path.unlink(), "checkpoint not found"),
    ],
)
def test_a_damaged_checkpoint_gives_a_clear_error(tmp_path, damage, expected):
    project, run = stopped_run(tmp_path)
    damage(run.checkpoint("last"))
    with pytest.raises(CheckpointError, match=expected):
        list(Trainer(prepare_run(project), run, resume=True).events())


def test_a_pickled_object_in_a_checkpoint_is_refused(tmp_path):
    _, run = stopped_run(tmp_path)
    state = torch.load(run.checkpoint("last"), weights_only=True)
    state["evil"] = Fraction(1, 3)  # any pickled object, which weights_only refuses
    torch.save(state, run.checkpoint("last"))
    with pytest.raises(CheckpointError, match="damaged or not a NetDesigner checkpoint"):
        load_checkpoint(run.checkpoint("last"))


def test_resuming_needs_the_same_network_and_split(tmp_path):
    project, run = stopped_run(tmp_path)
    project.graph.set_param(project.graph.find("hidden1").id, "units", 8)
    with pytest.raises(CheckpointError, match="the network changed since run"):
        resume_setup(project, run)
    (tmp_path / "again").mkdir()
    project, run = stopped_run(tmp_path / "again")
    changed = prepare_run(project, dataset={"source": "iris", "split": {"seed": 9}})
    with pytest.raises(CheckpointError, match="the data split differs"):
        list(Trainer(changed, run, resume=True).events())


def test_data_that_does_not_fit_the_network_is_refused_before_training(tmp_path):
    lenet = example_copy(tmp_path, "lenet5_digits")
    lenet.dataset = {"source": "digits"}
    with pytest.raises(DataError) as caught:
        prepare_run(lenet)
    assert str(caught.value) == (
        "dataset: dataset 'digits' gives samples of shape 1x8x8, but Input 'image' expects "
        "shape 1x32x32: set dataset.image_size to 32, or change the Input shape to 1x8x8"
    )
    iris = example_copy(tmp_path, "mlp_iris")
    iris.dataset = {"source": "wine"}
    with pytest.raises(DataError, match="gives samples of shape 13, but Input 'features' expects"):
        prepare_run(iris)


@pytest.mark.parametrize(
    ("dataset", "training", "expected"),
    [
        (
            {"source": "digits", "image_size": 32},
            {},
            "has 10 classes, so the Output should give 10",
        ),
        (
            {"source": "diabetes"},
            {"loss": "auto"},
            "has targets of shape 1 per sample, but the Output gives 3",
        ),
        (
            {"source": "iris"},
            {"loss": "mse"},
            "mse compares real values, but dataset 'iris' has class",
        ),
        ({"source": "iris"}, {"loss": "bce_with_logits"}, "bce_with_logits needs 0 / 1 targets"),
    ],
)
def test_labels_that_do_not_fit_the_loss(tmp_path, dataset, training, expected):
    project = example_copy(tmp_path, "mlp_iris", **training)
    project.dataset = dataset
    if dataset["source"] == "digits":
        project.graph.set_param(project.graph.find("features").id, "shape", [1, 32, 32])
        flatten = project.graph.add_node("flatten", "flat", {})
        first = project.graph.out_edges(project.graph.find("features").id)[0]
        project.graph.disconnect(first.id)
        project.graph.connect(first.source, "out", flatten.id, "in")
        project.graph.connect(flatten.id, "out", first.target, first.target_port)
    if dataset["source"] == "diabetes":
        project.graph.set_param(project.graph.find("features").id, "shape", [10])
    with pytest.raises(DataError, match=expected):
        prepare_run(project)
