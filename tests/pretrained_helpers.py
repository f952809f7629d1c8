"""Pretrained weights as the tests make them: a seeded torchvision ResNet-18's tensors in a
temporary torch hub cache under the file name torchvision gives them, and an image folder."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from designer.runtime.vision import import_torchvision

FILE = "resnet18-f37072fd.pth"  # the name torchvision's ResNet18_Weights.IMAGENET1K_V1 has


def models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return import_torchvision().models


def write_stand_in(torch_home: Path) -> Path:
    """Seeded ResNet-18 weights where torch's hub cache under `torch_home` keeps the published
    ones, under their name: what a run finds offline instead of ImageNet's."""
    folder = torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(7)
    torch.save(models().resnet18().state_dict(), folder / FILE)
    return folder


def seeded_hub(tmp_path: Path, monkeypatch) -> Path:
    """torch's hub cache in tmp_path, holding seeded ResNet-18 weights under their name."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return write_stand_in(tmp_path / "torch")


def image_folder(root: Path, per_class: int = 3) -> Path:
    rng = np.random.default_rng(0)
    for number, name in enumerate(("cats", "dogs")):
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            pixels = rng.integers(0, 100, size=(40, 40, 3)) + 100 * number
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{index}.png")
    return root
