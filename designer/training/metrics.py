"""Scores from a model's outputs: accuracy, top-k, precision / recall / F1 and the confusion
matrix for classes; MAE, RMSE and R2 for values. All computed with torch on whole parts."""

from __future__ import annotations

import math

import torch

LOWER_IS_BETTER = ("loss", "mae", "rmse")


def lower_is_better(metric: str) -> bool:
    return metric.rsplit("_", 1)[-1] in LOWER_IS_BETTER or metric.endswith("_loss")


def class_scores(
    output: torch.Tensor, target: torch.Tensor, classes: int, top_k: int
) -> tuple[dict[str, float], list[list[int]]]:
    """Scores and the confusion matrix (rows: true class, columns: predicted) for logits."""
    logits = output.reshape(-1, output.shape[-1]) if output.shape[-1] > 1 else output.reshape(-1, 1)
    truth = target.reshape(-1)
    predicted = (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(dim=1)
    matrix = torch.bincount(truth * classes + predicted, minlength=classes * classes)
    matrix = matrix.reshape(classes, classes).double()
    correct = matrix.diag()
    predicted_count, true_count = matrix.sum(dim=0), matrix.sum(dim=1)
    precision = torch.where(predicted_count > 0, correct / predicted_count.clamp(min=1), 0.0)
    recall = torch.where(true_count > 0, correct / true_count.clamp(min=1), 0.0)
    f1 = torch.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    present = true_count > 0
    scores = {
        "accuracy": float(correct.sum() / max(1, len(truth))),
        "precision": float(precision[present].mean()),
        "recall": float(recall[present].mean()),
        "f1": float(f1[present].mean()),
    }
    if classes > 5 and logits.shape[1] > top_k:
        top = logits.topk(top_k, dim=1).indices
        scores[f"top{top_k}_accuracy"] = float((top == truth[:, None]).any(dim=1).double().mean())
    return scores, matrix.long().tolist()


def multilabel_scores(output: torch.Tensor, target: torch.Tensor) -> dict[str, float]:
    predicted = output > 0
    truth = target > 0.5
    true_positive = (predicted & truth).sum().item()
    wrong = (predicted ^ truth).sum().item()
    return {
        "accuracy": float((predicted == truth).all(dim=1).double().mean()),
        "f1": 2 * true_positive / max(1, 2 * true_positive + wrong),
    }


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
