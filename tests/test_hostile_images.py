"""Hostile image folders: named pipes, devices, sockets, link loops, links that lead out and
images over Pillow's pixel limit; only regular files inside the folder are read, what is
passed over is counted, and nothing hangs, in the app and in the exported script."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from designer.data import DataError, prepare_data
from designer.runtime.image_files import read_image
from tests.script_helpers import small_project, write_script
from tests.test_data_files import make_images, read_all

FOLDER = {"source": "image_folder", "path": "pets", "image_size": 8}


def within(seconds: float, work: Callable[[], object]) -> object:
    """What `work` returns, or raises; a failure when it takes longer (a read blocked
    for ever on a named pipe), instead of a test run that hangs."""
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # handed to the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def hostile_folder(tmp_path: Path) -> list[socket.socket]:
    """pets/ with 3 images per class and, beside them, one of each thing never read (the
    socket stays bound while the test runs)."""
    make_images(tmp_path / "pets", {"cat": 3, "dog": 3})
    cat, dog = tmp_path / "pets" / "cat", tmp_path / "pets" / "dog"
    os.mkfifo(cat / "pipe.png")
    os.mknod(cat / "device.png", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    (dog / "loop.png").symlink_to(dog / "loop.png")
    (dog / "gone.png").symlink_to(dog / "nowhere.png")
    make_images(tmp_path / "elsewhere", {"owl": 1})
    (dog / "outside.png").symlink_to(tmp_path / "elsewhere" / "owl" / "0.png")
    (tmp_path / "pets" / "owl").symlink_to(tmp_path / "elsewhere" / "owl")
    (dog / "inside.png").symlink_to(cat / "0.png")  # followed: it stays inside
    bound = socket.socket(socket.AF_UNIX)
    bound.bind(str(cat / "socket.png"))
    return [bound]


PASSED_OVER = (
    "passed over 1 broken link, 1 device, 1 link loop, 2 links that lead out of the "
    "folder, 1 named pipe and 1 socket in "
)


def test_only_regular_files_inside_the_folder_are_read_and_the_rest_counted(tmp_path):
    sockets = hostile_folder(tmp_path)
    data = within(60, lambda: prepare_data(FOLDER, tmp_path))
    assert data.class_names == ("cat", "dog")  # owl/ leads out of the folder
    assert len(data.train) + len(data.val) + len(data.test) == 7
    assert data.notes == (PASSED_OVER + str((tmp_path / "pets").resolve()),)
    assert data.describe().endswith(f"2 classes; {data.notes[0]}")
    within(60, lambda: read_all(data))
    for bound in sockets:
        bound.close()


def test_a_file_that_became_a_pipe_is_refused_not_waited_for(tmp_path):
    os.mkfifo(tmp_path / "pipe.png")
    with pytest.raises(DataError, match=r"pipe\.png is not a readable image \(.*regular"):
        within(10, lambda: read_image(tmp_path / "pipe.png", (8, 8), "grayscale"))


@pytest.mark.parametrize("limit", [30, 100])  # the 10x12 images: 4x and 1.2x the limit
def test_an_image_over_the_pixel_limit_is_named_with_its_size(tmp_path, monkeypatch, limit):
    make_images(tmp_path / "pets", {"cat": 3, "dog": 3})
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    data = prepare_data(FOLDER, tmp_path)
    with pytest.raises(DataError) as caught:
        read_all(data)
    message = str(caught.value)
    assert message.endswith(
        f".png is too large to decode safely: it has 120 pixels, over Pillow's limit of "
        f"{limit} (a guard against decompression bombs)"
    )


def test_the_exported_script_passes_over_the_same_and_says_so(tmp_path):
    sockets = hostile_folder(tmp_path)
    layers = [("flatten", "flat", {}), ("dense", "head", {"units": 2})]
    project = small_project(tmp_path, FOLDER, (1, 8, 8), layers)
    script = write_script(project, tmp_path)
    result = subprocess.run(
        [sys.executable, script.name, "--epochs", "1", "--workers", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Small test: {PASSED_OVER}" in result.stdout
    for bound in sockets:
        bound.close()


def test_a_huge_image_stops_the_exported_script_with_one_line(tmp_path):
    make_images(tmp_path / "pets", {"cat": 3, "dog": 3})
    layers = [("flatten", "flat", {}), ("dense", "head", {"units": 2})]
    script = write_script(small_project(tmp_path, FOLDER, (1, 8, 8), layers), tmp_path)
    big = np.zeros((9000, 10000), np.uint8)  # 90 million pixels: just over the limit
    Image.fromarray(big).save(tmp_path / "pets" / "dog" / "big.png")
    result = subprocess.run(
        [sys.executable, script.name, "--epochs", "1", "--workers", "0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "big.png is too large to decode safely: it has 90,000,000 pixels, over " in (
        result.stderr
    )
