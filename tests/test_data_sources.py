"""Built-in and generated datasets: shapes, tasks, class names, fixed seeds, digits resizing."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from designer.data import DataError, prepare_data


@pytest.mark.parametrize(
    ("settings", "shape", "task", "classes"),
    [
        ({"source": "digits"}, (1, 8, 8), "multiclass", 10),
        ({"source": "digits", "image_size": 32}, (1, 32, 32), "multiclass", 10),
        ({"source": "iris"}, (4,), "multiclass", 3),
        ({"source": "wine"}, (13,), "multiclass", 3),
        ({"source": "breast_cancer"}, (30,), "binary", 2),
        ({"source": "diabetes"}, (10,), "regression", 0),
        ({"source": "sine_waves", "samples": 90, "length": 20}, (20, 1), "sequence_to_label", 3),
        ({"source": "tokens", "samples": 50, "length": 6}, (6,), "sequence_to_sequence", 10),
        ({"source": "tokens", "task": "majority", "samples": 90}, (8,), "sequence_to_label", 10),
        ({"source": "digits", "target": "input"}, (1, 8, 8), "reconstruction", 0),
    ],
)
def test_builtin_and_generated_sources(settings, shape, task, classes):
    data = prepare_data(settings, None)
    assert data.sample_shape == shape
    assert data.task == task
    assert len(data.class_names) == classes
    total = len(data.train) + len(data.val) + len(data.test)
    assert len(data.val) > 0 and len(data.test) > 0 and len(data.train) > total / 2


def test_digits_resize_and_pad_keep_the_picture():
    plain = prepare_data({"source": "digits"}, None).train.x
    resized = prepare_data({"source": "digits", "image_size": 32}, None).train.x
    padded = prepare_data({"source": "digits", "image_size": 32, "resize": "pad"}, None).train.x
    assert torch.equal(padded[:, :, 12:20, 12:20], plain)
    assert padded[:, :, :12].abs().sum() == 0
    assert float(resized.min()) >= 0 and float(resized.max()) <= 1
    assert torch.allclose(resized.mean(dim=(1, 2, 3)), plain.mean(dim=(1, 2, 3)), atol=0.02)


def test_tabular_sources_are_standardised_on_the_training_part():
    data = prepare_data({"source": "wine"}, None)
    assert torch.allclose(data.train.x.mean(dim=0), torch.zeros(13), atol=1e-5)
    assert torch.allclose(data.train.x.std(dim=0, unbiased=False), torch.ones(13), atol=1e-4)
    assert not torch.allclose(data.val.x.mean(dim=0), torch.zeros(13), atol=1e-3)
    raw = prepare_data({"source": "wine", "standardize": False}, None)
    assert float(raw.train.x.max()) > 100


def test_regression_targets_are_standardised_and_can_be_undone():
    data = prepare_data({"source": "diabetes"}, None)
    assert abs(float(data.train.y.mean())) < 1e-5
    original = data.targets.undo(data.train.y)
    assert float(original.min()) > 20 and float(original.max()) < 400


def test_generated_sets_repeat_with_their_seed():
    first = prepare_data({"source": "sine_waves", "samples": 60, "seed": 3}, None)
    again = prepare_data({"source": "sine_waves", "samples": 60, "seed": 3}, None)
    other = prepare_data({"source": "sine_waves", "samples": 60, "seed": 4}, None)
    assert torch.equal(first.train.x, again.train.x)
    assert not torch.equal(first.train.x, other.train.x)


def test_sort_and_copy_token_tasks():
    sort = prepare_data({"source": "tokens", "task": "sort", "samples": 40}, None)
    assert torch.equal(sort.train.y, sort.train.x.sort(dim=1).values)
    copy = prepare_data({"source": "tokens", "task": "copy", "samples": 40}, None)
    assert torch.equal(copy.train.y, copy.train.x)
    assert sort.train.x.dtype == torch.long


def test_majority_tokens_name_the_one_most_frequent_token():
    settings = {"source": "tokens", "task": "majority", "samples": 500, "vocabulary": 4}
    data = prepare_data(settings, None)
    counts = F.one_hot(data.train.x, 4).sum(dim=1)
    most = counts.max(dim=1).values
    assert torch.equal((counts == most[:, None]).sum(dim=1), torch.ones(len(counts)).long())
    assert torch.equal(counts.argmax(dim=1), data.train.y)
    assert torch.bincount(data.train.y, minlength=4).min() > 50
    again = prepare_data(settings, None)
    assert torch.equal(again.train.x, data.train.x)


def test_digits_as_their_own_target_for_autoencoders():
    data = prepare_data({"source": "digits", "target": "input", "image_size": 16}, None)
    assert torch.equal(data.train.y, data.train.x)
    assert data.class_names == () and data.targets is None
    assert data.sample_shape == (1, 16, 16) and data.task == "reconstruction"
    with pytest.raises(DataError, match=r"dataset\.target: must be one of labels, input"):
        prepare_data({"source": "digits", "target": "pixels"}, None)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"source": "svhn"}, "dataset.source: must be one of digits, iris"),
        ({}, "dataset.source: is required"),
        ({"source": "digits", "image_sise": 32}, "dataset.image_sise: unknown setting"),
        ({"source": "digits", "image_size": "big"}, "dataset.image_size: must be a whole number"),
        ({"source": "iris", "split": {"val": 0}}, "dataset.split.val: must be greater than 0"),
        ({"source": "iris", "split": {"val": 0.5, "test": 0.5}}, "leave some samples"),
        ({"source": "iris", "split": "half"}, "dataset.split: must be an object"),
    ],
)
def test_bad_settings_name_their_place(settings, expected):
    with pytest.raises(DataError, match=expected.replace(".", r"\.")):
        prepare_data(settings, None)
