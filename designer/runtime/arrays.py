"""NumPy arrays: one .npz file with named arrays, or .npy files for samples, targets."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from designer.runtime.dataset import Dataset, class_task
from designer.runtime.errors import DataError


@dataclass(frozen=True)
class NpzArrays:
    """Samples and targets from the arrays `x` and `y` of one .npz file (see
    from_arrays)."""

    path: str
    x: str
    y: str
    task: str

    def load(self) -> Dataset:
        path = Path(self.path)
        try:
            with np.load(path, allow_pickle=False) as archive:
                for key, setting in ((self.x, "x"), (self.y, "y")):
                    if key not in archive.files:
                        found = ", ".join(archive.files) or "none"
                        message = f"{path.name} has no array {key!r} (arrays: {found})"
                        raise DataError(message, f"dataset.{setting}")
                x, y = archive[self.x], archive[self.y]
        except MemoryError as error:
            raise DataError(f"{path} is too large to load ({error})") from None
        except (OSError, ValueError, zipfile.BadZipFile) as error:
            raise DataError(f"{path} is not a readable .npz file ({error})") from None
        return from_arrays(path.stem, x, y, self.task)


@dataclass(frozen=True)
class NpyArrays:
    """Samples from one .npy file and targets from another (see from_arrays)."""

    path: str
    targets: str
    task: str

    def load(self) -> Dataset:
        x, y = read_npy(Path(self.path)), read_npy(Path(self.targets))
        return from_arrays(Path(self.path).stem, x, y, self.task)


def read_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except MemoryError as error:
        raise DataError(f"{path} is too large to load ({error})") from None
    except (OSError, ValueError) as error:
        raise DataError(f"{path} is not a readable .npy file ({error})") from None


def from_arrays(name: str, x: np.ndarray, y: np.ndarray, task: str) -> Dataset:
    """Integer targets are classes, float targets regression, unless `task` says
    otherwise. Integer samples stay integers (token ids); they become floats if the
    Input node wants."""
    for array, what, key in ((x, "samples", "path"), (y, "targets", "y")):
        if array.dtype.kind not in "biuf":
            message = f"{what} must be numbers, but the array holds {array.dtype}"
            raise DataError(message, f"dataset.{key}")
        if array.ndim == 0:
            message = f"{what} must be an array with one entry per sample"
            raise DataError(message, f"dataset.{key}")
    if len(x) == 0:
        raise DataError("the samples array is empty", "dataset.path")
    if len(x) != len(y):
        raise DataError(f"{len(x)} samples but {len(y)} targets", "dataset.path")
    finite = np.isfinite(x.reshape(len(x), -1).astype(np.float64)).all(axis=1)
    if not finite.all():
        message = f"sample {int(np.argmin(finite))} holds NaN or infinity"
        raise DataError(message, "dataset.path")
    samples = torch.from_numpy(
        np.ascontiguousarray(x, np.int64 if x.dtype.kind in "biu" else np.float32)
    )
    if task == "reconstruction":
        return Dataset(name, samples.float(), samples.float(), "reconstruction")
    if task == "auto":
        task = "classes" if y.dtype.kind in "biu" else "regression"
    if task == "regression":
        targets = torch.from_numpy(np.ascontiguousarray(y, np.float32))
        targets = targets.reshape(len(y), -1) if targets.ndim == 1 else targets
        return Dataset(name, samples, targets, "regression")
    if task == "multilabel":
        if y.ndim != 2 or not np.isin(y, (0, 1)).all():
            message = "multi-label targets must be a samples x labels array of 0 and 1"
            raise DataError(message, "dataset.y")
        targets = torch.from_numpy(np.ascontiguousarray(y, np.float32))
        return Dataset(name, samples, targets, "multilabel")
    if y.dtype.kind == "f" and not np.equal(np.round(y), y).all():
        raise DataError("class targets must be whole numbers 0, 1, 2, ...", "dataset.y")
    labels = torch.from_numpy(np.ascontiguousarray(y, np.int64))
    if labels.min() < 0:
        message = f"class targets must be 0 or more; found {int(labels.min())}"
        raise DataError(message, "dataset.y")
    count = int(labels.max()) + 1
    names = tuple(str(number) for number in range(count))
    task_name = class_task(count) if labels.ndim == 1 else "sequence_to_sequence"
    return Dataset(name, samples, labels, task_name, names)
