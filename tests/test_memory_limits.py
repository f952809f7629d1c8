"""Resource limits: a network whose activations cannot fit is refused before training starts."""

from __future__ import annotations

import pytest
import torch

from designer.compiler import Analyzer
from designer.compiler.summary import human_bytes
from designer.data import SetupError
from designer.model import GraphDocument
from designer.project import Project
from designer.training import memory, prepare_run
from tests.helpers import chain
from tests.train_helpers import example_copy


def wide_conv_project() -> Project:
    """64 filters over a 224x224 image: 12.8 MB of activations a sample for that layer alone."""
    doc = GraphDocument()
    image = doc.add_node("input", "image", {"shape": [3, 224, 224]})
    last = chain(
        doc,
        image,
        [
            ("conv2d", "conv", {"filters": 64, "kernel_size": 3, "padding": 1}),
            ("relu", "relu", {}),
            ("adaptive_avgpool2d", "pool", {"output_size": 1}),
            ("flatten", "flat", {}),
            ("dense", "head", {"units": 10}),
        ],
    )
    doc.connect(last.id, "out", doc.add_node("output", "y").id, "in")
    training = {"batch_size": 1_000_000, "device": "cpu"}
    return Project("wide", graph=doc, dataset={"source": "digits"}, training=training)


def test_activations_larger_than_the_machine_are_refused_before_training():
    project = wide_conv_project()
    need = Analyzer(project.graph).report().activation_bytes(1_000_000)
    assert need > 20 * 2**40  # 20 TiB: more than any machine this runs on has free
    with pytest.raises(SetupError) as caught:
        prepare_run(project)
    message = str(caught.value)
    assert message.startswith("training.batch_size: a training step needs about ")
    assert "at batch 1,000,000" in message and "but cpu has" in message
    assert "lower training.batch_size to at most about" in message


def test_the_message_gives_the_numbers_and_the_batch_size_that_fits(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda device: 2**30)
    project = example_copy(tmp_path, "lenet5_digits", batch_size=100_000)
    report = Analyzer(project.graph).report()
    per_sample, weights = report.activation_bytes(1), report.total_params * 16
    with pytest.raises(SetupError) as caught:
        prepare_run(project)
    fits = (2**30 - weights) // per_sample
    activations = per_sample * 100_000
    assert str(caught.value) == (
        f"training.batch_size: a training step needs about {human_bytes(activations + weights)} "
        f"(activations {human_bytes(activations)} at batch 100,000, weights with gradients and "
        f"optimizer state {human_bytes(weights)}), but cpu has 1.0 GiB free: lower "
        f"training.batch_size to at most about {fits:,}"
    )
    project.training["batch_size"] = fits
    assert prepare_run(project).config.batch_size == fits


def test_weights_that_do_not_fit_even_for_one_sample(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda device: 100_000)
    project = example_copy(tmp_path, "lenet5_digits")
    with pytest.raises(SetupError, match="even a batch of one does not fit: make the network"):
        prepare_run(project)


def test_free_memory_is_read_from_the_system():
    free = memory.available_bytes(torch.device("cpu"))
    assert free is not None and free > 2**20
    assert memory.available_bytes(torch.device("meta")) is None
