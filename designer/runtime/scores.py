"""Scores from outputs: accuracy, top-k, precision, recall, F1, confusion, MAE, RMSE,
R2."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from designer.runtime.prepare import Scale

LOWER_IS_BETTER = ("loss", "mae", "rmse")

Scores = tuple[dict[str, float], list[list[int]] | None]


def lower_is_better(metric: str) -> bool:
    return metric.rsplit("_", 1)[-1] in LOWER_IS_BETTER or metric.endswith("_loss")


def predictions(output: torch.Tensor) -> torch.Tensor:
    """The class each output row picks: one logit is positive above 0, more take the
    largest."""
    if output.shape[-1] == 1:
        return (output.reshape(output.shape[:-1]) > 0).long()
    return output.argmax(-1)


def right_answers(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """How many predicted classes match `target`, as a tensor on their device."""
    return (predicted == target).sum()


@dataclass(frozen=True)
class ClassScores:
    """Accuracy, precision, recall, F1 and (over more than five classes) top-k accuracy,
    with the confusion matrix."""

    classes: int
    top_k: int
    counts_answers: ClassVar[bool] = True

    def bind(self, target: torch.Tensor, scale: Scale | None) -> ClassTargets:
        return ClassTargets(target, self.classes, self.top_k)


class ClassTargets:
    """A part's class targets on the CPU, made once per run and read at every epoch's
    scores: each target's row in the confusion matrix is its class times the class
    count."""

    def __init__(self, target: torch.Tensor, classes: int, top_k: int) -> None:
        self.classes, self.top_k = classes, top_k
        self.truth = target.detach().reshape(-1).long().cpu().numpy()
        self.rows = self.truth * classes

    def __call__(self, output: torch.Tensor) -> Scores:
        """Scores and the confusion matrix (rows: true class, columns: predicted) for
        logits; precision, recall and F1 are averaged over the classes present. The
        logits leave the device once and the rest is numpy and plain Python on the
        listed matrix: it runs once an epoch on a few rows, where each torch operation
        would cost more than its arithmetic."""
        classes, truth, top_k = self.classes, self.truth, self.top_k
        logits = output.detach().float().cpu().numpy()
        logits = logits.reshape(-1, logits.shape[-1])
        predicted = logits.argmax(axis=1) if logits.shape[1] > 1 else (logits[:, 0] > 0)
        counts = np.bincount(self.rows + predicted, minlength=classes * classes)
        matrix = counts.reshape(classes, classes).tolist()
        true_counts = [sum(row) for row in matrix]
        predicted_counts = [sum(column) for column in zip(*matrix, strict=True)]
        present = [c for c in range(classes) if true_counts[c]]
        precision = [ratio(matrix[c][c], predicted_counts[c]) for c in present]
        recall = [ratio(matrix[c][c], true_counts[c]) for c in present]
        f1 = [ratio(2 * p * r, p + r) for p, r in zip(precision, recall, strict=True)]
        scores = {
            "accuracy": sum(matrix[c][c] for c in range(classes)) / max(1, len(truth)),
            "precision": sum(precision) / len(present),
            "recall": sum(recall) / len(present),
            "f1": sum(f1) / len(present),
        }
        if classes > 5 and logits.shape[1] > top_k:
            top = np.argpartition(logits, -top_k, axis=1)[:, -top_k:]
            scores[f"top{top_k}_accuracy"] = float(
                (top == truth[:, None]).any(axis=1).mean()
            )
        return scores, matrix


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


@dataclass(frozen=True)
class MultilabelScores:
    """Exact-match accuracy (every label right) and F1 over all labels."""

    counts_answers: ClassVar[bool] = False

    def bind(self, target: torch.Tensor, scale: Scale | None) -> MultilabelTargets:
        return MultilabelTargets(target)


@dataclass(frozen=True)
class MultilabelTargets:
    target: torch.Tensor

    def __call__(self, output: torch.Tensor) -> Scores:
        predicted = output > 0
        truth = self.target > 0.5
        true_positive = (predicted & truth).sum().item()
        wrong = (predicted ^ truth).sum().item()
        scores = {
            "accuracy": float((predicted == truth).all(dim=1).double().mean()),
            "f1": 2 * true_positive / max(1, 2 * true_positive + wrong),
        }
        return scores, None


@dataclass(frozen=True)
class ValueScores:
    """MAE, RMSE and R2 over every value, in the targets' own units where they were
    standardised (`scale`)."""

    counts_answers: ClassVar[bool] = False

    def bind(self, target: torch.Tensor, scale: Scale | None) -> ValueTargets:
        return ValueTargets(target, scale)


@dataclass(frozen=True)
class ValueTargets:
    target: torch.Tensor
    scale: Scale | None

    def __call__(self, output: torch.Tensor) -> Scores:
        target = self.target
        if self.scale is not None:
            output, target = self.scale.undo(output), self.scale.undo(target)
        return value_scores(output, target), None


def value_scores(output: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    """MAE, RMSE and R2 (1 - residual / total sum of squares) over every value."""
    error = (output.double() - target.double()).reshape(-1)
    total = ((target.double() - target.double().mean()) ** 2).sum().item()
    residual = (error**2).sum().item()
    return {
        "mae": float(error.abs().mean()),
        "rmse": math.sqrt(residual / max(1, error.numel())),
        "r2": 1.0 - residual / total if total > 0 else 0.0,
    }
