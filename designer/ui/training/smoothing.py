"""TensorBoard's smoothing of a noisy curve: an exponential moving average, kept as it grows."""

from __future__ import annotations

import math

import numpy as np

DEFAULT_WEIGHT = 0.6  # TensorBoard's default


class ExponentialSmoothing:
    """Each value becomes weight * the previous smoothed value + (1 - weight) * itself,
    divided by 1 - weight ** n so that the first ones are not pulled towards zero (n counts
    the finite values so far). A value that is not finite is passed through and moves nothing.
    Values added since the last call are the only ones worked out."""

    def __init__(self, weight: float = DEFAULT_WEIGHT) -> None:
        self.weight = weight
        self.reset()

    def reset(self) -> None:
        self.smoothed = np.empty(0)
        self.last, self.count = 0.0, 0

    def set_weight(self, weight: float) -> None:
        self.weight = weight
        self.reset()

    def smooth(self, values: np.ndarray) -> np.ndarray:
        """The smoothed `values`; those smoothed last time must be their start (a shorter
        series starts again)."""
        done = len(self.smoothed)
        if len(values) < done:
            self.reset()
            done = 0
        weight, last, count = self.weight, self.last, self.count
        added = []
        for value in values[done:].tolist():
            if math.isfinite(value):
                last = weight * last + (1 - weight) * value
                count += 1
                value = last / (1 - weight**count)
            added.append(value)
        self.last, self.count = last, count
        self.smoothed = np.concatenate([self.smoothed, added])
        return self.smoothed
