"""Hostile .npy and .npz files: empty ones, headers that promise more than the file or the
memory holds, Python objects, absurd class counts; each ends in one clear message before
anything large is allocated."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from designer.data import DataError, prepare_data
from designer.runtime import array_files
from tests.script_helpers import small_project, write_script

TERABYTES = {"descr": "<f8", "fortran_order": False, "shape": (100_000_000_000, 2)}


def npy_settings(**settings) -> dict:
    return {"source": "npy", "path": "x.npy", "targets": "y.npy", **settings}


def error_of(settings: dict, folder: Path) -> str:
    with pytest.raises(DataError) as caught:
        prepare_data(settings, folder)
    return str(caught.value)


def save_labels(folder: Path, count: int = 20) -> None:
    np.save(folder / "y.npy", np.arange(count) % 2)


def test_empty_files_and_empty_arrays(tmp_path):
    (tmp_path / "x.npy").write_bytes(b"")
    save_labels(tmp_path)
    assert error_of(npy_settings(), tmp_path) == f"{tmp_path / 'x.npy'} is empty (0 bytes)"
    (tmp_path / "set.npz").write_bytes(b"")
    assert error_of({"source": "npz", "path": "set.npz"}, tmp_path).endswith(
        "set.npz is empty (0 bytes)"
    )
    np.save(tmp_path / "x.npy", np.zeros((20, 0), np.float32))
    message = error_of(npy_settings(), tmp_path)
    assert message == "dataset.path: the samples array is empty (shape 20x0)"
    np.savez(tmp_path / "set.npz", x=np.zeros((0,)), y=np.zeros(0, np.int64))
    message = error_of({"source": "npz", "path": "set.npz"}, tmp_path)
    assert message == "dataset.path: the samples array is empty (shape 0)"
    np.save(tmp_path / "x.npy", np.zeros((20, 2), np.float32))
    np.save(tmp_path / "y.npy", np.zeros((20, 0), np.int64))
    assert error_of(npy_settings(), tmp_path) == "dataset.y: the targets array is empty"


def test_a_header_promising_terabytes_is_refused_before_anything_is_allocated(tmp_path):
    with (tmp_path / "x.npy").open("wb") as stream:
        np.lib.format.write_array_header_2_0(stream, TERABYTES)
    save_labels(tmp_path)
    assert error_of(npy_settings(), tmp_path) == (
        f"{tmp_path / 'x.npy'} is cut short: its header promises 100000000000x2 values of "
        "float64 (1.46 TiB), but 0 bytes follow it"
    )
    header = io.BytesIO()
    np.lib.format.write_array_header_2_0(header, TERABYTES)
    labels = io.BytesIO()
    np.save(labels, np.arange(20) % 2)
    with zipfile.ZipFile(tmp_path / "set.npz", "w") as archive:
        archive.writestr("x.npy", header.getvalue())
        archive.writestr("y.npy", labels.getvalue())
    assert error_of({"source": "npz", "path": "set.npz"}, tmp_path) == (
        f"{tmp_path / 'set.npz'}, array 'x' is cut short: its header promises "
        "100000000000x2 values of float64 (1.46 TiB), but 0 bytes follow it"
    )


def test_arrays_larger_than_the_free_memory_are_refused_by_their_headers(tmp_path, monkeypatch):
    np.save(tmp_path / "x.npy", np.zeros((20, 100), np.float64))  # 16,000 bytes
    save_labels(tmp_path)
    monkeypatch.setattr(array_files, "available_memory", lambda: 20_000)
    message = error_of(npy_settings(), tmp_path)
    assert message == (
        f"{tmp_path / 'x.npy'}: 20x100 values of float64 (15.62 KiB): with the copies "
        "training makes that needs about 23.44 KiB, but 19.53 KiB of memory is free"
    )
    np.savez(tmp_path / "set.npz", x=np.zeros((20, 100)), y=np.arange(20) % 2)
    message = error_of({"source": "npz", "path": "set.npz"}, tmp_path)
    assert "array 'x': 20x100 values of float64" in message
    assert "array 'y': 20 values of int64" in message and "of memory is free" in message
    monkeypatch.setattr(array_files, "available_memory", lambda: 1 << 20)
    assert len(prepare_data({"source": "npz", "path": "set.npz"}, tmp_path).train) == 12


def test_object_arrays_are_never_unpickled(tmp_path):
    np.save(tmp_path / "x.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    save_labels(tmp_path, 2)
    assert error_of(npy_settings(), tmp_path) == (
        f"{tmp_path / 'x.npy'} holds Python objects (object), which are never unpickled: "
        "save an array of numbers"
    )
    np.savez(tmp_path / "set.npz", x=np.array([[1], "a"], dtype=object), y=np.arange(2))
    message = error_of({"source": "npz", "path": "set.npz"}, tmp_path)
    assert message.endswith(
        "array 'x' holds Python objects (object), which are never "
        "unpickled: save an array of numbers"
    )


def test_a_damaged_archive_or_header(tmp_path):
    np.savez(tmp_path / "set.npz", x=np.zeros((20, 2)), y=np.arange(20) % 2)
    data = (tmp_path / "set.npz").read_bytes()
    (tmp_path / "set.npz").write_bytes(data[: len(data) // 2])
    message = error_of({"source": "npz", "path": "set.npz"}, tmp_path)
    assert "set.npz is not a readable .npz file" in message
    (tmp_path / "x.npy").write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'")
    save_labels(tmp_path)
    assert "x.npy is not a readable .npy file" in error_of(npy_settings(), tmp_path)


@pytest.mark.parametrize("top", [10**12, 10_000, 1e300, np.inf])
def test_an_absurd_class_count_is_refused_before_any_class_table(tmp_path, top):
    labels = np.arange(20, dtype=np.int64 if isinstance(top, int) else np.float64) % 2
    labels[3] = top
    np.savez(tmp_path / "set.npz", x=np.zeros((20, 2), np.float32), y=labels)
    message = error_of({"source": "npz", "path": "set.npz", "task": "classes"}, tmp_path)
    assert message.startswith("dataset.max_classes: class targets go up to ")
    assert "classes for 20 samples, more than the limit of 10,000: raise " in message
    if top == 10**12:
        assert "up to 1,000,000,000,000, so 1,000,000,000,001 classes" in message


def test_the_class_limit_can_be_raised(tmp_path):
    labels = np.arange(20) % 2
    labels[3] = 10_000
    np.save(tmp_path / "x.npy", np.zeros((20, 2), np.float32))
    np.save(tmp_path / "y.npy", labels)
    assert "limit of 10,000" in error_of(npy_settings(), tmp_path)
    data = prepare_data({**npy_settings(max_classes=10_001), "split": {"seed": 1}}, tmp_path)
    assert len(data.class_names) == 10_001
    message = error_of(npy_settings(max_classes=1), tmp_path)
    assert message == "dataset.max_classes: must be at least 2, got 1"


def test_values_beyond_float32_are_found_after_the_cast(tmp_path):
    x = np.zeros((20, 2))
    x[7, 1] = 1e39
    np.save(tmp_path / "x.npy", x)
    save_labels(tmp_path)
    message = error_of(npy_settings(), tmp_path)
    assert message == "dataset.path: sample 7 holds NaN or infinity (as float32)"
    np.save(tmp_path / "x.npy", np.zeros((20, 2)))
    np.save(tmp_path / "y.npy", np.where(np.arange(20) == 4, 1e39, 1.0))
    message = error_of(npy_settings(), tmp_path)
    assert message == "dataset.y: target 4 holds NaN or infinity (as float32)"


def test_only_regular_files_are_read(tmp_path):
    os.mkfifo(tmp_path / "x.npy")
    save_labels(tmp_path)
    message = error_of(npy_settings(), tmp_path)
    assert message.startswith(f"dataset.path: {tmp_path / 'x.npy'} is not a regular file")


def test_the_exported_script_says_an_absurd_class_count_in_one_line(tmp_path):
    x = np.random.default_rng(0).random((40, 2), dtype=np.float32)
    np.savez(tmp_path / "set.npz", x=x, y=np.arange(40) % 3)
    dense = [("dense", "d", {"units": 3})]
    script = write_script(
        small_project(tmp_path, {"source": "npz", "path": "set.npz"}, (2,), dense), tmp_path
    )
    labels = np.arange(40) % 3
    labels[3] = 10**12
    np.savez(tmp_path / "set.npz", x=x, y=labels)
    result = subprocess.run(
        [sys.executable, script.name, "--epochs", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "dataset.max_classes: class targets go up to 1,000,000,000,000"
        in result.stdout + result.stderr
    )
