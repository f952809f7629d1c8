"""A classical baseline: a scikit-learn random forest on the same split, so users see when a
network is not worth it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from designer.data import PreparedData
from designer.runtime.scores import value_scores

TASKS = ("multiclass", "binary", "sequence_to_label", "regression")


@dataclass(frozen=True)
class Baseline:
    model: str
    val: dict[str, float]
    test: dict[str, float]


def fit_baseline(data: PreparedData, seed: int = 0, trees: int = 100) -> Baseline | None:
    """Fit on the flattened training samples; None for tasks a forest does not fit here."""
    if data.task not in TASKS:
        return None
    x_train = flat(data.train.x)
    classify = data.task != "regression"
    forest_type = RandomForestClassifier if classify else RandomForestRegressor
    forest = forest_type(n_estimators=trees, random_state=seed, n_jobs=1)
    targets = data.train.y.numpy()
    if not classify and targets.ndim == 2 and targets.shape[1] == 1:
        targets = targets[:, 0]
    forest.fit(x_train, targets)
    scores = {}
    for name in ("val", "test"):
        part = getattr(data, name)
        if len(part) == 0:
            scores[name] = {}
            continue
        predicted = forest.predict(flat(part.x))
        if classify:
            scores[name] = {"accuracy": float(np.mean(predicted == part.y.numpy()))}
        else:
            output = torch.from_numpy(np.asarray(predicted, dtype=np.float32)).reshape(part.y.shape)
            target = part.y
            if data.targets is not None:
                output, target = data.targets.undo(output), data.targets.undo(target)
            found = value_scores(output, target)
            scores[name] = {"r2": found["r2"], "mae": found["mae"]}
    return Baseline("random forest", scores["val"], scores["test"])


def flat(x: torch.Tensor) -> np.ndarray:
    return x.reshape(len(x), -1).float().numpy()
