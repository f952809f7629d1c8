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
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO, NamedTuple

from designer.training.control import RunControl
from designer.training.events import FailureKind, RunFailed, RunFinished, RunStarted, StepDone
from designer.training.job import RunJob, run_job
from designer.training.runs import RunFolder, RunWriteError

STEP_BATCH_SECONDS = 0.02  # the child sends the steps it made at most this often


class Command(StrEnum):
    """What the app tells a running job."""

    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


JOB_DONE = "job done"  # after a job's last event
RELAY_SECONDS = 2.0  # how long a crash's report waits for the child's last stderr line


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
    """The app's side of the child: give it a job, tell it to pause, resume or stop, read what
    the job reports. Both ways are pickles one after another on the child's stdin and stdout;
    a thread writes them, so that no call here waits for the child (it may still be importing
    torch). The child runs with -P, so the folder the app was started from shadows nothing."""

    def __init__(self) -> None:
        source_root = str(Path(__file__).resolve().parents[2])
        self.process = subprocess.Popen(
            [sys.executable, "-P", "-c", CHILD.format(source_root=source_root)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # Ctrl+C in a terminal is the app's, even while it starts
        )
        self.outbox: queue.SimpleQueue = queue.SimpleQueue()
        self.last_words = ""  # the child's last line on stderr
        threading.Thread(target=self._write, name="training-input", daemon=True).start()
        self.relay = threading.Thread(target=self._relay_errors, name="training-errors")
        self.relay.daemon = True
        self.relay.start()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, job: RunJob) -> None:
        self.outbox.put(job)

    def pause(self) -> None:
        self.outbox.put(Command.PAUSE)

    def resume(self) -> None:
        self.outbox.put(Command.RESUME)

    def stop(self) -> None:
        self.outbox.put(Command.STOP)

    def _write(self) -> None:
        stream = self.process.stdin
        while (message := self.outbox.get()) is not None:
            try:
                pickle.dump(message, stream)
                stream.flush()
            except OSError:  # the child has ended: reading tells how
                break
        with contextlib.suppress(OSError):
            stream.close()

    def _relay_errors(self) -> None:
        """Pass the child's stderr on to the app's, keeping its last line for a crash."""
        with self.process.stderr as stream:
            for line in stream:
                text = line.decode(errors="replace")
                sys.stderr.write(text)
                self.last_words = text.strip() or self.last_words

    def messages(self) -> Iterator[list[StepPoint] | object]:
        """The started job's lists of steps and other events, in the order the run made them,
        until its end. A child that ends before the run's last event adds a RunFailed, which
        the run's folder records too."""
        ended, started, last_step = False, None, 0
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
            if isinstance(message, RunFinished | RunFailed):
                ended = True
            elif isinstance(message, RunStarted):
                started = message
            elif isinstance(message, list):
                last_step = message[-1].step
            yield message
        exitcode = self.process.wait()
        if not ended:
            self.relay.join(RELAY_SECONDS)  # the child's last words, to the end
            yield crashed(started, last_step, ending(exitcode, self.last_words))

    def close(self, seconds: float) -> None:
        """Let the child go: its input ends after what was sent, so it stops its job (which
        saves first) and leaves; one still there after `seconds` is killed. A job's reader
        sees the end of what it reads; the pipes close."""
        self.outbox.put(None)
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()  # after a read under way, if any: the child is gone


CHILD = (
    "import sys; sys.path.append({source_root!r}); "
    "from designer.training.run_process import child_main; child_main()"
)


def crashed(started: RunStarted | None, last_step: int, how: str) -> RunFailed:
    """The failure of a run whose process ended under it; the run's folder, if it has one
    already, records it where it can."""
    message = (
        f"The training process ended unexpectedly ({how}). The project is untouched; the run "
        "keeps its last saved checkpoint."
    )
    if started is not None and started.run_dir is not None:
        with contextlib.suppress(RunWriteError):
            RunFolder(started.run_dir).append(
                {
                    "final": "failed",
                    "step": last_step,
                    "failure": FailureKind.CRASHED.value,
                    "message": message,
                }
            )
    return RunFailed(FailureKind.CRASHED, message, 0, last_step)


def ending(exitcode: int, last_words: str = "") -> str:
    """How a process ended, in words: its exit code and its last line on stderr (an error's
    own line, where Python printed a traceback), or the signal that ended it."""
    if exitcode >= 0:
        return f"exit code {exitcode}" + (f": {last_words}" if last_words else "")
    if -exitcode == signal.SIGKILL:
        return "killed, perhaps by the system for lack of memory"
    try:
        return f"signal {signal.Signals(-exitcode).name}"
    except ValueError:
        return f"signal {-exitcode}"


def child_main() -> None:
    """The child's whole life: run the jobs the app sends, one after another, and send what
    they report. The protocol owns stdout: stray prints go to stderr. Ctrl+C in a terminal is
    the app's to handle, not the run's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import torch._dynamo  # noqa: F401  (a network's first convolution imports it: 1.5 s)

    sender = Sender(channel)
    jobs: queue.SimpleQueue[tuple[RunJob, RunControl] | None] = queue.SimpleQueue()
    threading.Thread(
        target=read_input, args=(sys.stdin.buffer, jobs, sender.flush), daemon=True
    ).start()
    while (next_job := jobs.get()) is not None:
        job, control = next_job
        run_job(job, control, sender)
        sender.flush()
        sender.send(JOB_DONE)
        gc.collect()
    sys.stderr.flush()
    os._exit(0)  # not through finalization: the input thread may be in a read


def read_input(stream: BinaryIO, jobs: queue.SimpleQueue, on_hold) -> None:
    """Queue the app's jobs, each with its own RunControl (which sends the steps made so far
    as a pause begins), and pass commands to the latest; when the app is gone (or lets the
    child go), stop that job and end the queue."""
    control = RunControl()  # commands before the first job change nothing
    try:
        while True:
            message = pickle.load(stream)
            match message:
                case RunJob():
                    control = RunControl(on_hold)
                    jobs.put((message, control))
                case Command.PAUSE:
                    control.pause()
                case Command.RESUME:
                    control.resume()
                case Command.STOP:
                    control.stop()
                case _:
                    raise ValueError(f"unknown message {message!r}")
    except Exception:  # the input ended (or made no sense): the same to the child
        control.stop()
        jobs.put(None)


class Sender:
    """The child's listener: steps become StepPoints sent in batches, other events go at once
    (after the steps before them). Once the app is gone it sends nothing more. Threads (the
    run's, the baseline's, a pause's flush) take turns: messages never interleave."""

    def __init__(self, channel: BinaryIO) -> None:
        self.channel = channel
        self.steps: list[StepPoint] = []
        self.sent = 0.0
        self.open = True
        self.lock = threading.RLock()

    def __call__(self, event) -> None:
        with self.lock:
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
        with self.lock:
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
