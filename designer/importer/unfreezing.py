"""Gradual unfreezing asked for when a pretrained network comes in (netdesigner pretrained
--unfreeze-from LAYER --unfreeze-epoch N): the training settings it writes, checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from designer.data import SetupError
from designer.importer.errors import ImportProblem
from designer.model import GraphDocument
from designer.project import Project
from designer.training.config import parse_training


@dataclass(frozen=True)
class Unfreezing:
    """Gradual unfreezing of a frozen backbone: from the layer named `layer` (its name or
    id) on, the layers train from the start of `epoch`, at `backbone_lr_factor` times the
    rate (1: the same)."""

    layer: str
    epoch: int
    backbone_lr_factor: float = 1.0


def unfreeze_settings(
    doc: GraphDocument, training: dict[str, Any], unfreezing: Unfreezing
) -> dict[str, Any]:
    """training.unfreeze and training.backbone_lr_factor for `unfreezing`; ImportProblem
    for a layer that is not frozen, or a value the training settings refuse."""
    frozen = training.get("freeze", [])
    if not frozen:
        raise ImportProblem("--unfreeze-from", "needs --freeze-backbone: only frozen layers thaw")
    node = next((n for n in frozen if unfreezing.layer in (n, doc.node(n).name)), None)
    if node is None:
        names = ", ".join(doc.node(n).name for n in frozen)
        raise ImportProblem(unfreezing.layer, f"is not one of the frozen layers ({names})")
    settings: dict[str, Any] = {"unfreeze": {"from": node, "epoch": unfreezing.epoch}}
    if unfreezing.backbone_lr_factor != 1:
        settings["backbone_lr_factor"] = unfreezing.backbone_lr_factor
    try:
        parse_training(training | settings)
    except SetupError as error:
        raise ImportProblem(error.place, error.message) from None
    return settings


def unfreezing_line(project: Project) -> str:
    """What the import prints about the project's unfreezing step."""
    training = project.training
    step = training["unfreeze"]
    name = project.graph.node(step["from"]).name
    rate = training.get("backbone_lr_factor", 1.0)
    return f"unfrozen from {name} on at epoch {step['epoch']}, at {rate:g} times the rate"
