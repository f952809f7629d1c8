"""Gradual unfreezing checked before a run: training.unfreeze's steps resolved against the
graph (each thaws the frozen nodes from its node on, in the order forward runs them), refused
where they name what is not frozen or thaw nothing, and warnings for a step the run ends
before (a run shortened to try it out) and a backbone rate that does not do what it seems to."""

from __future__ import annotations

from torch import nn

from designer.model import GraphDocument
from designer.project.training_settings import TrainingConfig
from designer.runtime.settings import TrainingSettings
from designer.training.config import ConfigError


def unfreeze_steps(
    config: TrainingConfig, doc: GraphDocument, order: tuple[str, ...]
) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Each training.unfreeze step as (epoch, the ids of the frozen nodes from its node on, in
    `order`, the order forward runs them); ConfigError for a node the graph no longer has, or
    one training.freeze does not list (also checks training.freeze's)."""
    present = {node.id for node in doc.nodes()}
    gone = [node for node in config.freeze if node not in present]
    if gone:
        raise ConfigError(f"no node {gone[0]!r} in the network (removed?)", "training.freeze")
    position = {node: index for index, node in enumerate(order)}
    steps = []
    for index, (node, epoch) in enumerate(config.unfreeze):
        place = f"{unfreeze_place(config, index)}.from"
        if node not in present:
            raise ConfigError(f"no node {node!r} in the network (removed?)", place)
        if node not in config.freeze:
            name = doc.node(node).name
            message = (
                f"{name!r} ({node}) is not frozen (training.freeze): only frozen layers unfreeze"
            )
            raise ConfigError(message, place)
        later = {other for other in config.freeze if position[other] >= position[node]}
        steps.append((epoch, tuple(sorted(later, key=position.__getitem__))))
    return tuple(steps)


def unfreeze_place(config: TrainingConfig, index: int) -> str:
    """training.unfreeze's place, with the step's index where there are several."""
    return "training.unfreeze" + (f"[{index}]" if len(config.unfreeze) > 1 else "")


def check_unfreezing(
    settings: TrainingSettings, network: nn.Module, config: TrainingConfig
) -> None:
    """ConfigError at training.unfreeze for a step that thaws no weights another step does
    not thaw by its epoch (`network` may be on the meta device)."""
    for index, (epoch, paths) in enumerate(settings.unfreeze):
        others = {
            path
            for number, (start, more) in enumerate(settings.unfreeze)
            if number != index and start <= epoch
            for path in more
        }
        if not any(
            path not in others and any(True for _ in network.get_submodule(path).parameters())
            for path in paths
        ):
            raise ConfigError(
                f"unfreezes no layer with weights beyond those the other steps unfreeze by "
                f"epoch {epoch}",
                unfreeze_place(config, index),
            )


def late_step_warnings(config: TrainingConfig, doc: GraphDocument) -> tuple[str, ...]:
    """A step whose epoch comes after the run's last: its layers stay frozen throughout."""
    return tuple(
        f"{unfreeze_place(config, index)}: epoch {epoch} comes after the run's last "
        f"({config.epochs}, training.epochs): the layers from {doc.node(node).name!r} on stay "
        "frozen"
        for index, (node, epoch) in enumerate(config.unfreeze)
        if epoch > config.epochs
    )


def backbone_warnings(config: TrainingConfig) -> tuple[str, ...]:
    """training.backbone_lr_factor without layers to unfreeze, or under a cosine schedule
    whose floor (one for every rate) lies above the backbone's rate."""
    factor = config.backbone_lr_factor
    if factor != 1 and not config.unfreeze:
        return (
            "training.backbone_lr_factor is not used: no frozen layer is unfrozen "
            "(training.unfreeze)",
        )
    schedule, rate = config.schedule, config.optimizer.lr * factor
    if config.unfreeze and schedule.name == "cosine" and schedule.min_lr > rate:
        return (
            f"the backbone's rate ({rate:g}, training.backbone_lr_factor times the rate) is "
            f"below training.schedule.min_lr ({schedule.min_lr:g}): the cosine schedule "
            "raises it to that",
        )
    return ()
