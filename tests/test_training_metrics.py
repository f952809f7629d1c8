"""Metrics against scikit-learn's, the learning-rate finder and the classical baseline."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn import metrics as sk

from designer.data import Part, PreparedData, prepare_data
from designer.runtime.prepare import Preparation
from designer.runtime.scores import ClassScores, value_scores
from designer.runtime.split import SplitSettings
from designer.training import prepare_run
from designer.training.baseline import IMAGE_SIDE, MAX_SAMPLES, features, fit_baseline
from designer.training.lr_finder import find_lr
from tests.train_helpers import example_copy


def test_class_scores_match_scikit_learn():
    generator = torch.Generator().manual_seed(0)
    logits = torch.randn(200, 7, generator=generator)
    truth = torch.randint(7, (200,), generator=generator)
    scores, confusion = ClassScores(7, top_k=3).bind(truth, None)(logits)
    predicted = logits.argmax(1).numpy()
    assert scores["accuracy"] == pytest.approx(sk.accuracy_score(truth, predicted))
    assert scores["precision"] == pytest.approx(
        sk.precision_score(truth, predicted, average="macro", zero_division=0)
    )
    assert scores["recall"] == pytest.approx(sk.recall_score(truth, predicted, average="macro"))
    assert scores["f1"] == pytest.approx(sk.f1_score(truth, predicted, average="macro"))
    assert scores["top3_accuracy"] == pytest.approx(
        sk.top_k_accuracy_score(truth, logits.numpy(), k=3, labels=list(range(7)))
    )
    assert confusion == sk.confusion_matrix(truth, predicted, labels=list(range(7))).tolist()


def test_binary_scores_from_one_logit():
    logits = torch.tensor([[2.0], [-1.0], [0.5], [-3.0]])
    scores, confusion = ClassScores(2, 5).bind(torch.tensor([1, 0, 0, 0]), None)(logits)
    assert scores["accuracy"] == 0.75 and confusion == [[2, 1], [0, 1]]


def test_value_scores_match_scikit_learn():
    generator = torch.Generator().manual_seed(1)
    target = torch.randn(50, 1, generator=generator)
    output = target + 0.3 * torch.randn(50, 1, generator=generator)
    scores = value_scores(output, target)
    assert scores["mae"] == pytest.approx(sk.mean_absolute_error(target, output))
    assert scores["r2"] == pytest.approx(sk.r2_score(target, output))


def test_lr_finder_proposes_a_rate_where_the_loss_falls(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", batch_size=16)
    found = find_lr(prepare_run(project), 1e-5, 10.0, steps=60)
    assert found.suggestion is not None and 1e-4 < found.suggestion < 1.0
    assert len(found.rates) == len(found.losses) > 20
    assert min(found.losses) < found.losses[0]


def test_the_baseline_on_the_same_split(tmp_path):
    """Gradient-boosted trees for a table, classes and values alike."""
    project = example_copy(tmp_path, "mlp_iris")
    baseline = fit_baseline(prepare_run(project).data, seed=0, trees=20)
    assert baseline.model == "gradient boosting"
    assert baseline.val["accuracy"] > 0.8 and baseline.test["accuracy"] > 0.8
    project.dataset = {"source": "diabetes"}
    project.graph.set_param(project.graph.find("features").id, "shape", [10])
    project.graph.set_param(project.graph.find("classes").id, "units", 1)
    regression = fit_baseline(prepare_run(project, loss="mse").data, seed=0, trees=20)
    assert set(regression.val) == {"r2", "mae"}
    assert 0.1 < regression.val["r2"] < 1 and 20 < regression.val["mae"] < 80


def test_the_baseline_is_bounded_in_samples_and_pixels():
    """A large image set: a seeded sample of MAX_SAMPLES images, averaged down to
    IMAGE_SIDE pixels a side, fitted by a forest; the whole validation part is scored."""
    generator = torch.Generator().manual_seed(0)
    labels = torch.arange(2_600) % 2
    images = torch.rand(2_600, 3, 40, 40, generator=generator) * 0.5
    images[labels == 1, 0] += 0.5  # class 1 is redder
    parts = {"train": slice(0, 2_400), "val": slice(2_400, 2_600), "test": slice(0, 0)}
    data = PreparedData(
        "pictures",
        "binary",
        *(Part(images[part], labels[part]) for part in parts.values()),
        source=None,
        preparation=Preparation(SplitSettings(0.2, 0.0, 0), False, False, True, False),
        class_names=("blue", "red"),
    )
    baseline = fit_baseline(data, seed=0, trees=10)
    assert baseline.model == f"random forest on {MAX_SAMPLES:,} of 2,400 samples"
    assert baseline.val["accuracy"] > 0.9 and baseline.test == {}
    assert features(images, np.arange(2)).shape == (2, 3 * IMAGE_SIDE * IMAGE_SIDE)


def test_the_baseline_fits_several_targets_with_a_forest(tmp_path):
    """Gradient-boosted trees take one target; a table with two gets the forest."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(80, 3)).astype(np.float32)
    np.savez(tmp_path / "two.npz", x=x, y=np.stack([x[:, 0], x[:, 1] * 2], axis=1))
    data = prepare_data({"source": "npz", "path": "two.npz"}, tmp_path)
    baseline = fit_baseline(data, seed=0, trees=10)
    assert baseline.model == "random forest" and set(baseline.val) == {"r2", "mae"}
