"""A run's readable label: its number, optimizer and learning rate, epochs and start time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

OPTIMIZER_NAMES = {
    "adam": "Adam",
    "adamw": "AdamW",
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}
SEPARATOR = " \u00b7 "


def started_at(run_id: str) -> datetime | None:
    """When a run started, read from its id (20261206-143200, or with a -2 after it)."""
    try:
        return datetime.strptime(run_id[:15], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def moment_words(moment: datetime, today: date) -> str:
    """14:32 today, 6 Dec 14:32 this year, else 6 Dec 2025 14:32."""
    if moment.date() == today:
        return moment.strftime("%H:%M")
    if moment.year == today.year:
        return f"{moment.day} {moment:%b %H:%M}"
    return f"{moment.day} {moment:%b %Y %H:%M}"


def optimizer_words(resolved: dict[str, Any]) -> str | None:
    """ "Adam 0.003", from the run's resolved training settings."""
    optimizer = resolved.get("optimizer")
    if not isinstance(optimizer, dict) or not isinstance(optimizer.get("name"), str):
        return None
    name = OPTIMIZER_NAMES.get(optimizer["name"], optimizer["name"])
    rate = optimizer.get("lr")
    if isinstance(rate, int | float) and not isinstance(rate, bool):
        return f"{name} {rate:.3g}"
    return name


def default_label(
    number: int, run_id: str, config: dict[str, Any], epochs_done: int, today: date
) -> str:
    """ "Run 3 · Adam 0.003 · 20 epochs · 14:32": what the run set out to do and when. The
    epochs are those planned, or those done when a resumed run went past them."""
    resolved = config.get("resolved")
    resolved = resolved if isinstance(resolved, dict) else {}
    parts = [f"Run {number}"]
    optimizer = optimizer_words(resolved)
    if optimizer is not None:
        parts.append(optimizer)
    planned = resolved.get("epochs")
    epochs = max(planned if isinstance(planned, int) else 0, epochs_done)
    if epochs:
        parts.append(f"{epochs} epoch" + ("s" if epochs != 1 else ""))
    moment = started_at(run_id)
    if moment is not None:
        parts.append(moment_words(moment, today))
    return SEPARATOR.join(parts)
