"""Layers that keep the weights they start with (a pretrained backbone, say): their
parameters take no gradient and stay out of the optimizer, and their normalisation keeps
its running statistics while the rest of the network trains."""

from __future__ import annotations

from torch import nn

from designer.runtime.errors import SetupError


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
