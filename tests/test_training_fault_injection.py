"""Faults injected into a stored run: each ends with its message, the process trains on after,
and no checkpoint written before the fault is lost."""

from __future__ import annotations

import dataclasses
import pathlib
import shutil
import tempfile

import pytest
import torch

from designer.runtime.batches import Batcher
from designer.training import (
    CheckpointError,
    CheckpointSaved,
    RunControl,
    RunFailed,
    RunFinished,
    StepDone,
    Trainer,
    list_runs,
    load_checkpoint,
    new_run,
    prepare_run,
)
from designer.training import checkpoint as checkpoint_module
from tests.train_helpers import example_copy

FAST = {"epochs": 3, "batch_size": 16, "baseline": False, "monitor": "val_loss"}
STEPS_PER_EPOCH = 6  # iris: 90 training samples in batches of 16


def kept_checkpoints(run) -> dict[str, int]:
    """The step of each checkpoint on disk; every one must load."""
    return {
        kind: load_checkpoint(run.checkpoint(kind))["step"]
        for kind in ("best", "last")
        if run.checkpoint(kind).exists()
    }


def no_temporary_files(run) -> bool:
    return not list(run.root.rglob("*.tmp"))


def run_with_fault(tmp_path, inject, **training):
    """Train mlp_iris after `inject(setup, control)`, which may return more listeners; returns
    the last event, the run, and the checkpoints that were written (kind -> step)."""
    project = example_copy(tmp_path, "mlp_iris", **{**FAST, **training})
    setup = prepare_run(project)
    run, control, saved = new_run(project.path), RunControl(), {}

    def listen(event):
        if isinstance(event, CheckpointSaved):
            saved[event.kind] = event.step

    listeners = inject(setup, control) or []
    last = Trainer(setup, run, control, [listen, *listeners]).run()
    return last, run, saved


def trains_on_after(tmp_path) -> bool:
    """The process is fine: a fresh run of the same project finishes."""
    tmp_path.mkdir()
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    return isinstance(Trainer(prepare_run(project), new_run(project.path)).run(), RunFinished)


def fail_at_step(step: int, error: BaseException):
    """A callable that counts its calls and raises `error` on call number `step`."""
    calls = []

    def maybe_fail(*_):
        calls.append(1)
        if len(calls) == step:
            raise error

    return maybe_fail


def test_an_infinite_loss_stops_the_run_and_keeps_the_checkpoints(tmp_path):
    def inject(setup, control):
        loss = setup.loss.function
        fail = fail_at_step(11, FloatingPointError())  # 6 training and 2 validation a epoch

        def infinite_at_step_9(output, target):
            try:
                fail()
            except FloatingPointError:
                return loss(output, target) * float("inf")
            return loss(output, target)

        setup.loss = dataclasses.replace(setup.loss, function=infinite_at_step_9)

    failed, run, saved = run_with_fault(tmp_path, inject)
    assert isinstance(failed, RunFailed) and failed.kind == "nan"
    assert failed.message.startswith("the loss became inf at epoch 2, step 9 (batch 3)")
    assert "Try a lower learning rate (now 0.01) or gradient clipping" in failed.message
    assert saved == {"best": 6, "last": 6} == kept_checkpoints(run)
    assert trains_on_after(tmp_path / "after")


class Exploding(torch.nn.Module):
    """Wraps a layer: raises `error` on forward call number `when` (each epoch makes six calls
    in training and two in validation)."""

    def __init__(self, layer: torch.nn.Module, error: BaseException, when: int) -> None:
        super().__init__()
        self.layer, self.fail = layer, fail_at_step(when, error)

    def forward(self, x):
        self.fail()
        return self.layer(x)


@pytest.mark.parametrize(
    "error",
    [
        torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"),
        RuntimeError("CUDA error: out of memory"),
        MemoryError(),
    ],
    ids=["cuda_oom", "runtime_oom", "memory_error"],
)
def test_out_of_memory_in_a_layer_keeps_the_checkpoints(tmp_path, monkeypatch, error):
    def inject(setup, control):
        build = setup.build_model

        def build_with_a_failing_layer():
            model = build()
            name = next(name for name, _ in model.named_children())
            setattr(model, name, Exploding(getattr(model, name), error, when=11))
            return model

        monkeypatch.setattr(setup, "build_model", build_with_a_failing_layer)

    failed, run, saved = run_with_fault(tmp_path, inject)
    assert isinstance(failed, RunFailed) and failed.kind == "out_of_memory"
    assert failed.message.startswith(
        "out of memory at epoch 2, step 9 on cpu: lower the batch size (now 16)"
    )
    assert f"the last good checkpoint is kept: {run.checkpoint('last')}" in failed.message
    assert saved == kept_checkpoints(run) == {"best": 6, "last": 6}
    assert run.records()[-1]["failure"] == "out_of_memory"
    monkeypatch.undo()
    assert trains_on_after(tmp_path / "after")


def test_an_error_while_loading_a_batch_names_it_and_keeps_the_checkpoints(tmp_path, monkeypatch):
    shuffled = Batcher.shuffled
    fail = fail_at_step(10, OSError(5, "Input/output error"))

    def failing_batches(self, order, start=0):
        for batch in shuffled(self, order, start):
            fail()
            yield batch

    monkeypatch.setattr(Batcher, "shuffled", failing_batches)
    failed, run, saved = run_with_fault(tmp_path, lambda setup, control: None)
    assert isinstance(failed, RunFailed) and failed.kind == "error"
    assert failed.message == "OSError at epoch 2, step 10: [Errno 5] Input/output error"
    assert "failing_batches" in failed.details
    assert saved == kept_checkpoints(run) == {"best": 6, "last": 6}
    monkeypatch.undo()
    assert trains_on_after(tmp_path / "after")


def test_an_error_while_loading_validation_data_keeps_the_checkpoints(tmp_path, monkeypatch):
    in_order = Batcher.in_order
    calls = []

    def failing_validation(self):
        calls.append(1)
        if len(calls) == 2:  # the second epoch's validation
            raise ValueError("a corrupt sample")
        yield from in_order(self)

    monkeypatch.setattr(Batcher, "in_order", failing_validation)
    failed, run, saved = run_with_fault(tmp_path, lambda setup, control: None)
    assert failed.kind == "error" and failed.message == (
        "ValueError at epoch 2, step 13: a corrupt sample"
    )
    assert saved == kept_checkpoints(run) == {"best": 6, "last": 6}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """A folder with mlp_iris and one finished run of it."""
    folder = tmp_path_factory.mktemp("finished")
    project = example_copy(folder, "mlp_iris", **FAST)
    Trainer(prepare_run(project), new_run(project.path)).run()
    return folder


@pytest.mark.parametrize("keep", [0, 1, 100, 1000, 0.5, 0.9, -1])
def test_a_checkpoint_truncated_anywhere_is_refused_on_resuming(finished_run, tmp_path, keep):
    shutil.copytree(finished_run, tmp_path, dirs_exist_ok=True)
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    (run,) = list_runs(project.path)
    path = run.checkpoint("last")
    data = path.read_bytes()
    size = int(len(data) * keep) if isinstance(keep, float) else keep % len(data)
    path.write_bytes(data[:size])
    with pytest.raises(CheckpointError, match="is damaged or not a NetDesigner checkpoint"):
        list(Trainer(prepare_run(project), run, resume=True).events())
    assert load_checkpoint(run.checkpoint("best"))["step"] == 3 * STEPS_PER_EPOCH


def read_only(monkeypatch, folder: pathlib.Path) -> None:
    """As if `folder` had become read-only: creating or writing any file in it fails. (Tests run
    as root, whom chmod does not stop, so the writers are patched instead.)"""

    def inside(path) -> bool:
        return pathlib.Path(path).resolve().is_relative_to(folder.resolve())

    def refuse(path):
        raise PermissionError(13, "Permission denied", str(path))

    mkstemp, opener = tempfile.mkstemp, pathlib.Path.open

    def guarded_mkstemp(*args, dir=None, **kwargs):
        if dir is not None and inside(dir):
            refuse(dir)
        return mkstemp(*args, dir=dir, **kwargs)

    def guarded_open(self, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+") and inside(self):
            refuse(self)
        return opener(self, mode, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", guarded_mkstemp)
    monkeypatch.setattr(pathlib.Path, "open", guarded_open)


def test_a_read_only_run_folder_ends_the_run_with_a_message(tmp_path, monkeypatch):
    def inject(setup, control):
        def lock_after_step_8(event):
            if isinstance(event, StepDone) and event.step == 8:
                read_only(monkeypatch, tmp_path)

        return [lock_after_step_8]

    failed, run, saved = run_with_fault(tmp_path, inject)
    monkeypatch.undo()
    assert isinstance(failed, RunFailed) and failed.kind == "write"
    assert failed.message == (
        f"cannot write {run.checkpoint('best')} (Permission denied) after step 12: make the "
        f"folder writable or free some space; the last good checkpoint is kept: "
        f"{run.checkpoint('last')}"
    )
    assert saved == kept_checkpoints(run) == {"best": 6, "last": 6}
    assert no_temporary_files(run)
    assert trains_on_after(tmp_path / "after")


def test_stop_pressed_during_a_checkpoint_write_stops_after_it(tmp_path, monkeypatch):
    save = torch.save
    writes = []

    def inject(setup, control):
        def save_while_stop_is_pressed(state, target, *args, **kwargs):
            writes.append(state["step"])
            if len(writes) == 3:  # the second epoch's best checkpoint
                control.stop()
            return save(state, target, *args, **kwargs)

        monkeypatch.setattr(checkpoint_module.torch, "save", save_while_stop_is_pressed)

    finished, run, saved = run_with_fault(tmp_path, inject)
    assert isinstance(finished, RunFinished) and finished.reason == "stopped"
    assert writes == [6, 6, 12, 12, 12]  # best and last of epoch 1 and 2, then last on stopping
    assert saved == kept_checkpoints(run) == {"best": 12, "last": 12}
    assert no_temporary_files(run)


def test_a_write_interrupted_by_ctrl_c_keeps_the_earlier_checkpoint(tmp_path, monkeypatch):
    save = torch.save

    def inject(setup, control):
        def interrupted_at_epoch_2(state, target, *args, **kwargs):
            if state["step"] == 12:
                save(state, target, *args, **kwargs)  # half written ...
                raise KeyboardInterrupt  # ... when Ctrl+C arrives
            return save(state, target, *args, **kwargs)

        monkeypatch.setattr(checkpoint_module.torch, "save", interrupted_at_epoch_2)

    with pytest.raises(KeyboardInterrupt):
        run_with_fault(tmp_path, inject)
    (run,) = list_runs(tmp_path / "mlp_iris.json")
    assert kept_checkpoints(run) == {"best": 6, "last": 6}
    assert no_temporary_files(run)
