"""The runtime's evaluation for a prepared run: the run's loss and the task's scorer."""

from __future__ import annotations

from torch import nn

from designer.data import Part, PreparedData
from designer.runtime.evaluation import Evaluation
from designer.runtime.scores import ClassScores, MultilabelScores, ValueScores
from designer.training.setup import RunSetup


def task_scorer(
    data: PreparedData, top_k: int
) -> ClassScores | MultilabelScores | ValueScores | None:
    """The scores a task has beyond its loss (none for reconstruction)."""
    if data.task == "multilabel":
        return MultilabelScores()
    if data.task == "regression":
        return ValueScores()
    if data.is_classification:
        return ClassScores(len(data.class_names), top_k)
    return None


def evaluation(setup: RunSetup, part: Part, batch_size: int) -> Evaluation:
    """Scores models on `part` as the run measures them (see the runtime's Evaluation)."""
    scorer = task_scorer(setup.data, setup.config.top_k)
    loss = setup.loss.function
    return Evaluation(
        part, batch_size, setup.loading, loss, scorer, setup.device, setup.data.targets
    )


def evaluate(
    setup: RunSetup, model: nn.Module, part: Part, batch_size: int
) -> tuple[dict[str, float], list[list[int]] | None]:
    """One evaluation of `model` on `part`."""
    return evaluation(setup, part, batch_size)(model)
