"""The Train panel in the full window: GUI heartbeat lateness and throughput vs headless."""

from __future__ import annotations

import functools
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, qInstallMessageHandler

from designer.ui.app import application, open_window
from designer.ui.training.panel import TrainPanel
from designer.ui.training.session import TrainingWorker

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "projects" / "lenet5_digits.json"
# A shared machine's speed drifts by up to 15% over seconds: many short rounds, each a run
# with the window beside a headless one, give a steadier median than a few long ones.
EPOCHS = 6  # about 2 s a run on 2 cores
ROUNDS = 9  # each round one run with the window and one headless, order alternating
BEAT_MS = 10
IDLE_SECONDS = 2.0
RUN_TIMEOUT_MS = 180_000
P99_GOAL_MS = 16.0
MAX_GOAL_MS = 100.0
RATIO_GOAL = 0.95


class Heartbeat(QObject):
    """A single-shot precise timer re-armed at every beat: each beat's lateness is how long
    after the BEAT_MS it asked for the GUI event loop got round to it."""

    def __init__(self) -> None:
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setSingleShot(True)
        self.timer.setInterval(BEAT_MS)
        self.timer.timeout.connect(self.beat)
        self.armed = 0.0
        self.late: list[float] | None = None  # seconds; None while not recording
        self.worst: list[tuple[float, float]] = []  # (lateness, when) of the worst beats

    def start(self) -> None:
        self.armed = time.perf_counter()
        self.timer.start()

    def record(self) -> list[float]:
        """Start a fresh list of lateness, re-armed now: the loop may have been held (a
        headless run) since the last beat, which is not lateness of the run to come."""
        self.late = []
        self.start()
        return self.late

    def stop_recording(self) -> None:
        self.late = None

    def beat(self) -> None:
        now = time.perf_counter()
        if self.late is not None:
            late = max(0.0, now - self.armed - BEAT_MS / 1000)
            self.late.append(late)
            if late > P99_GOAL_MS / 1000:
                self.worst.append((late, now))
        self.armed = now
        self.timer.start()


class Probe:
    """A trainer listener: wall and thread-CPU time from RunStarted to the run's end and the
    samples trained in between (runs in the trainer's thread)."""

    def __init__(self) -> None:
        self.samples = 0
        self.began = self.ended = 0.0
        self.cpu_began = self.cpu_ended = 0.0
        self.epoch_ends: list[float] = []
        self.gui_cpu = 0.0  # the GUI thread's, for runs with the window

    def __call__(self, event) -> None:
        from designer.training import EpochDone, RunFailed, RunFinished, RunStarted, StepDone

        if isinstance(event, StepDone):
            self.samples += event.samples
        elif isinstance(event, RunStarted):
            self.began, self.cpu_began = time.perf_counter(), time.thread_time()
        elif isinstance(event, EpochDone):
            self.epoch_ends.append(time.perf_counter())
        elif isinstance(event, RunFinished | RunFailed):
            self.ended, self.cpu_ended = time.perf_counter(), time.thread_time()
            if isinstance(event, RunFailed):
                raise SystemExit(f"the run failed: {event.message}")

    @property
    def wall(self) -> float:
        return self.ended - self.began

    @property
    def rate(self) -> float:
        return self.samples / self.wall

    @property
    def cpu_share(self) -> float:
        return (self.cpu_ended - self.cpu_began) / self.wall


class Spent:
    """GUI-thread seconds per call of the Train panel's handlers (wrapped before it exists)."""

    def __init__(self) -> None:
        self.calls: dict[str, list[float]] = defaultdict(list)
        self.on = False

    def wrap(self, owner: type, name: str) -> None:
        original = owner.__dict__[name]
        calls, spent = self.calls[f"{owner.__name__}.{name}"], self

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                if spent.on:
                    calls.append(time.perf_counter() - started)

        setattr(owner, name, timed)


GUI_PROBES: list[Probe] = []


def probe_worker() -> None:
    """Every run of the panel's worker also feeds a Probe: the worker hands the trainer its
    bound `listen`, looked up when the run starts, so wrapping the class is enough."""
    original = TrainingWorker.listen

    def listen(self, event) -> None:
        from designer.training import RunStarted

        if isinstance(event, RunStarted):
            GUI_PROBES.append(Probe())
        if GUI_PROBES:
            GUI_PROBES[-1](event)
        original(self, event)

    TrainingWorker.listen = listen


def settle(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def wait_for(app, signal) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(RUN_TIMEOUT_MS, loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


def gui_run(app, panel: TrainPanel, beat: Heartbeat, spent: Spent) -> tuple[Probe, list[float]]:
    """Press Start in the panel and let the event loop run until the session ends."""
    late = beat.record()
    spent.on = True
    gui_cpu = time.thread_time()
    panel.start_button.click()
    wait_for(app, panel.session.ended)
    gui_cpu = time.thread_time() - gui_cpu
    spent.on = False
    beat.stop_recording()
    probe = GUI_PROBES[-1]
    probe.gui_cpu = gui_cpu
    return probe, late


def headless_run(project_path: Path, settings: dict) -> Probe:
    """What `designer train` does: prepare and train in this thread, into a run folder."""
    from designer.project import load_project
    from designer.training import Trainer, new_run, prepare_run

    setup = prepare_run(load_project(project_path), training=settings)
    probe = Probe()
    Trainer(setup, new_run(project_path), None, [probe]).run()
    return probe


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def quiet_platform_warnings(_mode, _context, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's, at every show
        sys.stderr.write(message + "\n")


def main() -> int:
    began = time.perf_counter()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Settings, recent files and recovery copies go to a scratch folder, not the user's; runs
    # land beside the copied project there.
    scratch = tempfile.TemporaryDirectory(prefix="bench_monitor_")
    os.environ["XDG_CONFIG_HOME"] = os.environ["XDG_DATA_HOME"] = scratch.name
    project_path = Path(scratch.name) / EXAMPLE.name
    shutil.copy(EXAMPLE, project_path)
    qInstallMessageHandler(quiet_platform_warnings)
    spent = Spent()
    for name in ("drain", "on_event"):
        spent.wrap(TrainPanel, name)
    probe_worker()
    app = application()
    window = open_window(str(project_path))
    window.training_dock.raise_()
    beat = Heartbeat()
    beat.start()
    settle(app, 3.0)  # torch loads in the background, the first analysis paints the canvas
    panel = window.train_panel
    panel.epochs.setValue(EPOCHS)
    panel.fill_devices()
    settings = panel.training_settings()

    import torch  # loaded already, by the window's torch loader

    print(
        f"PySide6 {PYSIDE_VERSION} ({os.environ['QT_QPA_PLATFORM']}), torch {torch.__version__},"
        f" Python {platform.python_version()}, {os.cpu_count()} CPUs, load average"
        f" {os.getloadavg()[0]:.2f}; LeNet-5 on digits, {EPOCHS} epochs, batch"
        f" {settings['batch_size']}, device {settings['device']}; {ROUNDS} rounds of one run"
        f" with the window and one headless, alternating; heartbeat every {BEAT_MS} ms"
    )
    print(
        "a Start before torch and the trainer are imported (in the background) waits for that"
        " import, as in the app: round 1's window run includes any of it left"
    )
    idle = beat.record()
    settle_loop(app, IDLE_SECONDS)
    beat.stop_recording()
    print(
        f"idle window (no run):  heartbeat late p50 {ms(quantile(idle, 0.5))}"
        f"  p99 {ms(quantile(idle, 0.99))}  max {ms(max(idle))}  ({len(idle)} beats)"
    )

    late: list[float] = []
    gui_probes: list[Probe] = []
    headless: list[Probe] = []
    for number in range(ROUNDS):
        for kind in ("gui", "headless") if number % 2 == 0 else ("headless", "gui"):
            if kind == "gui":
                probe, beats = gui_run(app, panel, beat, spent)
                gui_probes.append(probe)
                late.extend(beats)
                print(
                    f"round {number + 1} window:   {probe.rate:5.0f} samples/s"
                    f"  run {probe.wall:5.2f} s"
                    f"  trainer thread CPU {probe.cpu_share:4.0%} of wall"
                    f"  GUI thread CPU {probe.gui_cpu:5.2f} s  heartbeat p99"
                    f" {ms(quantile(beats, 0.99))} max {ms(max(beats))}"
                )
            else:
                probe = headless_run(project_path, settings)
                headless.append(probe)
                print(
                    f"round {number + 1} headless: {probe.rate:5.0f} samples/s"
                    f"  run {probe.wall:5.2f} s"
                    f"  trainer thread CPU {probe.cpu_share:4.0%} of wall"
                )
    beat.timer.stop()
    from designer.training.config import parse_training
    from designer.training.device import thread_count

    print(
        f"trainer's torch threads {thread_count(parse_training(settings).threads)}"
        f" (training.threads {settings.get('threads', 'auto')}), GUI thread's"
        f" {torch.get_num_threads()}"
    )

    # Each round's two runs sit side by side in time, so their ratio cancels the slow drifts
    # of a shared machine that a ratio of the two medians keeps.
    ratio = statistics.median(g.rate / h.rate for g, h in zip(gui_probes, headless, strict=True))
    p50, p99, worst = quantile(late, 0.5), quantile(late, 0.99), max(late)
    print(
        f"heartbeat lateness while training ({len(late)} beats): p50 {ms(p50)}  p99 {ms(p99)}"
        f"  max {ms(worst)}  beats over {P99_GOAL_MS:.0f} ms: {len(beat.worst)}"
    )
    for label, calls in spent.calls.items():
        if calls:
            print(
                f"  GUI time in {label:22s} {len(calls):5d} calls  p50 {ms(quantile(calls, 0.5))}"
                f"  p99 {ms(quantile(calls, 0.99))}  max {ms(max(calls))}"
            )
    gui_rate = statistics.median(p.rate for p in gui_probes)
    headless_rate = statistics.median(p.rate for p in headless)
    print(
        f"samples/s: window {gui_rate:.0f}, headless {headless_rate:.0f}; ratio window/headless"
        f" {ratio:.3f} (median of rounds)"
    )
    met = p99 * 1000 <= P99_GOAL_MS and worst * 1000 <= MAX_GOAL_MS and ratio >= RATIO_GOAL
    print(
        f"goals: p99 <= {P99_GOAL_MS:.0f} ms, max <= {MAX_GOAL_MS:.0f} ms, ratio >="
        f" {RATIO_GOAL}: {'ok' if met else 'MISSED'}; total {time.perf_counter() - began:.0f} s"
    )
    window.close()
    settle(app, 0.2)
    scratch.cleanup()
    print(f"p99 {p99 * 1000:.1f}")
    print(f"max {worst * 1000:.1f}")
    print(f"ratio {ratio:.3f}")
    return 0 if met else 1


def settle_loop(app, seconds: float) -> None:
    """Run the real event loop (as during a run) for `seconds`."""
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()


if __name__ == "__main__":
    sys.exit(main())
