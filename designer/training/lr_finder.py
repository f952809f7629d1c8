"""The learning-rate finder: raise the rate exponentially batch by batch on a fresh copy of
the network, watch the smoothed loss, and propose a rate where it falls fastest (fastai's)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from designer.runtime.devices import thread_count
from designer.runtime.freezing import frozen_during, keep_frozen_statistics
from designer.runtime.loading import feed
from designer.runtime.settings import make_optimizer
from designer.training.setup import RunSetup


@dataclass(frozen=True)
class LrSweep:
    """Rates tried, the smoothed loss at each, and the proposed rate (None if none fell)."""

    rates: tuple[float, ...]
    losses: tuple[float, ...]
    suggestion: float | None


def find_lr(
    setup: RunSetup,
    start: float = 1e-6,
    end: float = 1.0,
    steps: int = 100,
    smoothing: float = 0.9,
    beside_window: bool = False,
) -> LrSweep:
    """Sweep from `start` to `end` over `steps` batches; stops early once the loss explodes.
    `beside_window` leaves a core to the window (the app sweeps in a thread of its own)."""
    previous = torch.get_num_threads()
    torch.set_num_threads(thread_count(setup.config.threads, window=beside_window))
    try:
        return sweep(setup, start, end, steps, smoothing)
    finally:
        torch.set_num_threads(previous)


def sweep(setup: RunSetup, start: float, end: float, steps: int, smoothing: float) -> LrSweep:
    model = setup.build_model()
    optimizer = make_optimizer(model, setup.settings, start)
    batcher = feed(setup.data.train, setup.config.batch_size, setup.loading, setup.device, True)
    shuffle = torch.Generator().manual_seed(setup.config.seed)
    factor = (end / start) ** (1 / max(1, steps - 1))
    rates, losses, average, best = [], [], 0.0, math.inf
    batches = iter(())
    model.train()
    keep_frozen_statistics(model, frozen_during(setup.settings, 1))
    # Each parameter group keeps its share of the rate (the backbone's factor).
    shares = [group["lr"] / start for group in optimizer.param_groups]
    for number in range(steps):
        rate = start * factor**number
        for group, share in zip(optimizer.param_groups, shares, strict=True):
            group["lr"] = rate * share
        batch = next(batches, None)
        if batch is None:
            batches = batcher.shuffled(batcher.order(shuffle))
            batch = next(batches)
        x, y = batch
        loss = setup.loss.function(model(x), y)
        value = loss.item()
        if not math.isfinite(value):
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        average = smoothing * average + (1 - smoothing) * value
        smoothed = average / (1 - smoothing ** (number + 1))
        rates.append(rate)
        losses.append(smoothed)
        best = min(best, smoothed)
        if smoothed > 4 * best and number > 5:
            break
    return LrSweep(tuple(rates), tuple(losses), suggest(rates, losses))


def suggest(rates: list[float], losses: list[float]) -> float | None:
    """The rate at the steepest fall of the loss against log(rate), before its minimum."""
    lowest = losses.index(min(losses)) if losses else 0
    if lowest < 2:
        return None
    slopes = [
        (losses[i + 1] - losses[i]) / (math.log(rates[i + 1]) - math.log(rates[i]))
        for i in range(lowest)
    ]
    steepest = min(range(len(slopes)), key=slopes.__getitem__)
    return rates[steepest] if slopes[steepest] < 0 else None
