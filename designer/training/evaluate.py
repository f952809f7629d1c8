"""Scores of a model on one part of the data, batch by batch without gradients."""

from __future__ import annotations

import torch
from torch import nn

from designer.data import Batcher, Part
from designer.training.metrics import (
    ClassTargets,
    class_scores,
    multilabel_scores,
    value_scores,
)
from designer.training.setup import RunSetup


class Evaluation:
    """Scores models on `part`, moved to the training device once; for classes, its targets
    are also prepared once on the CPU for the confusion matrix. A trainer makes one per run
    and calls it at every epoch's end."""

    def __init__(self, setup: RunSetup, part: Part, batch_size: int) -> None:
        self.setup, self.batch_size = setup, batch_size
        self.part = part.to(setup.device)
        data = setup.data
        self.class_targets = None
        if data.is_classification and data.task != "multilabel" and len(part):
            self.class_targets = ClassTargets(part.y, len(data.class_names))

    def __call__(self, model: nn.Module) -> tuple[dict[str, float], list[list[int]] | None]:
        """Loss and the task's scores over the part; the confusion matrix for classes. Leaves
        the model in eval mode (the trainer sets train mode as each epoch begins). Runs in
        inference mode: no autograd bookkeeping on any operation, and the outputs never reach
        a backward pass."""
        part = self.part
        if len(part) == 0:
            return {}, None
        model.eval()
        outputs, total = [], 0.0
        loss_function = self.setup.loss.function
        with torch.inference_mode():
            for x, y in Batcher(part.x, part.y, self.batch_size).in_order():
                output = model(x)
                total += float(loss_function(output, y)) * x.shape[0]
                outputs.append(output.float())
        output = torch.cat(outputs)
        scores = {"loss": total / len(part)}
        data, confusion = self.setup.data, None
        if self.class_targets is not None:
            found, confusion = class_scores(output, self.class_targets, self.setup.config.top_k)
            scores.update(found)
        elif data.task == "multilabel":
            scores.update(multilabel_scores(output, part.y))
        elif data.task == "regression":
            target = part.y
            if data.targets is not None:
                output, target = data.targets.undo(output), data.targets.undo(target)
            scores.update(value_scores(output, target))
        return scores, confusion


def evaluate(
    setup: RunSetup, model: nn.Module, part: Part, batch_size: int
) -> tuple[dict[str, float], list[list[int]] | None]:
    """One evaluation of `model` on `part` (see Evaluation)."""
    return Evaluation(setup, part, batch_size)(model)
