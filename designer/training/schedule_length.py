"""Whether a resumed run's schedule can go on for more epochs than it planned: one-cycle and
cosine fit their curve to the run's length, so stretching them would change the rates already
taken; the others have no set length and go on exactly as a longer plan would."""

from __future__ import annotations

from typing import Any

from torch.optim import lr_scheduler

from designer.runtime.schedules import Schedule
from designer.training.checkpoint import CheckpointError

# A scheduler whose curve is fitted to the run: its words, and the state entry of its length.
FITTED = (
    (lr_scheduler.OneCycleLR, "one-cycle", "total_steps"),
    (lr_scheduler.CosineAnnealingLR, "cosine", "T_max"),
)


def check_length(
    schedule: Schedule, saved: Any, run_id: str, epochs: int, steps_per_epoch: int
) -> None:
    """CheckpointError (at training.epochs) when `schedule`, built for `epochs`, is longer
    than the fitted schedule the run saved (`saved`, its state), saying what to do instead."""
    for kind, words, length in FITTED:
        if not isinstance(schedule.scheduler, kind) or not isinstance(saved, dict):
            continue
        before = saved.get(length)
        if isinstance(before, int) and getattr(schedule.scheduler, length) > before:
            planned = before // steps_per_epoch if schedule.per_step else before
            plural = "s" if planned != 1 else ""
            raise CheckpointError(
                f"run {run_id} has a {words} schedule planned for {planned} epoch{plural}, "
                f"whose rates are fitted to that length: it cannot go on to {epochs} epochs "
                f"exactly. Resume it for {planned} epoch{plural} at most, or start a new run "
                f"from its weights: --init-from {run_id} --epochs {epochs} (in the app: Load "
                "Best Weights)",
                "training.epochs",
            )
