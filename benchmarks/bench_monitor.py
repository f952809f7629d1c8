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


class Trained:
    """One run's training time per epoch, as its run folder records it (steps only: the same
    figure for a run in the app's child process and one headless here)."""

    def __init__(self, run_dir: Path, samples_per_epoch: int) -> None:
        from designer.training import RunFolder

        records = RunFolder(run_dir).records()
        self.seconds = [record["seconds"] for record in records if "seconds" in record]
        self.samples = samples_per_epoch * len(self.seconds)
        self.gui_cpu = 0.0  # the GUI thread's, for runs with the window

    @property
    def wall(self) -> float:
        return sum(self.seconds)

    @property
    def rate(self) -> float:
        return self.samples / self.wall


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


def gui_run(
    app, panel: TrainPanel, beat: Heartbeat, spent: Spent, samples: int
) -> tuple[Trained, list[float]]:
    """Press Start in the panel and let the event loop run until the session ends."""
    from designer.training import RunFailed, RunStarted

    started: list[RunStarted] = []
    failed: list[RunFailed] = []

    def note(event) -> None:
        if isinstance(event, RunStarted):  # lateness while training: not the child's start
            started.append(event)
            late.clear()
        elif isinstance(event, RunFailed):
            failed.append(event)

    panel.session.event_emitted.connect(note)
    late = beat.record()
    spent.on = True
    gui_cpu = time.thread_time()
    panel.start_button.click()
    wait_for(app, panel.session.ended)
    gui_cpu = time.thread_time() - gui_cpu
    spent.on = False
    beat.stop_recording()
    panel.session.event_emitted.disconnect(note)
    if failed or not started:
        raise SystemExit(f"the run failed: {failed[0].message if failed else 'no start'}")
    trained = Trained(started[0].run_dir, samples)
    trained.gui_cpu = gui_cpu
    return trained, late


def headless_run(project_path: Path, settings: dict) -> Trained:
    """What `designer train` does: prepare and train in this thread, into a run folder."""
    from designer.project import load_project
    from designer.training import RunFailed, Trainer, new_run, prepare_run

    setup = prepare_run(load_project(project_path), training=settings)
    run = new_run(project_path)
    result = Trainer(setup, run).run()
    if isinstance(result, RunFailed):
        raise SystemExit(f"the run failed: {result.message}")
    return Trained(run.root, len(setup.data.train))


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

    from designer.project import load_project
    from designer.training import prepare_run

    per_epoch = len(prepare_run(load_project(project_path), training=settings).data.train)

    print(
        f"PySide6 {PYSIDE_VERSION} ({os.environ['QT_QPA_PLATFORM']}), torch {torch.__version__},"
        f" Python {platform.python_version()}, {os.cpu_count()} CPUs, load average"
        f" {os.getloadavg()[0]:.2f}; LeNet-5 on digits, {EPOCHS} epochs, batch"
        f" {settings['batch_size']}, device {settings['device']}; {ROUNDS} rounds of one run"
        f" with the window and one headless, alternating; heartbeat every {BEAT_MS} ms"
    )
    print(
        "window runs train in the app's training process (started when the Training tab"
        " opened); throughput is samples over the epochs' training seconds that each run's"
        " folder records; lateness counts from each window run's start"
    )
    idle = beat.record()
    settle_loop(app, IDLE_SECONDS)
    beat.stop_recording()
    print(
        f"idle window (no run):  heartbeat late p50 {ms(quantile(idle, 0.5))}"
        f"  p99 {ms(quantile(idle, 0.99))}  max {ms(max(idle))}  ({len(idle)} beats)"
    )

    late: list[float] = []
    windowed: list[Trained] = []
    headless: list[Trained] = []
    for number in range(ROUNDS):
        for kind in ("gui", "headless") if number % 2 == 0 else ("headless", "gui"):
            if kind == "gui":
                trained, beats = gui_run(app, panel, beat, spent, per_epoch)
                windowed.append(trained)
                late.extend(beats)
                print(
                    f"round {number + 1} window:   {trained.rate:5.0f} samples/s"
                    f"  epochs {trained.wall:5.2f} s  GUI thread CPU {trained.gui_cpu:5.2f} s"
                    f"  heartbeat p99 {ms(quantile(beats, 0.99))} max {ms(max(beats))}"
                )
            else:
                trained = headless_run(project_path, settings)
                headless.append(trained)
                print(
                    f"round {number + 1} headless: {trained.rate:5.0f} samples/s"
                    f"  epochs {trained.wall:5.2f} s"
                )
    beat.timer.stop()
    from designer.runtime.devices import thread_count
    from designer.training.config import parse_training

    print(
        f"trainer's torch threads {thread_count(parse_training(settings).threads)}"
        f" (training.threads {settings.get('threads', 'auto')}), GUI thread's"
        f" {torch.get_num_threads()}"
    )

    # Each round's two runs sit side by side in time, so their ratio cancels the slow drifts
    # of a shared machine that a ratio of the two medians keeps.
    ratio = statistics.median(g.rate / h.rate for g, h in zip(windowed, headless, strict=True))
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
    gui_rate = statistics.median(p.rate for p in windowed)
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
