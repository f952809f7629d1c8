"""Text progress for the command line: a tqdm bar with loss, speed and ETA, and the final
scores as people read them and as JSON."""

from __future__ import annotations

from typing import Any, TextIO

from tqdm import tqdm

from designer.training.events import (
    BaselineFitted,
    EndReason,
    EpochDone,
    RunFailed,
    RunFinished,
    RunStarted,
    StepDone,
)


class ProgressPrinter:
    """A listener; on a terminal, a tqdm bar per epoch (batches, loss, samples/s, elapsed and
    ETA) above the epoch lines; elsewhere, the epoch lines alone."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.steps = self.epochs = 0
        self.bar: tqdm | None = None

    def __call__(self, event: Any) -> None:
        if isinstance(event, RunStarted):
            self.steps, self.epochs = event.steps_per_epoch, event.epochs
            where = f" in {event.run_dir}" if event.run_dir else ""
            resumed = f", resuming after step {event.first_step}" if event.first_step else ""
            self.write(f"training on {event.device}{where}{resumed}\n")
        elif isinstance(event, StepDone) and self.live:
            if self.bar is None:
                self.bar = tqdm(
                    total=self.steps,
                    initial=event.batch - 1,
                    desc=f"epoch {event.epoch}/{self.epochs}",
                    unit="batch",
                    file=self.stream,
                    leave=False,
                    dynamic_ncols=True,
                )
            accuracy = f" acc {event.accuracy:.3f}" if event.accuracy is not None else ""
            self.bar.set_postfix_str(f"loss {event.loss:.4f}{accuracy}", refresh=False)
            self.bar.update(1)
        elif isinstance(event, EpochDone):
            self.close_bar()
            self.write(self.epoch_line(event) + "\n")
            for message in event.skipped:
                self.write(f"left out of training: {message}\n")
        elif isinstance(event, RunFinished | RunFailed):
            self.close_bar()
            if isinstance(event, RunFinished) and event.reason == EndReason.STOPPED:
                self.write(f"stopped at epoch {event.epoch}, step {event.step}\n")

    def close_bar(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def epoch_line(self, event: EpochDone) -> str:
        train = " ".join(f"{k} {v:.4f}" for k, v in event.train.items())
        val = " ".join(f"{k} {v:.4f}" for k, v in event.val.items() if k in SHOWN)
        best = " *" if event.improved else ""
        seconds = f"({event.seconds:.1f} s){best}"
        left_out = f" [{event.skipped_total} unreadable left out]" if event.skipped_total else ""
        return f"epoch {event.epoch}/{self.epochs}: train {train} | val {val} {seconds}{left_out}"


SHOWN = ("loss", "accuracy", "f1", "mae", "r2")


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
