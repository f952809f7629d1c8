"""The seconds a run has trained: the time since it started less the time it was paused."""

from __future__ import annotations

import math


class RunClock:
    """Times are time.monotonic(), the clock the training process stamps its steps with, so
    that a step's time and a click's can be compared. Samples per second and the ETA divide by
    `trained`, which leaves every pause out."""

    def __init__(self, start: float = 0.0) -> None:
        self.start = start
        self.pauses: list[tuple[float, float]] = []  # (from, until); a pause under way: inf

    def pause(self, now: float) -> None:
        if not self.paused:
            self.pauses.append((now, math.inf))

    def resume(self, now: float) -> None:
        if self.paused:
            self.pauses[-1] = (self.pauses[-1][0], now)

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and math.isinf(self.pauses[-1][1])

    def trained(self, at: float) -> float:
        """Seconds trained from the start until `at`, pauses left out."""
        paused = sum(
            max(0.0, min(at, until) - max(begin, self.start)) for begin, until in self.pauses
        )
        return max(0.0, at - self.start - paused)
