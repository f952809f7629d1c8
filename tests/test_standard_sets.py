"""The standard image sets from tiny files in their real formats and folders: read as
torchvision lays them out, their own test part kept, trained by the app and its exported
script alike, a clear message when they are missing or cannot be downloaded."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from designer.data import DataError, prepare_data
from designer.export.script import training_script
from designer.runtime.standard_sets import read_idx
from tests.script_helpers import (
    PINNED,
    app_epochs,
    as_printed,
    dense_chain,
    printed_epochs,
    run_script,
    small_project,
    write_script,
)
from tests.standard_files import write_cifar, write_idx_set


def test_mnist_idx_files_plain_or_gzipped_keep_their_own_test_part(tmp_path):
    folder = write_idx_set(tmp_path, "mnist", train=50, test=12)
    write_idx_set(tmp_path, "kmnist", train=50, test=12, zipped=True)
    data = prepare_data({"source": "mnist", "root": str(tmp_path), "download": False}, None)
    assert data.describe() == "mnist: 40 train / 10 val / 12 test samples of 1x28x28, 10 classes"
    assert data.split_json()["settings"] == {"val": 0.2, "test": 0.0, "seed": 0}
    images, labels = read_idx(folder, ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"))
    assert torch.equal(data.test.x, torch.tensor(images))  # uint8, fed as float 0..1
    assert torch.equal(data.test.y, torch.tensor(labels.astype(np.int64)))
    zipped = prepare_data({"source": "kmnist", "root": str(tmp_path), "download": False}, None)
    assert torch.equal(zipped.test.x, data.test.x) and zipped.class_names[:2] == ("o", "ki")


def test_a_cifar10_file_set_trains_an_epoch_in_the_app_and_its_script_alike(tmp_path):
    write_cifar(tmp_path / "sets")
    dataset = {"source": "cifar10", "root": "sets", "download": False}
    layers = [("flatten", "flat", {}), *dense_chain(16, 10)]
    project = small_project(tmp_path, dataset, (3, 32, 32), layers)
    app, _ = app_epochs(project, 1)
    output = run_script(write_script(project, tmp_path), "--epochs", "1", *PINNED)
    assert printed_epochs(output) == [as_printed(record) for record in app]
    assert "30 train / 10 val / 10 test samples" in output
    assert training_script(project).requirements == ("torch", "numpy", "torchvision")


def test_a_missing_set_says_where_its_files_go(tmp_path):
    settings = {"source": "cifar10", "root": str(tmp_path), "download": False}
    with pytest.raises(DataError) as caught:
        prepare_data(settings, None)
    assert caught.value.place == "dataset.root"
    assert "put data_batch_1, " in caught.value.message
    assert str(tmp_path / "cifar-10-batches-py") in caught.value.message


def test_offline_a_download_fails_with_where_to_put_the_files(tmp_path):
    """The real download code runs (torchvision's), and finds no network: tests are offline."""
    settings = {"source": "fashion_mnist", "root": str(tmp_path)}
    with pytest.raises(DataError) as caught:
        prepare_data(settings, None)
    message = caught.value.message
    assert message.startswith("could not download fashion_mnist (")
    assert "when offline, put train-images-idx3-ubyte" in message
    assert str(tmp_path / "FashionMNIST" / "raw") in message


def test_a_batch_that_would_run_code_is_refused(tmp_path):
    folder = write_cifar(tmp_path)
    (folder / "test_batch").write_bytes(pickle.dumps({"data": os.system}, protocol=2))
    with pytest.raises(DataError, match=r"posix\.system is not allowed in a data batch"):
        prepare_data({"source": "cifar10", "root": str(tmp_path), "download": False}, None)


def test_torchvision_imports_here_whatever_torch_it_was_built_for():
    """Here torchvision's wheel is built for CUDA torch and torch is the CPU build: a plain
    import fails on its compiled operators; ours gives the datasets and transforms, with one
    warning that says why. Where the builds match, there is no warning."""
    plain = subprocess.run(
        [sys.executable, "-c", "import torchvision"], capture_output=True, text=True
    )
    code = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "from designer.runtime.vision import import_torchvision\n"
        "vision = import_torchvision()\n"
        "from torchvision.transforms import v2\n"
        "assert vision.datasets.MNIST and v2.RandomHorizontalFlip\n"
        "assert import_torchvision() is vision\n"
    )
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ours.returncode == 0, ours.stderr
    mismatched = "torchvision::nms does not exist" in plain.stderr
    assert ours.stderr.count("was built for another torch build") == int(mismatched)


def test_a_download_cut_short_says_which_file_to_delete(tmp_path):
    folder = write_idx_set(tmp_path, "mnist", zipped=True)
    gz = folder / "train-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:40])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz is not readable; delete it"):
        prepare_data({"source": "mnist", "root": str(tmp_path), "download": False}, None)
