"""An image folder in the usual layout, one subfolder per class, read with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from designer.data.dataset import Dataset, class_task
from designer.data.errors import DataError
from designer.data.files import existing_path
from designer.data.settings import Section

COLORS = ("grayscale", "rgb")
SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


def load_image_folder(section: Section, base: Path | None) -> Dataset:
    """Images resized to image_size (height, width) and scaled to 0..1, channels first."""
    root = existing_path(section, "path", base, folder=True)
    size = image_size(section)
    color = section.choice("color", "grayscale", COLORS)
    classes = sorted(child.name for child in root.iterdir() if child.is_dir())
    if len(classes) < 2:
        raise DataError(
            f"{root} holds {len(classes)} class folder(s); put each class's images in its own "
            "subfolder (two or more)",
            section.where("path"),
        )
    images, labels = [], []
    for label, name in enumerate(classes):
        files = sorted(p for p in (root / name).iterdir() if p.suffix.lower() in SUFFIXES)
        if not files:
            raise DataError(f"class folder {root / name} holds no images", section.where("path"))
        for file in files:
            images.append(read_image(file, size, color))
            labels.append(label)
    x = torch.from_numpy(np.stack(images))
    return Dataset(root.name, x, torch.tensor(labels), class_task(len(classes)), tuple(classes))


def image_size(section: Section) -> tuple[int, int]:
    value = section.raw("image_size", [32, 32])
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    valid = isinstance(value, list) and len(value) == 2
    if not valid or not all(
        isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4096 for v in value
    ):
        raise DataError(
            f"must be a size like 32 or [height, width] from 1 to 4096, got {value!r}",
            section.where("image_size"),
        )
    return value[0], value[1]


def read_image(file: Path, size: tuple[int, int], color: str) -> np.ndarray:
    try:
        with Image.open(file) as image:
            converted = image.convert("L" if color == "grayscale" else "RGB")
            resized = converted.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            pixels = np.asarray(resized, dtype=np.float32) / 255.0
    except (OSError, UnidentifiedImageError) as error:
        raise DataError(f"{file} is not a readable image ({error})") from None
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
