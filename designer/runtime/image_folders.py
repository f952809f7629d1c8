"""An image folder in the usual layout, one subfolder per class, read with Pillow."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from designer.runtime.dataset import Dataset, class_task
from designer.runtime.errors import DataError

IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp")


@dataclass(frozen=True)
class ImageFolder:
    """One subfolder of images per class, classes and files in name order; each image
    grayscale or RGB (`color`), resized to `image_size` (height, width), channels first,
    kept as uint8 pixels (fed as float32 0..1, see Batcher)."""

    path: str
    image_size: tuple[int, int]
    color: str

    def load(self) -> Dataset:
        root = Path(self.path)
        classes = sorted(child.name for child in root.iterdir() if child.is_dir())
        if len(classes) < 2:
            raise DataError(
                f"{root} holds {len(classes)} class folder(s); put each class's "
                "images in its own subfolder (two or more)",
                "dataset.path",
            )
        files, labels = [], []
        for label, name in enumerate(classes):
            found = sorted(
                p
                for p in (root / name).iterdir()
                # Regular files only: a named pipe would block a read for ever, and a
                # link in a loop is no file.
                if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()
            )
            if not found:
                raise DataError(
                    f"class folder {root / name} holds no images", "dataset.path"
                )
            files += found
            labels += [label] * len(found)
        # Decoded straight into one array: no list of images beside it at the peak.
        channels = 1 if self.color == "grayscale" else 3
        x = torch.empty((len(files), channels, *self.image_size), dtype=torch.uint8)
        pixels = x.numpy()  # the same memory, written image by image
        for index, file in enumerate(files):
            pixels[index] = read_image(file, self.image_size, self.color)
        return Dataset(
            root.name, x, torch.tensor(labels), class_task(len(classes)), tuple(classes)
        )


def read_image(file: Path, size: tuple[int, int], color: str) -> np.ndarray:
    """The image's uint8 pixels, channels first, resized bilinearly."""
    try:
        with Image.open(file) as image:
            converted = image.convert("L" if color == "grayscale" else "RGB")
            resized = converted.resize((size[1], size[0]), Image.Resampling.BILINEAR)
            pixels = np.asarray(resized, dtype=np.uint8)
    except Image.DecompressionBombError as error:
        raise DataError(f"{file} is too large to decode safely ({error})") from None
    except (OSError, UnidentifiedImageError) as error:
        raise DataError(f"{file} is not a readable image ({error})") from None
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)
