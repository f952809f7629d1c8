"""Ctrl+C in a command: one line and the exit code a shell gives (130), no traceback."""

from __future__ import annotations

import signal
import sys

INTERRUPTED = 130  # 128 + SIGINT


def interrupted() -> int:
    """Say the command was interrupted; a further Ctrl+C while the process ends is ignored,
    so that nothing cuts the exit short. Returns the exit code."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("netdesigner: interrupted", file=sys.stderr)
    return INTERRUPTED
