"""Random changes to each training image, drawn anew every epoch, with torchvision's
transforms.v2 on uint8 pixels: a crop, a flip, a small rotation and shift, colour
jitter. Each image's changes come from its own seed, so that they do not depend on the
number of worker processes and a resumed epoch repeats them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from designer.runtime.vision import import_torchvision

CROPS = ("none", "resized", "padded")


@dataclass(frozen=True)
class Augmentation:
    """`crop`: "none"; "resized", a random part of at least `crop_scale` of the area
    resized back; or "padded", a random window of the image padded by `crop_padding`
    pixels a side. `flip`: mirrored left to right half the time. `rotation` (degrees)
    and `translate` (a fraction of the side): a random turn and shift up to these.
    `color_jitter`: brightness, contrast (and saturation, for colour) changed by up to
    this fraction."""

    crop: str
    crop_scale: float
    crop_padding: int
    flip: bool
    rotation: float
    translate: float
    color_jitter: float

    def transform(
        self, image_size: tuple[int, int], channels: int
    ) -> Callable[[torch.Tensor], torch.Tensor]:
        """The changes as one callable from a uint8 image to a uint8 image."""
        import_torchvision()
        from torchvision.transforms import v2

        steps = []
        if self.crop == "resized":
            scale = (self.crop_scale, 1.0)
            steps.append(v2.RandomResizedCrop(image_size, scale=scale, antialias=True))
        elif self.crop == "padded":
            steps.append(v2.RandomCrop(image_size, padding=self.crop_padding))
        if self.flip:
            steps.append(v2.RandomHorizontalFlip())
        if self.rotation or self.translate:
            shift = (self.translate, self.translate) if self.translate else None
            steps.append(v2.RandomAffine(degrees=self.rotation, translate=shift))
        if self.color_jitter:
            strength = self.color_jitter
            saturation = strength if channels == 3 else 0.0
            steps.append(v2.ColorJitter(strength, strength, saturation))
        return v2.Compose(steps)


def augmented(
    image: torch.Tensor,
    transform: Callable[[torch.Tensor], torch.Tensor],
    seed: int,
) -> torch.Tensor:
    """`transform(image)` with torch's CPU random numbers drawn from `seed`, leaving the
    caller's random state as it was (a GPU's generators are never touched)."""
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        return transform(image)
