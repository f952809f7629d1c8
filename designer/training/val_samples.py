"""A few validation samples with the network's answers, taken at the end of each epoch for the
monitor's pictures: predicted against true values for regression, images with their labels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from designer.data import Part, PreparedData
from designer.runtime.loading import first_samples

SCATTER_POINTS = 500
IMAGES = 16


@dataclass(frozen=True)
class ValSamples:
    """`kind` is "regression" (values) or "images" (class indices, and `images` as N x H x W
    or N x H x W x 3 arrays scaled to 0..1 each)."""

    kind: str
    predicted: list[float] | list[int]
    true: list[float] | list[int]
    images: np.ndarray | None = None


def is_image_task(data: PreparedData) -> bool:
    shape = data.sample_shape
    return data.is_classification and len(shape) == 3 and shape[0] in (1, 3)


def val_samples(
    data: PreparedData, model: nn.Module, part: Part, device: torch.device
) -> ValSamples | None:
    """The first validation samples through `model` on `device` (in eval mode, without
    gradients); None for tasks without a picture."""
    single_value = data.task == "regression" and part.y[0].numel() == 1
    if len(part) == 0 or not (single_value or is_image_task(data)):
        return None
    count = SCATTER_POINTS if single_value else IMAGES
    x, y = first_samples(part, count, device)
    with torch.inference_mode():
        output = model(x).float()
    if single_value:
        if data.targets is not None:
            output, y = data.targets.undo(output), data.targets.undo(y)
        return ValSamples("regression", output.flatten().tolist(), y.flatten().tolist())
    images = for_the_eye(x.detach().float().cpu())
    return ValSamples("images", output.argmax(dim=1).tolist(), y.tolist(), images)


def for_the_eye(x: torch.Tensor) -> np.ndarray:
    """A batch of images (N x C x H x W, any scale) as N x H x W (x 3) from 0 to 1, each
    stretched to its own range."""
    low = x.amin(dim=(1, 2, 3), keepdim=True)
    high = x.amax(dim=(1, 2, 3), keepdim=True)
    scaled = ((x - low) / (high - low).clamp_min(1e-12)).permute(0, 2, 3, 1).numpy()
    return scaled[..., 0] if scaled.shape[-1] == 1 else scaled
