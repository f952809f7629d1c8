"""NumPy arrays: one .npz file with named arrays, or .npy files for samples and targets."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import torch

from designer.data.dataset import Dataset, class_task
from designer.data.errors import DataError
from designer.data.files import existing_path
from designer.data.settings import Section

TASKS = ("auto", "classes", "multilabel", "regression", "reconstruction")


def load_npz(section: Section, base: Path | None) -> Dataset:
    path = existing_path(section, "path", base)
    x_key, y_key = section.text("x", "x"), section.text("y", "y")
    try:
        with np.load(path, allow_pickle=False) as archive:
            for key, setting in ((x_key, "x"), (y_key, "y")):
                if key not in archive.files:
                    found = ", ".join(archive.files) or "none"
                    message = f"{path.name} has no array {key!r} (arrays: {found})"
                    raise DataError(message, section.where(setting))
            x, y = archive[x_key], archive[y_key]
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise DataError(f"{path} is not a readable .npz file ({error})") from None
    return from_arrays(path.stem, x, y, section)


def load_npy(section: Section, base: Path | None) -> Dataset:
    x_path = existing_path(section, "path", base)
    y_path = existing_path(section, "targets", base)
    return from_arrays(x_path.stem, read_npy(x_path), read_npy(y_path), section)


def read_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as error:
        raise DataError(f"{path} is not a readable .npy file ({error})") from None


def from_arrays(name: str, x: np.ndarray, y: np.ndarray, section: Section) -> Dataset:
    """Integer targets are classes, float targets regression, unless `task` says otherwise.
    Integer samples stay integers (token ids); they become floats if the Input node wants."""
    task = section.choice("task", "auto", TASKS)
    standardize = section.boolean("standardize", False)
    for array, what, key in ((x, "samples", "path"), (y, "targets", "y")):
        if array.dtype.kind not in "biuf":
            raise DataError(f"{what} must be numbers, but the array holds {array.dtype}", key)
        if array.ndim == 0:
            raise DataError(f"{what} must be an array with one entry per sample", key)
    if len(x) != len(y):
        raise DataError(f"{len(x)} samples but {len(y)} targets", section.where("path"))
    finite = np.isfinite(x.reshape(len(x), -1).astype(np.float64)).all(axis=1)
    if not finite.all():
        raise DataError(
            f"sample {int(np.argmin(finite))} holds NaN or infinity", section.where("path")
        )
    samples = torch.from_numpy(
        np.ascontiguousarray(x, np.int64 if x.dtype.kind in "biu" else np.float32)
    )
    if task == "reconstruction":
        return Dataset(
            name, samples.float(), samples.float(), "reconstruction", standardize=standardize
        )
    if task == "auto":
        task = "classes" if y.dtype.kind in "biu" else "regression"
    if task == "regression":
        targets = torch.from_numpy(np.ascontiguousarray(y, np.float32))
        targets = targets.reshape(len(y), -1) if targets.ndim == 1 else targets
        return Dataset(name, samples, targets, "regression", standardize=standardize)
    if task == "multilabel":
        if y.ndim != 2 or not np.isin(y, (0, 1)).all():
            message = "multi-label targets must be a samples x labels array of 0 and 1"
            raise DataError(message, section.where("y"))
        targets = torch.from_numpy(np.ascontiguousarray(y, np.float32))
        return Dataset(name, samples, targets, "multilabel", standardize=standardize)
    if y.dtype.kind == "f" and not np.equal(np.round(y), y).all():
        raise DataError("class targets must be whole numbers 0, 1, 2, ...", section.where("y"))
    labels = torch.from_numpy(np.ascontiguousarray(y, np.int64))
    if labels.min() < 0:
        message = f"class targets must be 0 or more; found {int(labels.min())}"
        raise DataError(message, section.where("y"))
    count = int(labels.max()) + 1
    names = tuple(str(number) for number in range(count))
    task_name = class_task(count) if labels.ndim == 1 else "sequence_to_sequence"
    return Dataset(name, samples, labels, task_name, names, standardize)
