"""Scores of a model on one part of the data, batch by batch without gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import torch
from torch import nn

from designer.runtime.loading import Loading, feed
from designer.runtime.prepare import Part, Scale
from designer.runtime.scores import Scores


class Scorer(Protocol):
    """Scores for a task (ClassScores, MultilabelScores, ValueScores): `bind` prepares a
    part's targets once and gives what scores outputs against them."""

    counts_answers: bool  # whether training counts right answers (classes)

    def bind(
        self, target: torch.Tensor, scale: Scale | None
    ) -> Callable[[torch.Tensor], Scores]: ...


class Evaluation:
    """Scores models on `part`, fed to `device` as `loading` says, with the loss and,
    where the task has scores beyond the loss, `scorer`'s (in the targets' own units
    where `scale` standardised them). A run makes one per part and calls it at every
    epoch's end."""

    def __init__(
        self,
        part: Part,
        batch_size: int,
        loading: Loading,
        loss_function: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
        scorer: Scorer | None,
        device: torch.device,
        scale: Scale | None = None,
    ) -> None:
        self.count, self.loss_function = len(part), loss_function
        self.batches = feed(part, batch_size, loading, device, train=False)
        self.scores = (
            scorer.bind(part.y.to(device), scale)
            if scorer is not None and len(part)
            else None
        )

    def __call__(self, model: nn.Module) -> Scores:
        """Loss and the task's scores over the part, and the confusion matrix for
        classes. Leaves the model in eval mode (the loop sets train mode as each epoch
        begins). Runs in inference mode: no autograd bookkeeping, and the outputs never
        reach a backward pass."""
        if self.count == 0:
            return {}, None
        model.eval()
        outputs, total = [], 0.0
        with torch.inference_mode():
            for x, y in self.batches.in_order():
                output = model(x)
                total += float(self.loss_function(output, y)) * x.shape[0]
                outputs.append(output.float())
        scores = {"loss": total / self.count}
        if self.scores is None:
            return scores, None
        found, confusion = self.scores(torch.cat(outputs))
        return {**scores, **found}, confusion
