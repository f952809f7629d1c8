"""An overall deadline for the checking a command does (loading, shapes, tracing): on absurd
input it gives up with a message and exit 2 instead of working on for ever."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "NETDESIGNER_DEADLINE"
DEFAULT_SECONDS = 120.0
GAVE_UP = 2


def deadline_seconds() -> float:
    """The seconds set in NETDESIGNER_DEADLINE, or the default; 0 means no deadline."""
    text = os.environ.get(VARIABLE, "").strip()
    try:
        seconds = float(text) if text else DEFAULT_SECONDS
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds == float("inf"):
        print(
            f"netdesigner: {VARIABLE}={text!r} is not a number of seconds; using "
            f"{DEFAULT_SECONDS:g}",
            file=sys.stderr,
        )
        return DEFAULT_SECONDS
    return seconds


@contextmanager
def deadline(verb: str, doing: str) -> Iterator[None]:
    """Within the block, `verb` (the command) is `doing` something; past the deadline the
    process says so and ends with exit 2. A watchdog thread ends it, so that a step stuck in
    compiled code (torch) or in a user module's code ends too."""
    seconds = deadline_seconds()
    if not seconds:
        yield
        return
    watchdog = threading.Timer(seconds, give_up, (verb, doing, seconds))
    watchdog.daemon = True
    watchdog.start()
    try:
        yield
    finally:
        watchdog.cancel()


def give_up(verb: str, doing: str, seconds: float) -> None:
    sys.stderr.write(
        f"netdesigner: {verb} gave up after {seconds:g} s {doing}: input this large or this "
        f"tangled is past what it checks in time (set {VARIABLE} to more seconds, 0 for no "
        "limit, to let it go on)\n"
    )
    sys.stderr.flush()
    os._exit(GAVE_UP)
