"""The standard image sets people start with, in torchvision's folder layout: MNIST,
Fashion-MNIST and KMNIST (idx files), CIFAR-10 and CIFAR-100 (python batches).
Downloaded by torchvision when they are missing and `download` is on, otherwise read
from `root`."""

from __future__ import annotations

import gzip
import math
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from designer.runtime.dataset import Dataset, class_task
from designer.runtime.errors import DataError
from designer.runtime.memory_budget import available_memory
from designer.runtime.regular_files import regular_size
from designer.runtime.vision import import_torchvision

IDX_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
IDX_TEST_FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
# torchvision's class name, its folder under root, its files and the class names where
# the files do not hold them.
STANDARD_SETS = {
    "mnist": ("MNIST", "MNIST/raw", (*IDX_FILES, *IDX_TEST_FILES)),
    "fashion_mnist": (
        "FashionMNIST",
        "FashionMNIST/raw",
        (*IDX_FILES, *IDX_TEST_FILES),
    ),
    "kmnist": ("KMNIST", "KMNIST/raw", (*IDX_FILES, *IDX_TEST_FILES)),
    "cifar10": (
        "CIFAR10",
        "cifar-10-batches-py",
        (*(f"data_batch_{n}" for n in range(1, 6)), "test_batch", "batches.meta"),
    ),
    "cifar100": ("CIFAR100", "cifar-100-python", ("train", "test", "meta")),
}
CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion_mnist": (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    ),
    "kmnist": ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"),
}
# What a CIFAR batch may hold: dicts, lists, texts and numpy arrays, nothing that runs.
PICKLE_CLASSES = {
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("_codecs", "encode"),
}


@dataclass(frozen=True)
class StandardImages:
    """One of STANDARD_SETS: its training images, then its official test images (the
    last `test_count` samples, which stay the test part), as uint8 pixels channels first
    (fed as float32 0..1, see Batcher)."""

    name: str
    root: str
    download: bool

    def load(self) -> Dataset:
        folder = Path(self.root) / STANDARD_SETS[self.name][1]
        self.fetch(folder)
        if self.name.startswith("cifar"):
            (x, y), (test_x, test_y), names = read_cifar(self.name, folder)
        else:
            x, y = read_idx(folder, IDX_FILES)
            test_x, test_y = read_idx(folder, IDX_TEST_FILES)
            names = CLASS_NAMES[self.name]
        images = torch.from_numpy(np.concatenate([x, test_x]))
        labels = torch.from_numpy(np.concatenate([y, test_y]).astype(np.int64))
        task = class_task(len(names))
        return Dataset(self.name, images, labels, task, names, test_count=len(test_x))

    def fetch(self, folder: Path) -> None:
        """Download the set with torchvision where files are missing (and it may)."""
        kind, _, files = STANDARD_SETS[self.name]
        missing = [
            name
            for name in files
            if not (folder / name).exists() and not (folder / f"{name}.gz").exists()
        ]
        if not missing:
            return
        where = f"put {', '.join(files)} in {folder}"
        if not self.download:
            raise DataError(
                f"{self.name} is not in {self.root}: {where}", "dataset.root"
            )
        datasets = import_torchvision().datasets
        try:
            for train in (True, False):
                getattr(datasets, kind)(self.root, train=train, download=True)
        except (OSError, RuntimeError) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else error
            raise DataError(
                f"could not download {self.name} ({reason}); when offline, {where}",
                "dataset.root",
            ) from None


def read_idx(folder: Path, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Images (N x 1 x H x W) and labels from an idx pair, plain or gzipped."""
    images, labels = (idx_array(folder / name) for name in names)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DataError(f"{folder / names[0]} and its labels do not match")
    return images[:, None], labels


def idx_array(path: Path) -> np.ndarray:
    """An idx file's unsigned bytes in their shape (the header gives the dimensions,
    checked against the free memory before the values are read)."""
    if not path.exists() and path.with_suffix(".gz").exists():
        path = path.with_suffix(".gz")
    regular_size(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            head = stream.read(4)
            if len(head) < 4 or head[:3] != b"\0\0\x08":
                raise DataError(f"{path} is not an idx file of unsigned bytes")
            sizes = stream.read(4 * head[3])
            if len(sizes) < 4 * head[3]:
                raise DataError(f"{path} is not an idx file of unsigned bytes")
            shape = tuple(
                int.from_bytes(sizes[at : at + 4], "big")
                for at in range(0, len(sizes), 4)
            )
            count = math.prod(shape)
            free = available_memory()
            if free is not None and count > free:
                raise DataError(
                    f"{path}'s header promises {count:,} values, more than the "
                    f"{free:,} bytes of memory free"
                )
            body = stream.read(count + 1)  # one more: a file longer than it says
    except (OSError, EOFError) as error:  # a download cut short ends a gzip early
        message = f"{path} is not readable; delete it to fetch it again ({error})"
        raise DataError(message) from None
    if len(body) != count:
        held = f"more than {count}" if len(body) > count else len(body)
        raise DataError(f"{path} holds {held} values, not the {shape} its header says")
    return np.frombuffer(body, np.uint8).reshape(shape)


def read_cifar(name: str, folder: Path) -> tuple[tuple, tuple, tuple[str, ...]]:
    """CIFAR's python batches: training batches, the test batch and the class names."""
    _, _, files = STANDARD_SETS[name]
    labels_key = "labels" if name == "cifar10" else "fine_labels"
    parts = []
    for batch_files in (files[:-2], files[-2:-1]):
        batches = [unpickled(folder / file) for file in batch_files]
        images = np.concatenate(
            [np.asarray(batch["data"], np.uint8) for batch in batches]
        )
        labels = np.concatenate([np.asarray(batch[labels_key]) for batch in batches])
        parts.append((images.reshape(-1, 3, 32, 32), labels))
    meta = unpickled(folder / files[-1])
    names = meta["label_names" if name == "cifar10" else "fine_label_names"]
    return parts[0], parts[1], tuple(str(item) for item in names)


class BatchUnpickler(pickle.Unpickler):
    """Reads a CIFAR batch and refuses anything but plain data and numpy arrays."""

    def find_class(self, module: str, name: str) -> object:
        if (module, name) not in PICKLE_CLASSES:
            raise pickle.UnpicklingError(
                f"{module}.{name} is not allowed in a data batch"
            )
        return super().find_class(module, name)


def unpickled(path: Path) -> dict:
    regular_size(path)
    try:
        with path.open("rb") as stream:
            batch = BatchUnpickler(stream, encoding="latin1").load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError) as error:
        raise DataError(f"{path} is not a readable CIFAR batch ({error})") from None
    if not isinstance(batch, dict):
        raise DataError(f"{path} is not a CIFAR batch (it holds no dictionary)")
    return batch
