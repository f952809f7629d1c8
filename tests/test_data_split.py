"""The seeded, stratified split and the permutation batcher."""

from __future__ import annotations

import numpy as np
import torch

from designer.data import Batcher, SplitSettings, prepare_data, split_indices


def test_split_is_stratified_disjoint_and_complete():
    labels = torch.tensor([0] * 50 + [1] * 30 + [2] * 20)
    parts = split_indices(100, SplitSettings(0.2, 0.1, 7), labels)
    joined = np.concatenate([parts["train"], parts["val"], parts["test"]])
    assert sorted(joined.tolist()) == list(range(100))
    assert np.bincount(labels.numpy()[parts["val"]]).tolist() == [10, 6, 4]
    assert np.bincount(labels.numpy()[parts["test"]]).tolist() == [5, 3, 2]


def test_split_repeats_with_its_seed_and_changes_with_another():
    first = split_indices(60, SplitSettings(0.2, 0.2, 1))
    assert all(
        np.array_equal(first[p], split_indices(60, SplitSettings(0.2, 0.2, 1))[p]) for p in first
    )
    assert not np.array_equal(first["val"], split_indices(60, SplitSettings(0.2, 0.2, 2))["val"])


def test_the_split_is_saved_with_the_run_config():
    data = prepare_data({"source": "iris", "split": {"val": 0.2, "test": 0.2, "seed": 5}}, None)
    saved = data.split_json()
    assert saved["settings"] == {"val": 0.2, "test": 0.2, "seed": 5}
    assert len(saved["val"]) == 30 and len(saved["digest"]) == 16
    again = prepare_data({"source": "iris", "split": {"val": 0.2, "test": 0.2, "seed": 5}}, None)
    assert again.split_digest == data.split_digest


def test_batcher_slices_by_the_permutation():
    x = torch.arange(10).float().unsqueeze(1)
    y = torch.arange(10)
    batcher = Batcher(x, y, 4)
    order = batcher.order(torch.Generator().manual_seed(0))
    batches = list(batcher.shuffled(order))
    assert len(batcher) == 3 and [len(b[1]) for b in batches] == [4, 4, 2]
    assert torch.equal(torch.cat([b[1] for b in batches]), order)
    assert torch.equal(torch.cat([b[0] for b in batches]).squeeze(1), order.float())
    later = list(batcher.shuffled(order, start=1))
    assert torch.equal(torch.cat([b[1] for b in later]), order[4:])
    assert torch.equal(torch.cat([b[1] for b in batcher.in_order()]), y)
