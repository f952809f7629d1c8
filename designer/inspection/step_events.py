"""A profiled training step's time split by what spent it: each layer's forward range, the
backward functions traced back to the layer whose forward op made them (autograd's sequence
numbers link the two), the loss and the optimizer."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from designer.inspection.layer_ranges import RANGE

STEP = "netdesigner step"
LOSS = "netdesigner loss"
BACKWARD = "autograd::engine::evaluate_function: "
OPTIMIZER = ("Optimizer.step#", "Optimizer.zero_grad#")


@dataclass
class StepCosts:
    """One step's microseconds: all of it, each layer's forward and backward by path (a
    block's with its inside), the loss's forward and backward, the optimizer's work."""

    step: float
    forward: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    backward: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    loss: float = 0.0
    optimizer: float = 0.0


def step_costs(events) -> list[StepCosts]:
    """The costs of each STEP range among a profiler's `events`, in the order they ran."""
    steps = sorted((event for event in events if event.name == STEP), key=start)
    starts = [start(step) for step in steps]
    inside: list[list] = [[] for _ in steps]
    for event in events:
        index = bisect.bisect_right(starts, start(event)) - 1
        if event.name != STEP and index >= 0 and end(event) <= end(steps[index]):
            inside[index].append(event)
    return [
        costs_of(step, sorted(within, key=start))
        for step, within in zip(steps, inside, strict=True)
    ]


def costs_of(step, events: list) -> StepCosts:
    costs = StepCosts(duration(step))
    maker: dict[int, str | None] = {}  # sequence number -> the layer (or loss) that made it
    for event in events:
        if event.name.startswith(RANGE):
            costs.forward[event.name.removeprefix(RANGE)] += duration(event)
        elif event.name == LOSS:
            costs.loss += duration(event)
        elif event.name.startswith(OPTIMIZER):
            costs.optimizer += duration(event)
        elif event.sequence_nr >= 0 and not event.name.startswith(BACKWARD):
            maker.setdefault(event.sequence_nr, enclosing_range(event))
    previous = None
    for event in events:
        if not event.name.startswith(BACKWARD):
            continue
        # Accumulating a parameter's gradient has no sequence number: it follows the
        # backward function of the layer that owns the parameter.
        owner = maker.get(event.sequence_nr) if event.sequence_nr >= 0 else previous
        previous = owner
        if owner == LOSS:
            costs.loss += duration(event)
        elif owner is not None:
            for path in with_blocks(owner):
                costs.backward[path] += duration(event)
    return costs


def enclosing_range(event) -> str | None:
    """The innermost layer range (its path) or the loss holding `event`; None outside all."""
    parent = event.cpu_parent
    while parent is not None:
        if parent.name.startswith(RANGE):
            return parent.name.removeprefix(RANGE)
        if parent.name == LOSS:
            return LOSS
        parent = parent.cpu_parent
    return None


def with_blocks(path: str) -> list[str]:
    """`path` and the blocks holding it: "b1.inner.conv" -> b1.inner.conv, b1.inner, b1."""
    parts = path.split(".")
    return [".".join(parts[:count]) for count in range(len(parts), 0, -1)]


def start(event) -> float:
    return event.time_range.start


def end(event) -> float:
    return event.time_range.end


def duration(event) -> float:
    return event.time_range.elapsed_us()
