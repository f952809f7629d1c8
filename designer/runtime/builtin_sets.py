"""The datasets bundled with scikit-learn: digits (8x8, or resized for LeNet-5), iris,
wine, breast cancer and diabetes. All are read from the installed package; nothing is
downloaded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from sklearn import datasets

from designer.runtime.dataset import Dataset, class_task


@dataclass(frozen=True)
class Digits:
    """scikit-learn's 8x8 digits as 1 x size x size images scaled to 0..1, made larger
    by bilinear resizing ("interpolate") or by zero padding ("pad"). `target` is
    "labels" (the digit, a class) or "input" (the image itself, for autoencoders)."""

    image_size: int
    resize: str
    target: str

    def load(self) -> Dataset:
        size = self.image_size
        bunch = datasets.load_digits()
        images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
        if size != 8 and self.resize == "interpolate":
            images = F.interpolate(
                images, size=(size, size), mode="bilinear", align_corners=False
            )
        elif size != 8:
            before = (size - 8) // 2
            images = F.pad(
                images, (before, size - 8 - before, before, size - 8 - before)
            )
        images = images.contiguous()
        if self.target == "input":
            return Dataset("digits", images, images.clone(), "reconstruction")
        names = tuple(str(name) for name in bunch.target_names)
        labels = torch.from_numpy(bunch.target).long()
        return Dataset("digits", images, labels, "multiclass", names)


@dataclass(frozen=True)
class ScikitTable:
    """One of scikit-learn's class tables (iris, wine, breast_cancer): float32 features
    and class numbers."""

    name: str

    def load(self) -> Dataset:
        bunch = getattr(datasets, f"load_{self.name}")()
        names = tuple(str(name) for name in bunch.target_names)
        x = torch.from_numpy(bunch.data.astype(np.float32))
        y = torch.from_numpy(bunch.target).long()
        return Dataset(self.name, x, y, class_task(len(names)), names)


@dataclass(frozen=True)
class Diabetes:
    """scikit-learn's diabetes table: float32 features and one float32 target each."""

    def load(self) -> Dataset:
        bunch = datasets.load_diabetes()
        x = torch.from_numpy(bunch.data.astype(np.float32))
        y = torch.from_numpy(bunch.target.astype(np.float32)).unsqueeze(1)
        return Dataset("diabetes", x, y, "regression")
