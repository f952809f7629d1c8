"""Tiny standard image sets written in their real formats and folders: MNIST's idx files
(plain or gzipped) and CIFAR's pickled python batches, as torchvision lays them out."""

from __future__ import annotations

import gzip
import pickle
from pathlib import Path

import numpy as np

from designer.runtime.standard_sets import STANDARD_SETS


def idx_bytes(array: np.ndarray) -> bytes:
    """An idx file: two zero bytes, the unsigned-byte type 0x08, the rank, each dimension as a
    big-endian 32-bit number, then the bytes."""
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def write_idx_set(
    root: Path, name: str = "mnist", train: int = 40, test: int = 10, zipped: bool = False
) -> Path:
    """Digit-like 28x28 images whose brightness follows the label, so a network can learn."""
    folder = root / STANDARD_SETS[name][1]
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, count in (("train", train), ("t10k", test)):
        labels = np.arange(count) % 10
        images = rng.integers(0, 40, (count, 28, 28)) + labels[:, None, None] * 20
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            path = folder / f"{prefix}-{kind}-ubyte"
            data = idx_bytes(array)
            if zipped:
                path.with_name(path.name + ".gz").write_bytes(gzip.compress(data))
            else:
                path.write_bytes(data)
    return folder


def write_cifar(root: Path, per_batch: int = 8, test: int = 10) -> Path:
    """CIFAR-10's folder: five training batches, a test batch and batches.meta, pickled as
    CIFAR's own files are (dicts holding a uint8 data array and a list of labels)."""
    folder = root / STANDARD_SETS["cifar10"][1]
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    names = [f"data_batch_{n}" for n in range(1, 6)] + ["test_batch"]
    for index, name in enumerate(names):
        count = test if name == "test_batch" else per_batch
        labels = [(index * count + i) % 10 for i in range(count)]
        data = rng.integers(0, 60, (count, 3072)) + np.repeat(
            np.array(labels)[:, None] * 19, 3072, 1
        )
        batch = {"batch_label": name, "labels": labels, "data": data.astype(np.uint8)}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    classes = ["airplane", "automobile", "bird", "cat", "deer"]
    classes += ["dog", "frog", "horse", "ship", "truck"]
    meta = {"label_names": classes, "num_cases_per_batch": per_batch}
    (folder / "batches.meta").write_bytes(pickle.dumps(meta, protocol=2))
    return folder


def write_cifar100(root: Path, train: int = 300, test: int = 10) -> Path:
    """CIFAR-100's folder: train, test and meta, with fine labels and their names (three
    training images a class at least, so that a stratified split leaves validation ones)."""
    folder = root / STANDARD_SETS["cifar100"][1]
    folder.mkdir(parents=True)
    rng = np.random.default_rng(2)
    for name, count in (("train", train), ("test", test)):
        labels = [i % 100 for i in range(count)]
        data = rng.integers(0, 256, (count, 3072)).astype(np.uint8)
        batch = {"fine_labels": labels, "coarse_labels": [0] * count, "data": data}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
    meta = {"fine_label_names": [f"class{i}" for i in range(100)]}
    (folder / "meta").write_bytes(pickle.dumps(meta, protocol=2))
    return folder
