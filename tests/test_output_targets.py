"""The one atomic writer writes over a regular file or nothing: a device node, a FIFO, a socket,
a folder, a link to one of them, or a link loop is refused, naming the path and what it is,
and stays exactly as it was, with no temporary file left beside it."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest
import torch

from designer.runtime.checkpoints import save_checkpoint
from designer.runtime.files import (
    OutputRefused,
    make_output_folder,
    write_atomically,
    write_bytes_atomically,
)
from designer.training.runs import RunFolder, RunWriteError
from tests.output_target_helpers import listing, make_special, open_reader


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("device", "a character device"),
        ("block", "a block device"),
        ("fifo", "a FIFO (named pipe)"),
        ("socket", "a socket"),
        ("folder", "a folder"),
    ],
)
def test_a_special_file_is_refused_and_kept(tmp_path, kind, words):
    target = make_special(tmp_path / "out.txt", kind)
    before = listing(tmp_path)
    with open_reader(target) as reader:  # a FIFO has a reader: a wrong open would not block
        with pytest.raises(OutputRefused) as raised:
            write_atomically(target, "text\n")
        assert reader.read() == b""
    assert str(raised.value) == f"{target} is {words}, not a file: nothing was written"
    assert raised.value.filename == str(target)
    assert listing(tmp_path) == before


def test_a_link_to_a_device_is_refused_and_the_device_kept(tmp_path):
    device = make_special(tmp_path / "null", "device")
    link = tmp_path / "link"
    link.symlink_to(device.name)
    before = listing(tmp_path)
    with pytest.raises(OutputRefused) as raised:
        write_bytes_atomically(link, b"data")
    assert str(raised.value) == (
        f"{link} leads to {device}, a character device, not a file: nothing was written"
    )
    assert listing(tmp_path) == before and link.readlink() == Path("null")


def test_a_link_loop_is_refused(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    before = listing(tmp_path)
    with pytest.raises(OutputRefused, match="is a link that leads nowhere, not a file"):
        write_atomically(tmp_path / "a", "text")
    assert listing(tmp_path) == before


def test_a_missing_folder_is_named_not_the_temporary_file(tmp_path):
    with pytest.raises(OutputRefused) as raised:
        write_atomically(tmp_path / "nowhere" / "out.txt", "text")
    assert str(raised.value) == (
        f"{tmp_path / 'nowhere' / 'out.txt'} cannot be written: the folder "
        f"{tmp_path / 'nowhere'} does not exist; nothing was written"
    )
    file = tmp_path / "file"
    file.write_text("mine")
    with pytest.raises(OutputRefused, match=f"{file} is not a folder"):
        write_atomically(file / "out.txt", "text")
    assert file.read_text() == "mine"


def test_regular_files_and_links_to_them_are_still_replaced(tmp_path):
    target = tmp_path / "out.txt"
    write_atomically(target, "one")
    link = tmp_path / "link"
    link.symlink_to(target.name)
    write_atomically(link, "two")
    assert target.read_text() == "two" and link.is_symlink()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["link", "out.txt"]


def test_a_checkpoint_onto_a_device_is_refused(tmp_path):
    device = make_special(tmp_path / "best.pt", "device")
    with pytest.raises(OutputRefused, match="is a character device"):
        save_checkpoint(device, {"model": {"w": torch.zeros(2)}})
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_an_output_folder_taken_by_a_device_or_a_file_is_refused(tmp_path):
    device = make_special(tmp_path / "out", "device")
    with pytest.raises(OutputRefused) as raised:
        make_output_folder(device)
    assert str(raised.value) == f"{device} is a character device, not a folder: nothing was written"
    file = tmp_path / "file"
    file.write_text("mine")
    with pytest.raises(OutputRefused, match=f"{file} is a file, not a folder"):
        make_output_folder(file / "checkpoints")
    assert make_output_folder(tmp_path / "a" / "b").is_dir()


def test_the_refusal_is_an_oserror_that_survives_pickling(tmp_path):
    error = OutputRefused(tmp_path / "x", "is a socket, not a file: nothing was written")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, OSError) and str(copy) == str(error)
    assert (copy.filename, copy.strerror) == (error.filename, error.strerror)


def test_a_runs_metrics_are_never_appended_to_a_fifo(tmp_path):
    run = RunFolder(tmp_path)
    fifo = make_special(run.metrics_path, "fifo")
    with open_reader(fifo) as reader:
        with pytest.raises(RunWriteError) as raised:
            run.append({"epoch": 1})
        assert reader.read() == b""
    assert str(raised.value) == (
        f"cannot write {fifo} (is a FIFO (named pipe), not a file: nothing was written)"
    )
