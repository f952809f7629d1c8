"""A standard set's own files made hostile: an idx header promising more than the memory
holds (plain or gzipped), and a named pipe in place of a file; one clear message each,
before anything large is read."""

from __future__ import annotations

import gzip
import os

import pytest

from designer.data import DataError, prepare_data
from tests.standard_files import write_cifar, write_idx_set

MNIST = {"source": "mnist", "root": "standard", "download": False}
# An idx header of unsigned bytes, rank 3: 2**31 images of 2**16 x 2**16 pixels.
HUGE_IDX = b"\0\0\x08\x03" + (2**31).to_bytes(4, "big") + (2**16).to_bytes(4, "big") * 2


def error_of(settings: dict, folder) -> str:
    with pytest.raises(DataError) as caught:
        prepare_data(settings, folder)
    return str(caught.value)


@pytest.mark.parametrize("zipped", [False, True])
def test_an_idx_header_promising_more_than_memory_is_refused_first(tmp_path, zipped):
    folder = write_idx_set(tmp_path / "standard", zipped=zipped)
    name = "train-images-idx3-ubyte" + (".gz" if zipped else "")
    data = gzip.compress(HUGE_IDX) if zipped else HUGE_IDX
    (folder / name).write_bytes(data)
    message = error_of(MNIST, tmp_path)
    assert message == (
        f"{folder / name}'s header promises 9,223,372,036,854,775,808 values, more than the "
        + message.split("more than the ", 1)[1]
    )
    assert message.endswith(" bytes of memory free")


def test_a_cut_short_or_too_long_idx_file(tmp_path):
    folder = write_idx_set(tmp_path / "standard")
    path = folder / "train-labels-idx1-ubyte"
    whole = path.read_bytes()
    path.write_bytes(whole[:-3])
    assert error_of(MNIST, tmp_path) == f"{path} holds 37 values, not the (40,) its header says"
    path.write_bytes(whole + b"\0")
    assert error_of(MNIST, tmp_path) == (
        f"{path} holds more than 40 values, not the (40,) its header says"
    )


def test_named_pipes_in_place_of_the_files_are_refused(tmp_path):
    folder = write_idx_set(tmp_path / "standard")
    (folder / "t10k-labels-idx1-ubyte").unlink()
    os.mkfifo(folder / "t10k-labels-idx1-ubyte")
    message = error_of(MNIST, tmp_path)
    assert message.endswith("t10k-labels-idx1-ubyte is a FIFO (named pipe), not a regular file")
    cifar = write_cifar(tmp_path / "standard")
    (cifar / "data_batch_1").unlink()
    os.mkfifo(cifar / "data_batch_1")
    message = error_of({**MNIST, "source": "cifar10"}, tmp_path)
    assert message.endswith("data_batch_1 is a FIFO (named pipe), not a regular file")
