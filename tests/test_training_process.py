"""Runs in the child process: what it reports, run after run in one child, pause and stop, the
app letting it go, a killed child reported as a failed run, and no import from where the app
was started."""

from __future__ import annotations

import json
import threading
import time

import pytest

from designer.project import save_project
from designer.project.files import project_to_dict
from designer.training import (
    EpochDone,
    RunControl,
    RunFailed,
    RunFinished,
    RunFolder,
    RunStarted,
    StepDone,
    Trainer,
)
from designer.training.events import BaselineFitted, LayersSampled
from designer.training.job import RunJob
from designer.training.run_process import TrainingProcess, ending
from designer.training.setup import prepare_run
from tests.train_helpers import example_copy

WAIT = 120.0


def job_for(tmp_path, layer_stats: float = 1e-9, **training) -> RunJob:
    """mlp_iris with `training` settings; live layer values at every step unless told."""
    project = example_copy(tmp_path, "mlp_iris", **training)
    save_project(project)
    snapshot = json.dumps(project_to_dict(project))
    return RunJob(snapshot, project.path, project.training, layer_stats=layer_stats)


@pytest.fixture
def child(tmp_path, monkeypatch):
    """A training process started from a folder whose `designer` package would break it, were
    the child to import from where the app was started."""
    poisoned = tmp_path / "started_here" / "designer"
    poisoned.mkdir(parents=True)
    (poisoned / "__init__.py").write_text("raise ImportError('the wrong designer')\n")
    monkeypatch.chdir(poisoned.parent)
    process = TrainingProcess()
    yield process
    process.close(0)


class Collector:
    """Reads a job's messages in a thread, as the app does, into `steps` and `events`."""

    def __init__(self, process: TrainingProcess) -> None:
        self.steps, self.events = [], []
        self.thread = threading.Thread(target=self.read, args=(process,))
        self.thread.start()

    def read(self, process: TrainingProcess) -> None:
        for message in process.messages():
            (self.steps.extend if isinstance(message, list) else self.events.append)(message)

    def wait_for(self, kind: type) -> None:
        end = time.monotonic() + WAIT
        while not any(isinstance(event, kind) for event in self.events):
            assert time.monotonic() < end, f"no {kind.__name__} in {WAIT} s"
            time.sleep(0.01)

    def finish(self) -> None:
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


def test_the_child_trains_what_the_trainer_trains_and_takes_the_next_job(child, tmp_path):
    job = job_for(tmp_path, epochs=2, seed=3)
    child.start(job)
    got = Collector(child)
    got.finish()
    kinds = [type(event) for event in got.events]
    assert kinds[0] is RunStarted and kinds.count(EpochDone) == 2
    assert RunFinished in kinds and BaselineFitted in kinds and LayersSampled in kinds
    here = []
    setup = prepare_run(example_copy(tmp_path, "mlp_iris", epochs=2, seed=3))
    Trainer(setup, listeners=[lambda e: isinstance(e, StepDone) and here.append(e)]).run()
    assert [point.step for point in got.steps] == [step.step for step in here]
    assert [point.loss for point in got.steps] == pytest.approx([s.loss for s in here], rel=1e-5)
    assert all(a.time <= b.time for a, b in zip(got.steps, got.steps[1:], strict=False))

    pid = child.process.pid
    child.start(job_for(tmp_path, epochs=1))
    again = Collector(child)
    again.finish()
    assert child.process.pid == pid and child.alive
    assert [e.reason for e in again.events if isinstance(e, RunFinished)] == ["completed"]


def test_pause_holds_the_run_and_stop_ends_it_with_its_last_checkpoint(child, tmp_path):
    # Steps of a millisecond or so, and no other event to send them: only the pause does.
    child.start(job_for(tmp_path, layer_stats=0.0, epochs=500, batch_size=1))
    got = Collector(child)
    got.wait_for(EpochDone)
    child.pause()
    time.sleep(0.3)
    held = len(got.steps)
    time.sleep(0.5)
    assert len(got.steps) == held
    child.resume()
    end = time.monotonic() + WAIT
    while len(got.steps) == held:
        assert time.monotonic() < end
        time.sleep(0.01)
    child.pause()
    time.sleep(0.3)
    shown_while_paused = got.steps[-1].step
    child.stop()
    got.finish()
    (finished,) = [event for event in got.events if isinstance(event, RunFinished)]
    assert finished.reason == "stopped"
    # Every step made before the pause was sent as it began, none held back in the child.
    assert finished.step == shown_while_paused == got.steps[-1].step
    run_dir = got.events[0].run_dir
    assert (run_dir / "checkpoints" / "last.pt").is_file()
    assert child.alive


def test_letting_the_child_go_stops_its_run_and_it_leaves(child, tmp_path):
    child.start(job_for(tmp_path, epochs=500))
    got = Collector(child)
    got.wait_for(EpochDone)
    child.close(WAIT)
    got.finish()
    assert [e.reason for e in got.events if isinstance(e, RunFinished)] == ["stopped"]
    assert (got.events[0].run_dir / "checkpoints" / "last.pt").is_file()
    assert child.process.returncode == 0


def test_a_killed_child_ends_its_run_as_failed(child, tmp_path):
    child.start(job_for(tmp_path, epochs=500))
    got = Collector(child)
    got.wait_for(RunStarted)
    child.process.kill()
    got.finish()
    failed = got.events[-1]
    assert isinstance(failed, RunFailed) and failed.kind == "crashed"
    assert failed.message.startswith(
        "The training process ended unexpectedly (killed, perhaps by the system for lack of"
    )
    assert not child.alive
    record = RunFolder(got.events[0].run_dir).records()[-1]
    assert record["final"] == "failed" and record["failure"] == "crashed"
    assert record["step"] == failed.step == (got.steps[-1].step if got.steps else 0)


def test_a_pause_sends_the_steps_made_before_it_waits():
    held = threading.Event()
    control = RunControl(on_hold=held.set)
    control.wait_while_paused()
    assert not held.is_set()
    control.pause()
    waiting = threading.Thread(target=control.wait_while_paused)
    waiting.start()
    assert held.wait(WAIT)
    control.resume()
    waiting.join(WAIT)
    assert not waiting.is_alive()


def test_how_a_process_ended_in_words():
    assert ending(0) == "exit code 0"
    assert ending(1, "ImportError: no numpy") == "exit code 1: ImportError: no numpy"
    assert ending(-9) == "killed, perhaps by the system for lack of memory"
    assert ending(-11) == "signal SIGSEGV" and ending(-35) == "signal 35"


def test_a_child_that_cannot_start_says_why(tmp_path, monkeypatch):
    broken = tmp_path / "broken" / "designer"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("raise ImportError('the wrong designer')\n")
    monkeypatch.setenv("PYTHONPATH", str(broken.parent))
    process = TrainingProcess()
    try:
        process.start(job_for(tmp_path, epochs=1))
        (failed,) = list(process.messages())
    finally:
        process.close(0)
    assert isinstance(failed, RunFailed) and failed.kind == "crashed"
    assert "(exit code 1: ImportError: the wrong designer)" in failed.message
