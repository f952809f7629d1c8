"""Shared by the importer tests: modules whose normalization state counts in comparisons."""

from __future__ import annotations

import torch
from torch import nn


def scramble(module: nn.Module) -> nn.Module:
    """Random normalization statistics and affine params, and layer scales near 1 (they start
    at 1e-6, which hides the branch they scale), so that they count in comparisons."""
    generator = torch.Generator().manual_seed(0)
    for layer in module.modules():
        if isinstance(layer, nn.BatchNorm2d):
            layer.running_mean.uniform_(-1, 1, generator=generator)
            layer.running_var.uniform_(0.5, 2, generator=generator)
        if isinstance(layer, nn.BatchNorm2d | nn.LayerNorm):
            layer.weight.data.normal_(generator=generator)
            layer.bias.data.normal_(generator=generator)
    for name, parameter in module.named_parameters():
        if name.rpartition(".")[2] == "layer_scale":
            parameter.data.uniform_(0.5, 1.5, generator=generator)
    return module.eval()
