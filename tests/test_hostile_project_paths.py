"""A project, block or import path that names a FIFO, a device, a socket or a folder: refused at
once with a message saying what it is, never read (a FIFO blocks for ever, a device never ends).
Devices are private nodes made in tmp_path, never /dev itself."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from designer.project import ProjectError, load_project
from designer.project.outline import read_outline
from designer.project.regular_file import read_regular_file
from designer.project.user_library import library_blocks, read_block
from tests.helpers import PROJECTS

ROOT = Path(__file__).resolve().parents[1]
ZERO, NULL = os.makedev(1, 5), os.makedev(1, 3)  # what /dev/zero and /dev/null are


def netdesigner(*args: str) -> subprocess.CompletedProcess:
    """The command from this checkout; a read that blocks fails by the timeout."""
    return subprocess.run(
        [sys.executable, "-m", "designer.ui.launch", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def fifo(folder: Path, name: str = "project.json") -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


def device(folder: Path, number: int = ZERO, name: str = "zero.json") -> Path:
    path = folder / name
    os.mknod(path, 0o600 | stat.S_IFCHR, number)
    return path


def test_validate_refuses_a_fifo_at_once(tmp_path):
    path = fifo(tmp_path)
    result = netdesigner("validate", str(path))
    assert result.returncode == 2
    assert result.stderr == (f"netdesigner: {path}: is a FIFO (named pipe), not a regular file\n")


def test_validate_refuses_an_endless_device(tmp_path):
    path = device(tmp_path)
    result = netdesigner("validate", str(path))
    assert result.returncode == 2
    assert result.stderr == f"netdesigner: {path}: is a character device, not a regular file\n"


@pytest.mark.timeout(30)
@pytest.mark.parametrize("make", [fifo, device], ids=["fifo", "device"])
def test_a_link_to_a_special_file_is_refused_too(tmp_path, make):
    link = tmp_path / "link.json"
    link.symlink_to(make(tmp_path))
    with pytest.raises(ProjectError, match="not a regular file"):
        load_project(link)


@pytest.mark.timeout(30)
def test_a_socket_and_a_folder_are_named_as_such(tmp_path):
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(tmp_path / "socket.json"))
    try:
        with pytest.raises(ProjectError, match="is a socket, not a regular file"):
            load_project(tmp_path / "socket.json")
    finally:
        listener.close()
    with pytest.raises(ProjectError, match="is a folder, not a regular file"):
        load_project(tmp_path)


def test_a_regular_file_over_the_limit_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (3 << 20))
    with pytest.raises(ProjectError, match=r"big.json: is larger than 2 MiB"):
        read_regular_file(path, 2 << 20)
    assert read_regular_file(path, 3 << 20) == b" " * (3 << 20)


@pytest.mark.timeout(30)
def test_special_files_in_the_block_library_are_listed_as_damaged(tmp_path):
    folder = tmp_path / "blocks"
    folder.mkdir()
    fifo(folder, "pipe.json")
    device(folder, NULL, "null.json")
    listed = {block.name: block.problem for block in library_blocks(folder)}
    assert listed == {
        "null": f"{folder / 'null.json'}: is a character device, not a regular file",
        "pipe": f"{folder / 'pipe.json'}: is a FIFO (named pipe), not a regular file",
    }
    with pytest.raises(ProjectError, match="is a FIFO"):
        read_block(folder / "pipe.json")


@pytest.mark.timeout(30)
def test_the_start_page_outline_of_a_special_file_is_its_name_only(tmp_path):
    outline = read_outline(fifo(tmp_path, "pipe.json"))
    assert (outline.title, outline.boxes) == ("pipe", [])
    assert read_outline(device(tmp_path)).title == "zero"


def test_import_refuses_a_module_file_and_a_weights_file_that_are_special(tmp_path):
    module = fifo(tmp_path, "net.py")
    output = tmp_path / "out.json"
    result = netdesigner("import", f"{module}:Net", "--input-shape", "4", "-o", str(output))
    assert result.returncode == 2
    assert result.stderr == f"netdesigner: {module}: is a FIFO (named pipe), not a regular file\n"
    real = tmp_path / "real.py"
    real.write_text("from torch import nn\nNet = nn.Linear(4, 2)\n")
    weights = device(tmp_path, ZERO, "weights.pt")
    result = netdesigner(
        "import", f"{real}:Net", "--input-shape", "4", "-o", str(output), "--weights", str(weights)
    )
    assert result.returncode == 2
    assert result.stderr == (f"netdesigner: {weights}: is a character device, not a regular file\n")
    assert not output.exists()


def test_an_example_still_loads():
    assert len(load_project(PROJECTS / "mlp_iris.json").graph) == 7
