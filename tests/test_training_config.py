"""Training settings: defaults, every mistake named by its place, devices and losses proposed."""

from __future__ import annotations

import pytest
import torch

from designer.training import ConfigError, parse_training, prepare_run
from designer.training.device import resolve_device
from designer.training.losses import propose
from tests.train_helpers import example_copy


def test_defaults_and_shorthands():
    config = parse_training({"optimizer": "sgd", "schedule": "cosine"})
    assert config.epochs == 10 and config.optimizer.name == "sgd"
    assert config.optimizer.momentum == 0.9 and config.schedule.name == "cosine"
    assert parse_training(None) == parse_training({})


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"optimizer": {"lr": "fast"}}, "training.optimizer.lr: must be a number, got 'fast'"),
        ({"optimizer": {"lr": 0}}, "training.optimizer.lr: must be greater than 0, got 0"),
        (
            {"optimizer": {"name": "adam", "momentum": 0.9}},
            "training.optimizer.momentum: unknown setting",
        ),
        ({"optimizer": {"name": "adam", "nesterov": True}}, "training.optimizer.nesterov: unknown"),
        (
            {"optimizer": {"name": "sgd", "momentum": 0, "nesterov": True}},
            "training.optimizer.nesterov: needs the sgd optimizer",
        ),
        ({"optimizer": {"name": "lbfgs"}}, "training.optimizer.name: must be one of adam, adamw"),
        ({"epochs": 0}, "training.epochs: must be at least 1, got 0"),
        ({"epochs": 2.5}, "training.epochs: must be a whole number, got 2.5"),
        ({"batch_size": True}, "training.batch_size: must be a whole number, got True"),
        ({"epoch": 3}, "training.epoch: unknown setting"),
        (
            {"schedule": {"name": "step", "gamma": 2}},
            "training.schedule.gamma: must be at most 1.0",
        ),
        ({"clip": {"norm": -1}}, "training.clip.norm: must be at least 0.0"),
        ({"loss": "hinge"}, "training.loss: must be one of auto, cross_entropy"),
        ({"monitor": "accuracy"}, "training.monitor: must name a metric such as val_loss"),
        ({"early_stopping": 5}, "training.early_stopping: must be an object, got 5"),
        ({"threads": 0}, "training.threads: must be at least 1"),
    ],
)
def test_mistakes_name_their_place(settings, expected):
    with pytest.raises(ConfigError) as caught:
        parse_training(settings)
    assert str(caught.value).startswith(expected)


def test_devices():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    with pytest.raises(ConfigError, match=r"training\.device: unknown device 'tpu'"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match=r"cuda:1 is not available \(.*\): use cpu"):
            resolve_device("cuda:1")


def test_monitor_must_be_measured_for_the_task(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", monitor="val_r2")
    with pytest.raises(ConfigError, match="'val_r2' is not measured for this task"):
        prepare_run(project)


def test_losses_are_proposed_for_the_task_and_output():
    assert propose("multiclass", (10,)) == "cross_entropy"
    assert propose("binary", (1,)) == "bce_with_logits"
    assert propose("binary", (2,)) == "cross_entropy"
    assert propose("regression", (1,)) == "mse"
    assert propose("multilabel", (5,)) == "bce_with_logits"


def test_softmax_before_cross_entropy_is_warned_about(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", loss="auto")
    doc = project.graph
    output = next(node for node in doc.nodes() if node.kind == "output")
    wire = doc.in_edges(output.id)[0]
    doc.disconnect(wire.id)
    softmax = doc.add_node("softmax", "probabilities", {})
    doc.connect(wire.source, "out", softmax.id, "in")
    doc.connect(softmax.id, "out", output.id, "in")
    setup = prepare_run(project)
    assert setup.loss.name == "cross_entropy"
    assert any("Softmax 'probabilities' comes before cross_entropy" in w for w in setup.warnings)
    nll = prepare_run(project, loss="nll")
    assert any("nll expects log-probabilities" in w for w in nll.warnings)
