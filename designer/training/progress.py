"""Text progress for the command line: a bar with loss, metric, speed and ETA, and the final
scores as people read them and as JSON."""

from __future__ import annotations

import time
from typing import Any, TextIO

from designer.training.events import (
    BaselineFitted,
    EndReason,
    EpochDone,
    RunFinished,
    RunStarted,
    StepDone,
)

BAR = 24
REFRESH_SECONDS = 0.1


class ProgressPrinter:
    """A listener; redraws one line per epoch on a terminal, prints whole lines elsewhere."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.steps = self.epochs = 0
        self.started = self.drawn = 0.0
        self.samples = 0
        self.first_step = 0

    def __call__(self, event: Any) -> None:
        if isinstance(event, RunStarted):
            self.steps, self.epochs = event.steps_per_epoch, event.epochs
            self.first_step = event.first_step
            self.started = time.perf_counter()
            where = f" in {event.run_dir}" if event.run_dir else ""
            resumed = f", resuming after step {event.first_step}" if event.first_step else ""
            self.write(f"training on {event.device}{where}{resumed}\n")
        elif isinstance(event, StepDone):
            self.samples += event.samples
            now = time.perf_counter()
            if self.live and (now - self.drawn >= REFRESH_SECONDS or event.batch == self.steps):
                self.drawn = now
                self.write("\r" + self.step_line(event, now))
        elif isinstance(event, EpochDone):
            self.write(("\r" if self.live else "") + self.epoch_line(event) + "\n")
        elif isinstance(event, RunFinished) and event.reason == EndReason.STOPPED:
            self.write(f"stopped at epoch {event.epoch}, step {event.step}\n")

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def step_line(self, event: StepDone, now: float) -> str:
        done = event.batch / max(1, self.steps)
        bar = "#" * round(BAR * done) + "." * (BAR - round(BAR * done))
        elapsed = max(1e-9, now - self.started)
        speed = self.samples / elapsed
        steps_done = event.step - self.first_step
        left = self.epochs * self.steps - event.step
        eta = elapsed / max(1, steps_done) * left
        accuracy = f" acc {event.accuracy:.3f}" if event.accuracy is not None else ""
        return (
            f"epoch {event.epoch}/{self.epochs} [{bar}] {event.batch}/{self.steps} "
            f"loss {event.loss:.4f}{accuracy} {speed:,.0f} samples/s ETA {clock(eta)}"
        )

    def epoch_line(self, event: EpochDone) -> str:
        train = " ".join(f"{k} {v:.4f}" for k, v in event.train.items())
        val = " ".join(f"{k} {v:.4f}" for k, v in event.val.items() if k in SHOWN)
        best = " *" if event.improved else ""
        seconds = f"({event.seconds:.1f} s){best}"
        return f"epoch {event.epoch}/{self.epochs}: train {train} | val {val} {seconds}"


SHOWN = ("loss", "accuracy", "f1", "mae", "r2")


def clock(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}"


def final_scores(
    finished: RunFinished, baseline: BaselineFitted | None, run_id: str
) -> dict[str, Any]:
    """The shape --metrics-json writes: val, test and the baseline's scores."""
    scores: dict[str, Any] = {
        "run": run_id,
        "reason": finished.reason,
        "epochs": finished.epoch,
        "steps": finished.step,
        "val": finished.val,
        "test": finished.test,
    }
    if baseline is not None:
        scores["baseline"] = {"model": baseline.model, "val": baseline.val, "test": baseline.test}
    return scores


def score_lines(scores: dict[str, Any]) -> list[str]:
    lines = []
    for part in ("val", "test"):
        if scores.get(part):
            shown = ", ".join(f"{k} {v:.4f}" for k, v in scores[part].items() if k in SHOWN)
            lines.append(f"{part}: {shown}")
    baseline = scores.get("baseline")
    if baseline:
        shown = ", ".join(f"{k} {v:.4f}" for k, v in baseline["val"].items())
        lines.append(f"baseline ({baseline['model']}) val: {shown}")
    return lines
