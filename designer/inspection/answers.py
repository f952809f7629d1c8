"""The network's answer for every validation sample beside the true one, to find the samples
it got wrong and choose one of them to explain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from designer.inspection.explained_layer import ExplanationRefused
from designer.inspection.samples import samples_at
from designer.inspection.trained import TrainedNetwork

BATCH = 256


@dataclass(frozen=True)
class Answers:
    """Class numbers the network gave and the true ones, a validation sample each."""

    predicted: np.ndarray
    true: np.ndarray

    @property
    def wrong(self) -> np.ndarray:
        """The numbers of the samples the network got wrong."""
        return np.flatnonzero(self.predicted != self.true)


def val_answers(trained: TrainedNetwork) -> Answers:
    """The answers for the validation part, in batches (in eval mode, without gradients);
    ExplanationRefused for a task without classes, where no answer is simply wrong."""
    setup, model = trained.setup, trained.model
    data = setup.data
    if data.task not in ("binary", "multiclass", "sequence_to_label"):
        raise ExplanationRefused(
            f"only answers of one class a sample are right or wrong; this task is {data.task}",
            "--wrong",
        )
    predicted, true = [], []
    with torch.inference_mode():
        for start in range(0, len(data.val), BATCH):
            positions = np.arange(start, min(start + BATCH, len(data.val)))
            x, y = samples_at(data.val, positions, setup.device)
            scores = model(x).flatten(1)
            # One score is a binary answer's logit: above 0 is class 1.
            classes = scores.argmax(dim=1) if scores.shape[1] > 1 else (scores[:, 0] > 0).long()
            predicted.append(classes.cpu().numpy())
            true.append(y.cpu().numpy())
    return Answers(np.concatenate(predicted), np.concatenate(true))
