"""Layers that keep the weights they start with (a pretrained backbone, say): their
parameters take no gradient, and their normalisation keeps its running statistics
while the rest of the network trains; gradual unfreezing lets them train again from
the start of a given epoch."""

from __future__ import annotations

from torch import nn

from designer.runtime.errors import SetupError
from designer.runtime.settings import TrainingSettings


def freeze(network: nn.Module, frozen: tuple[str, ...]) -> None:
    """Stop the gradients of the submodules at the paths `frozen`; SetupError when
    nothing would be left to train."""
    for path in frozen:
        network.get_submodule(path).requires_grad_(False)
    if frozen and not any(p.requires_grad for p in network.parameters()):
        raise SetupError("every layer with weights is frozen: nothing would train")


def keep_frozen_statistics(network: nn.Module, frozen: tuple[str, ...]) -> None:
    """After network.train(): the frozen submodules' layers that track running
    statistics (batch normalisation) go on using, and keeping, the ones they have."""
    for path in frozen:
        for module in network.get_submodule(path).modules():
            if getattr(module, "track_running_stats", False):
                module.eval()


def frozen_during(settings: TrainingSettings, epoch: int) -> tuple[str, ...]:
    """The paths of `settings.frozen` still frozen in `epoch`: those that no unfreezing
    step due by then (at its epoch's start) names."""
    thawed = {
        path for start, paths in settings.unfreeze if start <= epoch for path in paths
    }
    return tuple(path for path in settings.frozen if path not in thawed)


def thaw(network: nn.Module, settings: TrainingSettings, epoch: int) -> tuple[str, ...]:
    """At the start of `epoch` (a run's first, or the one it resumes in): the frozen
    submodules whose unfreezing step has come take gradients again (the optimizer holds
    their parameters from the start, see make_optimizer); returns the paths still
    frozen, for keep_frozen_statistics."""
    frozen = frozen_during(settings, epoch)
    for path in settings.frozen:
        if path not in frozen:
            network.get_submodule(path).requires_grad_(True)
    return frozen
