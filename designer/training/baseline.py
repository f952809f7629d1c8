"""A classical baseline on the same split, so users see when a network is not worth it:
gradient-boosted trees for one target from a row of features (a table, a token sequence), a
random forest otherwise (downscaled pixels, several targets). It fits on at most MAX_SAMPLES
training samples and scores at most as many of each other part, read a chunk at a time, so it
costs seconds and little memory whatever the size of the dataset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from designer.data import PreparedData
from designer.runtime.dataset import LazySamples
from designer.runtime.prepare import gather
from designer.runtime.scores import value_scores

TASKS = ("multiclass", "binary", "sequence_to_label", "regression")
MAX_SAMPLES = 2_000  # samples the baseline fits on (and scores), drawn at random beyond this
CHUNK = 256  # samples read and downscaled at a time
IMAGE_SIDE = 16  # images are averaged down to at most this many pixels a side
TREES = 100


@dataclass(frozen=True)
class Baseline:
    model: str
    val: dict[str, float]
    test: dict[str, float]


def fit_baseline(
    data: PreparedData, seed: int = 0, trees: int = TREES, max_samples: int = MAX_SAMPLES
) -> Baseline | None:
    """Fit on (a seeded sample of) the training part; None for tasks it does not fit here."""
    if data.task not in TASKS:
        return None
    classify = data.task != "regression"
    train = data.train
    rows = drawn(len(train), max_samples, seed)
    targets = train.y[rows].numpy()
    if not classify and targets.ndim == 2 and targets.shape[1] == 1:
        targets = targets[:, 0]
    one_target = targets.ndim == 1
    model, name = estimator(train.x.ndim == 2 and one_target, classify, seed, trees)
    model.fit(features(train.x, rows), targets)
    if len(rows) < len(train):
        name += f" on {len(rows):,} of {len(train):,} samples"
    scores = {}
    for part_name in ("val", "test"):
        part = getattr(data, part_name)
        if len(part) == 0:
            scores[part_name] = {}
            continue
        scored = drawn(len(part), max_samples, seed)
        predicted = model.predict(features(part.x, scored))
        wanted = part.y[scored]
        if classify:
            scores[part_name] = {"accuracy": float(np.mean(predicted == wanted.numpy()))}
        else:
            output = torch.from_numpy(np.asarray(predicted, dtype=np.float32)).reshape(wanted.shape)
            target = wanted
            if data.targets is not None:
                output, target = data.targets.undo(output), data.targets.undo(target)
            found = value_scores(output, target)
            scores[part_name] = {"r2": found["r2"], "mae": found["mae"]}
    return Baseline(name, scores["val"], scores["test"])


def estimator(table: bool, classify: bool, seed: int, trees: int) -> tuple[object, str]:
    """Gradient-boosted trees for one target from a row of features (the strongest
    classical model for tables), a forest otherwise."""
    if table:
        kind = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
        return kind(random_state=seed), "gradient boosting"
    kind = RandomForestClassifier if classify else RandomForestRegressor
    return kind(n_estimators=trees, random_state=seed, n_jobs=1), "random forest"


def drawn(count: int, most: int, seed: int) -> np.ndarray:
    """All of `count` rows in order, or a seeded draw of `most` of them (sorted, so that
    images are read in file order)."""
    if count <= most:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).permutation(count)[:most])


def features(samples: torch.Tensor | LazySamples, rows: np.ndarray) -> np.ndarray:
    """One row per sample at `rows`: images (channels x height x width) averaged down to
    at most IMAGE_SIDE a side, then everything flattened."""
    chunks = []
    for begin in range(0, len(rows), CHUNK):
        x = gather(samples, rows[begin : begin + CHUNK]).float()
        if x.ndim == 4:
            side = (min(x.shape[2], IMAGE_SIDE), min(x.shape[3], IMAGE_SIDE))
            x = F.adaptive_avg_pool2d(x, side)
        chunks.append(x.reshape(len(x), -1).numpy())
    return np.concatenate(chunks)
