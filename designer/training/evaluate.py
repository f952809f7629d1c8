"""Scores of a model on one part of the data, batch by batch without gradients."""

from __future__ import annotations

import torch
from torch import nn

from designer.data import Batcher, Part
from designer.training.metrics import class_scores, multilabel_scores, value_scores
from designer.training.setup import RunSetup


def evaluate(
    setup: RunSetup, model: nn.Module, part: Part, batch_size: int
) -> tuple[dict[str, float], list[list[int]] | None]:
    """Loss and the task's scores over `part`; the confusion matrix for classes. Leaves the
    model in eval mode (the trainer sets train mode as each epoch begins). Runs in inference
    mode: no autograd bookkeeping on any operation, and the outputs never reach a backward pass."""
    if len(part) == 0:
        return {}, None
    model.eval()
    outputs, total = [], 0.0
    loss_function = setup.loss.function
    with torch.inference_mode():
        for x, y in Batcher(part.x, part.y, batch_size).in_order():
            output = model(x)
            total += float(loss_function(output, y)) * x.shape[0]
            outputs.append(output.float())
    output = torch.cat(outputs)
    scores = {"loss": total / len(part)}
    data, confusion = setup.data, None
    if data.task == "multilabel":
        scores.update(multilabel_scores(output, part.y))
    elif data.is_classification:
        classes = len(data.class_names)
        found, confusion = class_scores(output, part.y, classes, setup.config.top_k)
        scores.update(found)
    elif data.task == "regression":
        target = part.y
        if data.targets is not None:
            output, target = data.targets.undo(output), data.targets.undo(target)
        scores.update(value_scores(output, target))
    return scores, confusion
