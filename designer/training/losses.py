"""Loss functions: the one the task and output call for, warnings when they disagree, and a
check that the targets fit the chosen loss before training starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from designer.data import DataError, PreparedData
from designer.runtime.losses import binary_cross_entropy, sequence_cross_entropy, sequence_nll

LossFunction = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


FUNCTIONS: dict[str, LossFunction] = {
    "cross_entropy": F.cross_entropy,
    "nll": F.nll_loss,
    "bce_with_logits": F.binary_cross_entropy_with_logits,
    "mse": F.mse_loss,
    "l1": F.l1_loss,
    "smooth_l1": F.smooth_l1_loss,
}
CLASS_LOSSES = ("cross_entropy", "nll")


@dataclass(frozen=True)
class LossChoice:
    """The loss to train with and what to tell the user about it."""

    name: str
    function: LossFunction
    warnings: tuple[str, ...] = ()


def propose(task: str, output_shape: tuple[int, ...]) -> str:
    if task in ("multiclass", "sequence_to_label", "sequence_to_sequence"):
        return "cross_entropy"
    if task == "binary":
        return "bce_with_logits" if output_shape in ((1,), ()) else "cross_entropy"
    if task == "multilabel":
        return "bce_with_logits"
    return "mse"


def choose_loss(
    requested: str, data: PreparedData, output_shape: tuple[int, ...], last_layer: tuple[str, str]
) -> LossChoice:
    """The loss for `requested` ("auto" proposes one); DataError if the targets cannot fit it.
    `last_layer` is the (kind, name) of the node that feeds the Output."""
    proposed = propose(data.task, output_shape)
    name = proposed if requested == "auto" else requested
    warnings = []
    if name != proposed:
        warnings.append(f"the {data.task} task usually trains with {proposed}, not {name}")
    kind, layer = last_layer
    if kind == "softmax" and name == "cross_entropy":
        warnings.append(
            f"Softmax {layer!r} comes before cross_entropy, which applies log-softmax itself: "
            "remove the Softmax (the output then gives logits)"
        )
    if kind == "sigmoid" and name == "bce_with_logits":
        warnings.append(
            f"Sigmoid {layer!r} comes before bce_with_logits, which applies the sigmoid itself: "
            "remove the Sigmoid"
        )
    if name == "nll" and kind != "log_softmax":
        warnings.append(
            "nll expects log-probabilities: end the network with LogSoftmax, or use cross_entropy"
        )
    check_targets(name, data, output_shape)
    return LossChoice(name, function_for(name, data.task, output_shape), tuple(warnings))


def function_for(name: str, task: str, output_shape: tuple[int, ...]) -> LossFunction:
    if task == "sequence_to_sequence":
        return {"cross_entropy": sequence_cross_entropy, "nll": sequence_nll}[name]
    if name == "bce_with_logits" and task == "binary":
        return binary_cross_entropy
    return FUNCTIONS[name]


def check_targets(name: str, data: PreparedData, output_shape: tuple[int, ...]) -> None:
    """Labels that don't fit the loss: say what the output gives and what to change."""
    target = data.train.y
    out = "x".join(map(str, output_shape)) or "a scalar"
    classes = len(data.class_names)
    if name in CLASS_LOSSES:
        if target.is_floating_point():
            raise DataError(
                f"{name} needs class labels, but dataset {data.name!r} has real-valued targets "
                f"({data.task}): use loss mse, l1 or smooth_l1",
                "training.loss",
            )
        wanted = (*target.shape[1:], classes)
        if output_shape != wanted:
            raise DataError(
                f"dataset {data.name!r} has {classes} classes, so the Output should give "
                f"{'x'.join(map(str, wanted))} values per sample, but it gives {out}: set the "
                f"units of the last layer to {classes}",
                "graph",
            )
    elif name == "bce_with_logits":
        if data.task == "binary":
            if output_shape not in ((1,), ()):
                raise DataError(
                    f"bce_with_logits on two classes needs one output value per sample, but the "
                    f"Output gives {out}: set the units of the last layer to 1, or use "
                    "cross_entropy with 2 units",
                    "graph",
                )
            return
        if data.task != "multilabel":
            raise DataError(
                f"bce_with_logits needs 0 / 1 targets, but dataset {data.name!r} poses a "
                f"{data.task} task: use loss {propose(data.task, output_shape)}",
                "training.loss",
            )
        if output_shape != tuple(target.shape[1:]):
            raise DataError(
                f"the Output gives {out} values per sample but the dataset has "
                f"{target.shape[1]} labels",
                "graph",
            )
    else:
        if not data.train.y.is_floating_point():
            raise DataError(
                f"{name} compares real values, but dataset {data.name!r} has class labels: "
                "use loss cross_entropy",
                "training.loss",
            )
        wanted = tuple(target.shape[1:])
        if output_shape != wanted:
            raise DataError(
                f"dataset {data.name!r} has targets of shape {'x'.join(map(str, wanted))} per "
                f"sample, but the Output gives {out}: make the last layer give "
                f"{'x'.join(map(str, wanted))} values",
                "graph",
            )
