"""A sweep in words: a line per finished trial and a table of the study's trials."""

from __future__ import annotations

from typing import Any

from optuna.trial import FrozenTrial, TrialState

from designer.sweep.search import Objective, trial_values
from designer.sweep.space import SearchSpace
from designer.sweep.trials import EPOCHS, FAILURE, INTERRUPTED, RUN, SECONDS

STATES = {
    TrialState.COMPLETE: "complete",
    TrialState.PRUNED: "pruned",
    TrialState.FAIL: "failed",
    TrialState.RUNNING: "running",
    TrialState.WAITING: "waiting",
}


def shown(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, tuple):
        return "x".join(str(part) for part in value)
    return str(value)


def state_of(trial: FrozenTrial) -> str:
    return "interrupted" if trial.user_attrs.get(INTERRUPTED) else STATES[trial.state]


def trial_line(
    trial: FrozenTrial, space: SearchSpace, objective: Objective, best: FrozenTrial | None
) -> str:
    """trial 3 · hidden1.units=32 training.optimizer.lr=0.0123 · val_loss 0.0812 · pruned
    after 4 epochs · best 0.0712 (trial 1) · run 20261207-184500-2"""
    values = " ".join(
        f"{space.labels()[key]}={shown(value)}" for key, value in trial_values(trial, space).items()
    )
    parts = [f"trial {trial.number}", values]
    if trial.value is not None:
        parts.append(f"{objective.monitor} {shown(trial.value)}")
    state = state_of(trial)
    epochs = trial.user_attrs.get(EPOCHS)
    parts.append(f"{state} after {epochs} epochs" if epochs and state != "complete" else state)
    if FAILURE in trial.user_attrs:
        parts.append(trial.user_attrs[FAILURE])
    if best is not None:
        parts.append(f"best {shown(best.value)} (trial {best.number})")
    if RUN in trial.user_attrs:
        parts.append(f"run {trial.user_attrs[RUN]}")
    return " · ".join(part for part in parts if part)


def trial_table(trials: list[FrozenTrial], space: SearchSpace, objective: Objective) -> str:
    """The trials with values, best first by score, then the rest by number."""
    labels = [swept.label for swept in space.params]
    header = ["trial", "state", *labels, objective.monitor, "epochs", "seconds", "run"]
    scored = sorted(
        (trial for trial in trials if trial.value is not None),
        key=lambda trial: trial.value if objective.minimize else -trial.value,
    )
    rest = sorted((trial for trial in trials if trial.value is None), key=lambda t: t.number)
    rows = [header]
    for trial in [*scored, *rest]:
        values = trial_values(trial, space)
        rows.append(
            [
                str(trial.number),
                state_of(trial),
                *(
                    shown(values[swept.key]) if swept.key in values else ""
                    for swept in space.params
                ),
                shown(trial.value) if trial.value is not None else "",
                str(trial.user_attrs.get(EPOCHS, "")),
                shown(float(trial.user_attrs[SECONDS])) if SECONDS in trial.user_attrs else "",
                str(trial.user_attrs.get(RUN, "")),
            ]
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )
