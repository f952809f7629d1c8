"""An image folder's samples, read on demand: each image decoded and resized when it is
first needed, and kept in a PixelStore when there is one."""

from __future__ import annotations

import os
import re
import stat
import struct
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError

from designer.runtime.errors import DataError
from designer.runtime.pixel_store import PixelStore

# What Pillow's decoders raise on a broken or cut-short file.
BROKEN_IMAGE_ERRORS = (
    OSError,
    UnidentifiedImageError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
)
BOMB_PIXELS = re.compile(r"\((\d+) pixels\)")  # in Pillow's message


@dataclass(frozen=True, eq=False)
class ImageFiles:
    """The images `files[rows]` as uint8 samples (channels, height, width), in
    grayscale or RGB (`color`), scaled as `resize` says (see read_image); `store`
    keeps them once decoded (None: decode on every read)."""

    files: tuple[str, ...]
    image_size: tuple[int, int]
    color: str
    resize: int
    store: PixelStore | None
    rows: np.ndarray

    dtype = torch.uint8
    ndim = 4

    @property
    def shape(self) -> tuple[int, ...]:
        channels = 1 if self.color == "grayscale" else 3
        return (len(self.rows), channels, *self.image_size)

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, positions: np.ndarray) -> ImageFiles:
        """The samples at `positions` of these."""
        return replace(self, rows=self.rows[positions])

    def complete(self) -> bool:
        """Whether every sample is in the store already."""
        return self.store is not None and self.store.complete(self.rows)

    def at_hand(self) -> bool:
        """Whether every sample is decoded in memory, not in a cache file (whose pages
        the worker processes read faster, beside the training)."""
        return self.complete() and self.store.path is None

    def read(self, position: int) -> np.ndarray:
        """Sample `position`'s pixels: from the store, or decoded (and then stored)."""
        row = int(self.rows[position])
        if self.store is not None:
            found = self.store.read(row)
            if found is not None:
                return found
        pixels = read_image(
            Path(self.files[row]), self.image_size, self.color, self.resize
        )
        if self.store is not None:
            self.store.write(row, pixels)
        return pixels

    def take(self, positions: np.ndarray) -> torch.Tensor:
        """The samples at `positions` as one uint8 tensor."""
        if self.complete():
            return torch.from_numpy(self.store.pixels[self.rows[positions]])
        batch = torch.empty((len(positions), *self.shape[1:]), dtype=torch.uint8)
        pixels = batch.numpy()
        for slot, position in enumerate(positions):
            pixels[slot] = self.read(int(position))
        return batch


def read_image(
    file: Path, size: tuple[int, int], color: str, resize: int = 0
) -> np.ndarray:
    """The image's uint8 pixels, channels first, resized bilinearly: straight to
    `size` (height, width), or with `resize`, its shorter side to `resize` (keeping its
    proportions) and then its centre cut to `size`, as torchvision's pretrained
    weights want their images."""
    try:
        with open_regular(file) as stream:
            with warnings.catch_warnings():
                # Over Pillow's pixel limit is refused, not only over twice the limit.
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image = Image.open(stream)
            with image:
                converted = image.convert("L" if color == "grayscale" else "RGB")
                scaled = (
                    (size[1], size[0])
                    if not resize
                    else shorter_side(image.size, resize)
                )
                resized = converted.resize(scaled, Image.Resampling.BILINEAR)
                if resize:
                    resized = resized.crop(centre(resized.size, size))
                pixels = np.array(resized, dtype=np.uint8)  # writable, as torch wants
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        found = BOMB_PIXELS.search(str(error))
        count = f"{int(found[1]):,} pixels" if found else "more pixels"
        raise DataError(
            f"{file} is too large to decode safely: it has {count}, over Pillow's "
            f"limit of {Image.MAX_IMAGE_PIXELS:,} (a guard against decompression bombs)"
        ) from None
    except BROKEN_IMAGE_ERRORS as error:
        raise DataError(f"{file} is not a readable image ({error})") from None
    return pixels[None] if pixels.ndim == 2 else pixels.transpose(2, 0, 1)


def open_regular(file: Path):
    """`file` opened for reading when it is a regular file: a named pipe opened without
    waiting for a writer and refused, as is a device."""
    stream = open(file, "rb", opener=open_without_waiting)  # noqa: SIM115 (returned)
    if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
        stream.close()
        raise OSError(f"{file} is not a regular file")
    return stream


def open_without_waiting(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def shorter_side(size: tuple[int, int], side: int) -> tuple[int, int]:
    """(width, height) scaled so that the shorter of the two is `side` (the longer
    rounded down, as torchvision's resize does)."""
    width, height = size
    if width <= height:
        return side, max(1, int(height * side / width))
    return max(1, int(width * side / height)), side


def centre(size: tuple[int, int], crop: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box (left, top, right, bottom) of the centre (height, width) `crop` of an
    image of (width, height) `size`, as torchvision's center_crop places it."""
    left = round((size[0] - crop[1]) / 2.0)
    top = round((size[1] - crop[0]) / 2.0)
    return left, top, left + crop[1], top + crop[0]
