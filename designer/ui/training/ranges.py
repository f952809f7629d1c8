"""A plot's y range that moves in steps rather than with every point.

pyqtgraph's auto-range follows every new value, and each change of range lays the axis labels
out again (about 7 ms a time, in the GUI thread): a falling loss re-ranged the plot at every
frame. This range grows to hold new values with some headroom and shrinks only once the values
fill less than half of it, so it changes a handful of times a run."""

from __future__ import annotations

import math

import pyqtgraph as pg

HEADROOM = 0.2  # of the span, added above and below: a growing range grows by 40% a step
FILL = 0.5  # the range shrinks when the values span less than this part of it
ZERO_BASE = 0.5  # values never below zero that reach down to this part of their top start at 0


class SteppedRange:
    """Sets the y range of `widget` from the bounds of what it shows. A user who zooms, pans or
    presses the plot's auto-range button takes the range over until `reset`."""

    def __init__(self, widget: pg.PlotWidget) -> None:
        self.view = widget.getPlotItem().getViewBox()
        self.shown: tuple[float, float] | None = None
        self.log = False
        self.reset()

    def reset(self, log: bool = False) -> None:
        """Forget the range; values come as log10 from now on if `log`."""
        self.view.enableAutoRange(y=False)
        self.shown, self.log = None, log

    def taken_over(self) -> bool:
        if self.view.autoRangeEnabled()[1]:
            return True
        if self.shown is None:
            return False
        low, high = self.view.viewRange()[1]
        span = self.shown[1] - self.shown[0]
        return abs(low - self.shown[0]) > 1e-6 * span or abs(high - self.shown[1]) > 1e-6 * span

    def fit(self, low: float, high: float) -> None:
        """Make room for values from `low` to `high` (log10 of them in log mode)."""
        if not (math.isfinite(low) and math.isfinite(high)) or self.taken_over():
            return
        span = high - low
        if self.shown is not None:
            shown_low, shown_high = self.shown
            shown_span = shown_high - shown_low
            if shown_low <= low and high <= shown_high and span >= FILL * shown_span:
                return
            if span >= FILL * shown_span:  # growing: step by the range shown, not the values
                span = max(span, shown_span)
        pad = HEADROOM * span if span > 0 else max(abs(high) * 0.1, 1e-9)
        bottom = low - pad
        if not self.log and (0 <= low <= ZERO_BASE * high or low >= 0 > bottom):
            bottom = 0.0  # a loss falling towards zero then never leaves the range below
        self.view.setYRange(bottom, high + pad, padding=0)
        self.shown = tuple(self.view.viewRange()[1])
