"""An image folder in the usual layout, one subfolder per class, read with Pillow as the
network needs each image; decoded pixels stay in memory within a budget, beyond it in a
cache file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import PIL
import torch

from designer.runtime.dataset import Dataset, class_task
from designer.runtime.errors import DataError
from designer.runtime.folder_entries import FolderEntries
from designer.runtime.image_files import ImageFiles
from designer.runtime.memory_budget import memory_budget
from designer.runtime.pixel_store import SHARED_BY_FORK, PixelStore, cache_file

IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png", ".tif", ".tiff", ".webp")
CACHE_FORMAT = 1  # the cache file's layout and resizing; a change makes new files


@dataclass(frozen=True)
class ImageFolder:
    """One subfolder of images per class, classes and files in name order; each image
    grayscale or RGB (`color`), resized to `image_size` (height, width), channels first,
    as uint8 pixels (fed as float32 0..1); with `resize`, each image's shorter side is
    scaled to it first and its centre cut to `image_size`. Images are decoded when first
    needed; the decoded pixels are kept in memory when they fit `memory_budget` MiB (0:
    automatic), else in a cache file in the folder `cache` ("": none, decode every
    epoch)."""

    path: str
    image_size: tuple[int, int]
    color: str
    memory_budget: int
    cache: str
    resize: int = 0

    def load(self) -> Dataset:
        try:
            return self.scan()
        except OSError as error:  # a folder that cannot be listed
            where = error.filename or self.path
            raise DataError(f"cannot read {where} ({error.strerror})") from None

    def scan(self) -> Dataset:
        root = Path(self.path)
        # Regular files only: a named pipe would block a read for ever, and a link in
        # a loop is no file. Links are followed only where they stay inside the folder.
        entries = FolderEntries(root.resolve())
        class_folders = entries.listing(root)[0]
        classes = [folder.name for folder in class_folders]
        if len(classes) < 2:
            raise DataError(
                f"{root} holds {len(classes)} class folder(s); put each class's "
                "images in its own subfolder (two or more)",
                "dataset.path",
            )
        files, labels, digest = [], [], hashlib.sha256()
        header = (
            f"{CACHE_FORMAT} {PIL.__version__} {self.image_size} {self.color} "
            f"{self.resize}\n"
        )
        digest.update(header.encode())
        for label, folder in enumerate(class_folders):
            found = 0
            for file, status in entries.listing(folder)[1]:
                if file.suffix.lower() not in IMAGE_SUFFIXES:
                    continue
                files.append(str(file))
                labels.append(label)
                found += 1
                line = (
                    f"{folder.name}/{file.name} {status.st_size} {status.st_mtime_ns}\n"
                )
                digest.update(line.encode(errors="surrogateescape"))
            if not found:
                raise DataError(
                    f"class folder {folder} holds no images", "dataset.path"
                )
        notes = (
            (f"passed over {entries.summary()} in {root}",) if entries.summary() else ()
        )
        channels = 1 if self.color == "grayscale" else 3
        shape = (channels, *self.image_size)
        store = self.pixel_store(len(files), shape, digest.hexdigest())
        samples = ImageFiles(
            tuple(files),
            self.image_size,
            self.color,
            self.resize,
            store,
            np.arange(len(files)),
        )
        return Dataset(
            root.name,
            samples,
            torch.tensor(labels),
            class_task(len(classes)),
            tuple(classes),
            notes=notes,
        )

    def pixel_store(
        self, count: int, shape: tuple[int, ...], key: str
    ) -> PixelStore | None:
        """In memory within the budget (where worker processes can share it, by
        fork), else in the cache folder's file for `key`, else none."""
        needed = count * (1 + int(np.prod(shape)))
        if SHARED_BY_FORK and needed <= memory_budget(self.memory_budget):
            return PixelStore(count, shape, None)
        if self.cache:
            path = cache_file(Path(self.cache), key, count, shape)
            return PixelStore(count, shape, path)
        return None
