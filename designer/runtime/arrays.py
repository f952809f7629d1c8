"""NumPy arrays: one .npz file with named arrays, or .npy files for samples, targets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from designer.runtime.array_files import load_npy, load_npz
from designer.runtime.dataset import MAX_CLASSES, Dataset, class_task
from designer.runtime.errors import DataError


@dataclass(frozen=True)
class NpzArrays:
    """Samples and targets from the arrays `x` and `y` of one .npz file (see
    from_arrays)."""

    path: str
    x: str
    y: str
    task: str
    max_classes: int = MAX_CLASSES

    def load(self) -> Dataset:
        path = Path(self.path)
        arrays = load_npz(path, {self.x: "x", self.y: "y"})
        x, y = arrays[self.x], arrays[self.y]
        return from_arrays(path.stem, x, y, self.task, self.max_classes)


@dataclass(frozen=True)
class NpyArrays:
    """Samples from one .npy file and targets from another (see from_arrays)."""

    path: str
    targets: str
    task: str
    max_classes: int = MAX_CLASSES

    def load(self) -> Dataset:
        x, y = load_npy(Path(self.path)), load_npy(Path(self.targets))
        return from_arrays(Path(self.path).stem, x, y, self.task, self.max_classes)


def from_arrays(
    name: str, x: np.ndarray, y: np.ndarray, task: str, max_classes: int = MAX_CLASSES
) -> Dataset:
    """Integer targets are classes, float targets regression, unless `task` says
    otherwise. Integer samples stay integers (token ids); they become floats if the
    Input node wants. Classes are counted (at most `max_classes`) before any table of
    them is made."""
    for array, what, key in ((x, "samples", "path"), (y, "targets", "y")):
        if array.dtype.kind not in "biuf":
            message = f"{what} must be numbers, but the array holds {array.dtype}"
            raise DataError(message, f"dataset.{key}")
        if array.ndim == 0:
            message = f"{what} must be an array with one entry per sample"
            raise DataError(message, f"dataset.{key}")
    if len(x) == 0 or x.size == 0:
        shape = "x".join(map(str, x.shape))
        raise DataError(f"the samples array is empty (shape {shape})", "dataset.path")
    if len(x) != len(y):
        raise DataError(f"{len(x)} samples but {len(y)} targets", "dataset.path")
    with np.errstate(over="ignore"):  # too large for float32: infinity, found below
        samples = torch.from_numpy(
            np.ascontiguousarray(x, np.int64 if x.dtype.kind in "biu" else np.float32)
        )
    check_finite(samples, "sample", "dataset.path")
    if task == "reconstruction":
        return Dataset(name, samples.float(), samples.float(), "reconstruction")
    if task == "auto":
        task = "classes" if y.dtype.kind in "biu" else "regression"
    if task == "regression":
        with np.errstate(over="ignore"):
            targets = torch.from_numpy(np.ascontiguousarray(y, np.float32))
        targets = targets.reshape(len(y), -1) if targets.ndim == 1 else targets
        check_finite(targets, "target", "dataset.y")
        return Dataset(name, samples, targets, "regression")
    if task == "multilabel":
        if y.ndim != 2 or not np.isin(y, (0, 1)).all():
            message = "multi-label targets must be a samples x labels array of 0 and 1"
            raise DataError(message, "dataset.y")
        targets = torch.from_numpy(np.ascontiguousarray(y, np.float32))
        return Dataset(name, samples, targets, "multilabel")
    count = class_count(y, max_classes)
    labels = torch.from_numpy(np.ascontiguousarray(y, np.int64))
    names = tuple(str(number) for number in range(count))
    task_name = class_task(count) if labels.ndim == 1 else "sequence_to_sequence"
    return Dataset(name, samples, labels, task_name, names)


def check_finite(values: torch.Tensor, what: str, place: str) -> None:
    """DataError naming the first sample (or target) that holds NaN or infinity, as
    stored (float32: 1e39 is too large)."""
    if values.is_floating_point():
        finite = torch.isfinite(values.reshape(len(values), -1)).all(dim=1)
        if not bool(finite.all()):
            first = int(torch.argmin(finite.byte()))
            message = f"{what} {first} holds NaN or infinity (as float32)"
            raise DataError(message, place)


def class_count(y: np.ndarray, max_classes: int) -> int:
    """The number of classes the whole-number targets `y` give (their largest + 1),
    checked against the limit before anything that size is made."""
    if y.size == 0:
        raise DataError("the targets array is empty", "dataset.y")
    if y.dtype.kind == "f" and not np.equal(np.round(y), y).all():
        raise DataError("class targets must be whole numbers 0, 1, 2, ...", "dataset.y")
    lowest, highest = y.min(), y.max()
    if lowest < 0:
        message = f"class targets must be 0 or more; found {whole(lowest)}"
        raise DataError(message, "dataset.y")
    if highest >= max_classes:
        raise DataError(
            f"class targets go up to {whole(highest)}, so {whole(highest + 1)} classes "
            f"for {len(y):,} samples, more than the limit of {max_classes:,}: raise "
            "dataset.max_classes, or set dataset.task to regression",
            "dataset.max_classes",
        )
    return int(highest) + 1


def whole(value: np.number) -> str:
    """A whole number with thousands marked (infinity as such)."""
    return f"{int(value):,}" if np.isfinite(value) else str(value)
