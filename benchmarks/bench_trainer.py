"""The trainer against a plain 15-line PyTorch loop (same model, data and seed): epoch time
ratio and equal final weights; the cost of the app's live layer diagnostics; and the batch feed
against plain permutation slicing."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch
import torch.nn.functional as F

from designer.project import load_project
from designer.runtime.batches import Batcher
from designer.training import EpochDone, RunStarted, Trainer, prepare_run

PROJECTS = Path(__file__).resolve().parents[1] / "projects"
EPOCH_GOAL = 1.03
FEED_GOAL = 1.1
LAYER_STATS_GOAL = 1.02
LAYER_STATS_SECONDS = 1.0  # what the app samples at
CASES = {"lenet5_digits": (3, 7), "mlp_iris": (40, 21)}  # epochs per round, rounds


def plain_loop(setup, epochs: int) -> Iterator[torch.nn.Module | None]:
    """What a person writes by hand: shuffle, slice, step; a validation pass per epoch, and
    validation and test scores at the end (the trainer reports both too). Yields once set up
    and after each epoch, so that the benchmark can time epochs, and the model at the end."""
    model, (x, y), (vx, vy) = (
        setup.build_model(),
        astuple(setup.data.train),
        astuple(setup.data.val),
    )
    optimizer = torch.optim.Adam(model.parameters(), setup.config.optimizer.lr)
    shuffle, size = torch.Generator().manual_seed(setup.config.seed), setup.config.batch_size
    yield None
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=shuffle)
        for begin in range(0, len(x), size):
            index = order[begin : begin + size]
            loss = F.cross_entropy(model(x[index]), y[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            sum(
                float(F.cross_entropy(model(vx[i : i + size]), vy[i : i + size]))
                for i in range(0, len(vx), size)
            )
        yield None
    with torch.no_grad():
        for px, py in (astuple(setup.data.val), astuple(setup.data.test)):
            for i in range(0, len(px), size):
                float((model(px[i : i + size]).argmax(1) == py[i : i + size]).float().sum())
    yield model


def astuple(part) -> tuple[torch.Tensor, torch.Tensor]:
    return part.x, part.y


def trainer_loop(setup) -> Iterator[torch.nn.Module | None]:
    """The trainer, yielding once set up (as RunStarted comes) and after each epoch (as its
    EpochDone comes), and its model at the end."""
    trainer = Trainer(setup)
    for event in trainer.events():
        if isinstance(event, RunStarted | EpochDone):
            yield None
    yield trainer.model


def trainer_run(setup, layer_stats: float = 0.0) -> torch.nn.Module:
    trainer = Trainer(setup, layer_stats=layer_stats)
    trainer.run()
    return trainer.model


def plain_setup(name: str, epochs: int):
    project = load_project(PROJECTS / f"{name}.json")
    return prepare_run(
        project,
        epochs=epochs,
        threads=1,
        restore_best=False,
        baseline=False,
        schedule="none",
        early_stopping={},
        optimizer={"name": "adam", "lr": 0.001},
        mixed_precision=False,
    )


def timed(loop: Iterator) -> float:
    started = time.perf_counter()
    next(loop)
    return time.perf_counter() - started


def compare_training(name: str, epochs: int, rounds: int) -> float:
    """Each round trains both from the same seed, taking turns epoch by epoch (who goes first
    alternates), so each trainer epoch is timed beside a plain one: a shared machine's speed
    drifts over seconds, which a ratio of whole runs keeps. Set-up and the final scores of
    each run are not epoch time and are not timed."""
    setup = plain_setup(name, epochs)
    times = {"plain": [], "trainer": []}
    models = {}
    for _ in range(rounds):
        loops = {"plain": plain_loop(setup, epochs), "trainer": trainer_loop(setup)}
        for loop in loops.values():
            next(loop)  # set up, not timed
        for epoch in range(epochs):
            for kind in ("plain", "trainer") if epoch % 2 == 0 else ("trainer", "plain"):
                times[kind].append(timed(loops[kind]))
        models = {kind: next(loop) for kind, loop in loops.items()}
    plain, ours = statistics.median(times["plain"]), statistics.median(times["trainer"])
    ratio = statistics.median(t / p for t, p in zip(times["trainer"], times["plain"], strict=True))
    equal = all(
        torch.equal(a, b)
        for a, b in zip(
            models["plain"].state_dict().values(),
            models["trainer"].state_dict().values(),
            strict=True,
        )
    )
    verdict = "ok" if ratio <= EPOCH_GOAL and equal else "MISSED"
    print(
        f"{name:14s} epoch: plain {plain * 1000:8.2f} ms  trainer {ours * 1000:8.2f} ms  "
        f"ratio {ratio:.3f} (goal <= {EPOCH_GOAL})  final weights equal: {equal}  {verdict}"
    )
    return ratio


def compare_layer_stats(name: str, epochs: int, rounds: int) -> float:
    """The trainer sampling live layer values as the app does, against the trainer without."""
    setup = plain_setup(name, epochs)
    times = {"off": [], "on": []}
    for round_number in range(rounds):
        for kind in ("off", "on") if round_number % 2 == 0 else ("on", "off"):
            started = time.perf_counter()
            trainer_run(setup, LAYER_STATS_SECONDS if kind == "on" else 0.0)
            times[kind].append((time.perf_counter() - started) / epochs)
    ratio = statistics.median(a / b for a, b in zip(times["on"], times["off"], strict=True))
    verdict = "ok" if ratio <= LAYER_STATS_GOAL else "MISSED"
    print(
        f"{name:14s} live layer stats every {LAYER_STATS_SECONDS} s: epoch ratio {ratio:.3f} "
        f"(goal <= {LAYER_STATS_GOAL})  {verdict}"
    )
    return ratio


def compare_feed(name: str, repeats: int = 200) -> float:
    setup = prepare_run(load_project(PROJECTS / f"{name}.json"), threads=1)
    x, y, size = setup.data.train.x, setup.data.train.y, setup.config.batch_size
    batcher = Batcher(x, y, size)
    times = {"plain": [], "batcher": []}
    for number in range(repeats):
        order = torch.randperm(len(x))
        for kind in ("plain", "batcher") if number % 2 == 0 else ("batcher", "plain"):
            started = time.perf_counter()
            if kind == "plain":
                for begin in range(0, len(x), size):
                    index = order[begin : begin + size]
                    x[index], y[index]
            else:
                for _ in batcher.shuffled(order):
                    pass
            times[kind].append(time.perf_counter() - started)
    plain, ours = statistics.median(times["plain"]), statistics.median(times["batcher"])
    ratio = ours / plain
    verdict = "ok" if ratio <= FEED_GOAL else "MISSED"
    print(
        f"{name:14s} feed:  plain {plain * 1e6:8.1f} us  batcher {ours * 1e6:8.1f} us  "
        f"ratio {ratio:.3f} (goal <= {FEED_GOAL})  {verdict}"
    )
    return ratio


def main() -> int:
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, 1 thread. Epoch ratio: the median over epochs of trainer /")
    print("plain, the two taking turns epoch by epoch; the rest: medians of interleaved rounds")
    ratios = [compare_training(name, *budget) for name, budget in CASES.items()]
    live = [compare_layer_stats(name, *budget) for name, budget in CASES.items()]
    feeds = [compare_feed(name) for name in CASES]
    fine = max(ratios) <= EPOCH_GOAL and max(live) <= LAYER_STATS_GOAL
    return 0 if fine and max(feeds) <= FEED_GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
