"""Runs in a child process: it has an interpreter lock of its own, so a window drawing in the
app's process cannot slow its steps, and a crash there (a driver, the out-of-memory killer)
ends the run, not the app. The child starts ahead of the first run and takes one job after
another, torch imported once. Steps come back in small batches, other events one by one."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, NamedTuple

from designer.training.control import RunControl
from designer.training.events import RunFailed, RunFinished, StepDone
from designer.training.job import RunJob, run_job

STEP_BATCH_SECONDS = 0.02  # the child sends the steps it made at most this often
PAUSE, RESUME, STOP = "pause", "resume", "stop"
JOB_DONE = "job done"  # after a job's last event


class StepPoint(NamedTuple):
    """What the plots need of one step; the trainer's tensors stay in its process. `time` is
    the monotonic clock, which all processes of a machine share."""

    step: int
    epoch: int
    loss: float
    lr: float
    samples: int
    time: float


class TrainingProcess:
    """The app's side of the child (`python -m` this module: it imports only what training
    needs): give it a job, tell it to pause, resume or stop, read what the job reports. Both
    ways are pickles one after another on the child's stdin and stdout."""

    def __init__(self) -> None:
        source_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, [source_root, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": path},
        )
        self.reading = False

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, job: RunJob) -> None:
        self._send(job)

    def pause(self) -> None:
        self._send(PAUSE)

    def resume(self) -> None:
        self._send(RESUME)

    def stop(self) -> None:
        self._send(STOP)

    def _send(self, message) -> None:
        with contextlib.suppress(OSError):  # the child has ended: reading tells how
            pickle.dump(message, self.process.stdin)
            self.process.stdin.flush()

    def messages(self) -> Iterator[list[StepPoint] | object]:
        """The started job's lists of steps and other events, in the order the run made them,
        until its end; a child that ends before the run's last event adds a RunFailed."""
        ended = False
        self.reading = True
        try:
            while True:
                try:
                    message = pickle.load(self.process.stdout)
                except EOFError:
                    break
                except Exception:  # cut off mid-message: the child died while writing
                    self.process.kill()
                    break
                if message == JOB_DONE:
                    return
                ended = ended or isinstance(message, RunFinished | RunFailed)
                yield message
        finally:
            self.reading = False
        exitcode = self.process.wait()
        self.process.stdout.close()
        if not ended:
            yield RunFailed(
                "crashed",
                f"The training process ended unexpectedly ({ending(exitcode)}). "
                "The project is untouched; the run keeps its last saved checkpoint.",
                0,
                0,
            )

    def close(self, seconds: float = 10.0) -> None:
        """Let the child go: it stops its job, if any, and leaves when its input ends; one
        that is still there after `seconds` is killed. A job's reader sees the end."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if not self.reading:
            self.process.stdout.close()


def ending(exitcode: int | None) -> str:
    """How a process ended, in words."""
    if exitcode is None or exitcode >= 0:
        return f"exit code {exitcode}"
    name = signal.Signals(-exitcode).name
    if name == "SIGKILL":
        return "killed, perhaps by the system for lack of memory"
    return f"signal {name}"


def child_main() -> None:
    """The child's whole life: run the jobs the app sends, one after another, and send what
    they report. The protocol owns stdout: stray prints go to stderr. Ctrl+C in a terminal is
    the app's to handle, not the run's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import torch._dynamo  # noqa: F401  (a network's first convolution imports it: 1.5 s)

    jobs: queue.SimpleQueue[tuple[RunJob, RunControl] | None] = queue.SimpleQueue()
    threading.Thread(target=read_input, args=(sys.stdin.buffer, jobs), daemon=True).start()
    sender = Sender(channel)
    while (next_job := jobs.get()) is not None:
        job, control = next_job
        run_job(job, control, sender)
        sender.flush()
        sender.send(JOB_DONE)
        gc.collect()
    sys.stderr.flush()
    os._exit(0)  # not through finalization: the input thread may be in a read


def read_input(stream: BinaryIO, jobs: queue.SimpleQueue) -> None:
    """Queue the app's jobs, each with its own RunControl, and pass commands to the latest;
    when the app is gone (or lets the child go), stop that job and end the queue."""
    control = RunControl()  # commands before the first job change nothing
    while True:
        try:
            message = pickle.load(stream)
        except (EOFError, OSError, pickle.UnpicklingError):
            control.stop()
            jobs.put(None)
            return
        if isinstance(message, RunJob):
            control = RunControl()
            jobs.put((message, control))
        else:
            {PAUSE: control.pause, RESUME: control.resume, STOP: control.stop}[message]()


class Sender:
    """The child's listener: steps become StepPoints sent in batches, other events go at once
    (after the steps before them). Once the app is gone it sends nothing more."""

    def __init__(self, channel: BinaryIO) -> None:
        self.channel = channel
        self.steps: list[StepPoint] = []
        self.sent = 0.0
        self.open = True

    def __call__(self, event) -> None:
        if isinstance(event, StepDone):
            now = time.monotonic()
            self.steps.append(
                StepPoint(event.step, event.epoch, event.loss, event.lr, event.samples, now)
            )
            if now - self.sent >= STEP_BATCH_SECONDS:
                self.flush()
        else:
            self.flush()
            self.send(event)

    def flush(self) -> None:
        if self.steps:
            self.send(self.steps)
            self.steps = []
        self.sent = time.monotonic()

    def send(self, message) -> None:
        if self.open:
            try:
                pickle.dump(message, self.channel, pickle.HIGHEST_PROTOCOL)
                self.channel.flush()
            except OSError:
                self.open = False


if __name__ == "__main__":  # the child: under its real name, so that what it pickles loads
    from designer.training.run_process import child_main as run_child

    run_child()
