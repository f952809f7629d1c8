"""Shapes without waiting: `validate`, `summary` and the window's shapes, each in a new process,
with the shape cache cold (an empty folder) and warm (the project seen before)."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER_VARIABLE = "NETDESIGNER_SHAPE_CACHE_DIR"  # designer.compiler.shape_cache's
GOAL_S = 1.0  # warm: validate and summary done, shapes on screen

# The window as `netdesigner FILE` opens it (torch loading in the background meanwhile);
# marks are seconds since the parent spawned the process.
WINDOW = r"""
import json, sys, time
T0 = float(sys.argv[1])
from PySide6.QtCore import QEvent, QObject, QTimer
from designer.ui.app import application, open_window
marks = {}

def mark(name):
    marks.setdefault(name, time.perf_counter() - T0)

class Painted(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, after_paint)
        return False

def after_paint():
    handle = window.windowHandle()
    if handle is not None and handle.isExposed():
        mark("shown")
        if "shapes" in marks:
            mark("shapes painted")
            app.quit()

app = application()
window = open_window(sys.argv[2])
if window.editor._report is not None:
    mark("shapes")  # analysed inside open_window, from the cache
window.editor.analysis_changed.connect(lambda report: mark("shapes"))
watcher = Painted()
window.view.viewport().installEventFilter(watcher)
QTimer.singleShot(180_000, app.quit)
app.exec()
print(json.dumps(marks))
"""


def run(args: list[str], cache: Path) -> tuple[float, float, str]:
    """Wall seconds from spawn to exit, CPU seconds of the process, and its last line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()  # CLOCK_MONOTONIC: the same clock in the child
    done = subprocess.run(
        [sys.executable, *[arg.replace("{start}", repr(start)) for arg in args]],
        cwd=ROOT,
        env={**os.environ, FOLDER_VARIABLE: str(cache), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{args} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, (done.stdout.strip().splitlines() or [""])[-1]


def command(verb: str, project: Path, cache: Path) -> tuple[float, float]:
    wall, cpu, _ = run(["-m", "designer.ui.launch", verb, str(project)], cache)
    return wall, cpu


def window(project: Path, cache: Path) -> dict[str, float]:
    _, _, line = run(["-c", WINDOW, "{start}", str(project)], cache)
    marks = json.loads(line)
    if "shapes painted" not in marks:
        raise SystemExit(f"the window did not show the shapes of {project.name}: {marks}")
    return marks


def measure(project: Path, runs: int) -> dict[str, dict[str, list[float]]]:
    """Each measure `runs` times, cold and warm by turns so that the load hits both alike."""
    times: dict[str, dict[str, list[float]]] = {}

    def add(name: str, state: str, value: float) -> None:
        times.setdefault(name, {}).setdefault(state, []).append(value)

    with tempfile.TemporaryDirectory(prefix="shapes-bench-") as folder:
        warm = Path(folder) / "warm"
        command("validate", project, warm)  # the project seen before
        for index in range(runs):
            for verb in ("validate", "summary"):
                wall, cpu = command(verb, project, Path(folder) / f"cold-{verb}-{index}")
                add(verb, "cold", wall)
                add(f"{verb} CPU", "cold", cpu)
                wall, cpu = command(verb, project, warm)
                add(verb, "warm", wall)
                add(f"{verb} CPU", "warm", cpu)
            for state, cache in (("cold", Path(folder) / f"cold-window-{index}"), ("warm", warm)):
                marks = window(project, cache)
                add(
                    "window: shapes after the window shows",
                    state,
                    max(0.0, marks["shapes painted"] - marks["shown"]),
                )
                add("window: shapes painted since spawn", state, marks["shapes painted"])
    return times


def reference(runs: int) -> tuple[float, float]:
    """A bare interpreter, and one that imports torch: what every process pays at least."""
    with tempfile.TemporaryDirectory() as folder:
        bare = [run(["-c", "pass"], Path(folder))[0] for _ in range(runs)]
        torch = [run(["-c", "import torch"], Path(folder))[0] for _ in range(runs)]
    return statistics.median(bare), statistics.median(torch)


def report(project: Path, times: dict[str, dict[str, list[float]]]) -> None:
    print(f"\n{project.relative_to(ROOT)} (median of {len(times['validate']['cold'])} runs)")
    print(f"  {'':40s} {'cold':>8s} {'warm':>8s} {'cold/warm':>10s}  warm vs goal {GOAL_S:.1f} s")
    for name, states in times.items():
        cold, warm = statistics.median(states["cold"]), statistics.median(states["warm"])
        ratio = f"{cold / warm:9.1f}x" if warm >= 0.01 else f"{'-':>10s}"
        goal = ""
        if "CPU" not in name and "since spawn" not in name:
            goal = f"{warm / GOAL_S:4.2f}x, {'ok' if warm <= GOAL_S else 'OVER GOAL'}"
        print(f"  {name:40s} {cold:7.2f}s {warm:7.2f}s {ratio}  {goal}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("projects", nargs="*", default=["projects/mlp_iris.json"])
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start")
    bare, torch = reference(options.runs)
    print(f"reference: python -c pass {bare:.2f} s, python -c 'import torch' {torch:.2f} s")
    for name in options.projects:
        project = (ROOT / name).resolve()
        report(project, measure(project, options.runs))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
