"""A trained run made ready for the Predictions tab's explanations, in a worker thread: its
network, its answers, the validation samples to choose from and the convolutions Grad-CAM
may weigh."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from designer.project import Project
from designer.project.files import project_to_dict

SHOWN = 64  # samples offered at a time: the first ones, or the first answered wrongly


@dataclass(frozen=True)
class Choice:
    """A validation sample offered: its number, its caption and whether it was answered
    wrongly; `thumbnail` is the image as seen (0..1), None for other data."""

    sample: int
    caption: str
    wrong: bool
    thumbnail: np.ndarray | None


@dataclass(frozen=True)
class ExplainedRun:
    """The run's network (`trained`), the kind of its samples, the samples offered (all,
    and the wrongly answered; None where answers are not right or wrong) and Grad-CAM's
    convolutions as (path, label), in the order they run."""

    trained: object
    kind: str
    offered: tuple[Choice, ...]
    wrong: tuple[Choice, ...] | None
    convolutions: tuple[tuple[str, str], ...]


def snapshot(project: Project) -> Project:
    """A copy of `project` that the worker thread may read while the user edits on."""
    from designer.project import project_from_text

    copy = project_from_text(json.dumps(project_to_dict(project)), "project")
    copy.path = project.path
    return copy


def explained_run(project: Project, run: str) -> ExplainedRun:
    """Load run `run` of `project` (a snapshot) and what the tab offers from it."""
    from designer.inspection.answers import val_answers
    from designer.inspection.explain import data_kind
    from designer.inspection.explained_layer import ExplanationRefused
    from designer.inspection.trained import trained_network

    trained = trained_network(project, run)
    kind = data_kind(trained)
    try:
        answers = val_answers(trained)
    except ExplanationRefused:  # answers of this task are not right or wrong
        answers = None
    count = len(trained.setup.data.val)
    offered = choices(trained, kind, answers, np.arange(min(SHOWN, count)))
    wrong = None
    if answers is not None:
        wrong = choices(trained, kind, answers, answers.wrong[:SHOWN])
    return ExplainedRun(trained, kind, offered, wrong, convolutions(trained))


def choices(trained, kind: str, answers, positions: np.ndarray) -> tuple[Choice, ...]:
    from designer.inspection.samples import samples_at
    from designer.training.val_samples import for_the_eye

    if not len(positions):
        return ()
    thumbnails = [None] * len(positions)
    if kind == "image":
        x, _ = samples_at(trained.setup.data.val, positions, trained.setup.device)
        thumbnails = list(for_the_eye(x.detach().float().cpu()))
    names = trained.setup.data.class_names

    def name(index: int) -> str:
        return names[index] if index < len(names) else str(index)

    offered = []
    for sample, thumbnail in zip(positions.tolist(), thumbnails, strict=True):
        caption, wrong = f"sample {sample}", False
        if answers is not None:
            predicted, true = answers.predicted[sample], answers.true[sample]
            caption = f"{sample}: {name(predicted)} ({name(true)})"
            wrong = bool(predicted != true)
        offered.append(Choice(sample, caption, wrong, thumbnail))
    return tuple(offered)


def convolutions(trained) -> tuple[tuple[str, str], ...]:
    """The network's 2-D convolutions, each as its path and its node's name (with the
    block's path before it for one inside a block)."""
    from torch import nn

    setup = trained.setup
    graph = setup.project.graph
    names = {path: graph.node(node).name for node, path in setup.code.names.items()}
    return tuple(
        (path, names.get(path, path))
        for path, module in trained.model.named_modules()
        if isinstance(module, nn.Conv2d)
    )
