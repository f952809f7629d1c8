"""Image folders read on demand: pixels kept in memory within the budget and in a cache file
beyond it, batches through worker processes alike whatever their number, augmentation seeded
per image, and runs that equal each other however their pixels are kept."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from designer.data import DataError, prepare_data
from designer.runtime import image_files, image_folders
from designer.runtime.loading import Loading, feed
from designer.training import Trainer, prepare_run
from designer.training.events import EpochDone, FailureKind, RunFailed, RunFinished, StepDone
from designer.training.progress import ProgressPrinter
from tests.train_helpers import example_copy, with_dataset

CPU = torch.device("cpu")
AUGMENT = {"crop": "padded", "crop_padding": 3, "flip": True, "rotation": 10, "color_jitter": 0.2}


def make_folder(root: Path, per_class: int, classes: int = 3, side: int = 40) -> Path:
    """Classes of noisy PNGs, each class a little brighter than the one before."""
    rng = np.random.default_rng(0)
    for number in range(classes):
        name = ("dark", "mid", "light")[number] if classes == 3 else f"class{number}"
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            pixels = rng.integers(0, 100, size=(side, side, 3)) + 150 * number // classes
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{index:03}.png")
    return root


def folder_settings(**more) -> dict:
    return {"source": "image_folder", "path": "pictures", "color": "rgb", "image_size": 32, **more}


def every_batch(part, loading: Loading, order: torch.Tensor | None = None, start: int = 0):
    batches = feed(part, 8, loading, CPU, train=order is not None)
    if order is None:
        return list(batches.in_order())
    batches.order(torch.Generator().manual_seed(5))  # the epoch's augmentation seed
    return list(batches.shuffled(order, start))


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        torch.equal(x, u) and torch.equal(y, v) for (x, y), (u, v) in zip(a, b, strict=True)
    )


def test_batches_do_not_depend_on_workers_and_an_epoch_continues_exactly(tmp_path):
    make_folder(tmp_path / "pictures", 12)
    data = prepare_data(folder_settings(augment=AUGMENT, normalize=True), tmp_path)
    augmentation = data.augmentation
    assert augmentation is not None and data.pixels is not None
    order = torch.randperm(len(data.train), generator=torch.Generator().manual_seed(1))
    alone = every_batch(data.train, Loading(0, augmentation, False), order)
    workers = every_batch(data.train, Loading(2, augmentation, False), order)
    assert same(alone, workers)
    assert same(every_batch(data.train, Loading(0, augmentation, False), order, start=2), alone[2:])
    plain = every_batch(data.train, Loading(0, None, False), order)
    assert not same(plain, alone)  # augmentation changes the images ...
    assert same(every_batch(data.train, Loading(2, None, False), order), plain)  # ... and only it
    # Normalised by the training images' mean and spread: about 0 and 1 over the part.
    pixels = torch.cat([x for x, _ in plain])
    assert abs(float(pixels.mean())) < 0.1 and abs(float(pixels.std()) - 1) < 0.1
    # Evaluation is never augmented.
    evaluated = every_batch(data.val, Loading(2, augmentation, False))
    assert same(evaluated, every_batch(data.val, Loading(0, None, False)))


def test_pixels_stay_in_memory_within_the_budget_and_in_a_cache_file_beyond(tmp_path, monkeypatch):
    make_folder(tmp_path / "pictures", 40)  # 120 images of 3 x 32 x 32: 0.35 MiB
    in_memory = prepare_data(folder_settings(), tmp_path)
    assert in_memory.train.x.store is not None and in_memory.train.x.store.path is None
    small = folder_settings(image_size=64, memory_budget=1)  # 120 x 12 KiB > 1 MiB
    cached = prepare_data(small, tmp_path)
    store = cached.train.x.store
    assert store.path.parent == tmp_path / "runs" / ".data-cache"
    assert not cached.train.x.complete()
    for part in (cached.train, cached.val, cached.test):
        every_batch(part, Loading(1, None, False))
    assert cached.train.x.complete() and cached.val.x.complete()
    expected = every_batch(cached.val, Loading(0, None, False))

    def no_decoding(*args):
        raise AssertionError("decoded an image the cache holds")

    monkeypatch.setattr(image_files, "read_image", no_decoding)
    again = prepare_data(small, tmp_path)  # a later run reads the cache file
    assert again.train.x.store.path == store.path and again.val.x.complete()
    assert same(every_batch(again.val, Loading(0, None, False)), expected)
    monkeypatch.undo()
    uncached = prepare_data({**small, "cache": False}, tmp_path)
    assert uncached.train.x.store is None
    assert same(every_batch(uncached.val, Loading(0, None, False)), expected)
    # A changed image changes the cache's key: a new file, not stale pixels.
    Image.new("RGB", (40, 40), "white").save(tmp_path / "pictures" / "mid" / "000.png")
    changed = prepare_data(small, tmp_path)
    assert changed.train.x.store.path != store.path


def test_a_cache_file_name_taken_by_something_else_is_refused(tmp_path):
    make_folder(tmp_path / "pictures", 40)
    small = folder_settings(image_size=64, memory_budget=1)
    path = prepare_data(small, tmp_path).train.x.store.path
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(DataError, match="is not a pixel cache file"):
        prepare_data(small, tmp_path)


def test_augmentation_and_normalisation_take_images_only():
    with pytest.raises(DataError, match="apply to images") as error:
        prepare_data({"source": "iris", "augment": {"flip": True}}, None)
    assert error.value.place == "dataset.augment"
    with pytest.raises(DataError, match="crop_scale") as error:
        prepare_data({"source": "digits", "augment": {"crop_scale": 2}}, None)


def image_run(tmp_path: Path, **dataset) -> RunFinished | RunFailed:
    project = example_copy(tmp_path, "lenet5_digits", epochs=2, batch_size=16, workers=1)
    with_dataset(project, folder_settings(color="grayscale", **dataset))
    return Trainer(prepare_run(project)).run()


def test_runs_on_pixels_in_memory_in_a_cache_and_decoded_each_time_are_alike(tmp_path, monkeypatch):
    make_folder(tmp_path / "pictures", 8, classes=10)  # LeNet-5 gives 10 classes
    runs = [image_run(tmp_path)]
    monkeypatch.setattr(image_folders, "memory_budget", lambda megabytes: 0)  # none fits
    runs += [image_run(tmp_path), image_run(tmp_path, cache=False)]
    assert len(list((tmp_path / "runs" / ".data-cache").glob("*.pixels"))) == 1
    monkeypatch.undo()
    assert all(isinstance(run, RunFinished) for run in runs)
    assert runs[0].val == runs[1].val == runs[2].val
    augmented = image_run(tmp_path, augment=AUGMENT, normalize=True)
    assert isinstance(augmented, RunFinished) and augmented.val != runs[0].val


def test_torch_takes_the_cores_the_reading_processes_leave(tmp_path, monkeypatch):
    make_folder(tmp_path / "pictures", 8, classes=10)
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    project = example_copy(tmp_path, "lenet5_digits", epochs=2, batch_size=16, workers=2)
    with_dataset(project, folder_settings(color="grayscale"))
    threads = {}

    def listener(event):
        if isinstance(event, StepDone):
            threads.setdefault(event.epoch, torch.get_num_threads())

    for window, expected in ((False, {1: 2, 2: 4}), (True, {1: 1, 2: 3})):
        threads.clear()
        trainer = Trainer(prepare_run(project), listeners=[listener], beside_window=window)
        assert isinstance(trainer.run(), RunFinished)
        # Two workers decode the first epoch; the second slices pixels held in memory.
        assert threads == expected
    monkeypatch.setattr(image_folders, "memory_budget", lambda megabytes: 0)  # none fits
    threads.clear()
    assert isinstance(Trainer(prepare_run(project), listeners=[listener]).run(), RunFinished)
    # The workers decode into the cache file, then only copy out of it.
    assert threads == {1: 2, 2: 4}


def test_an_image_gone_during_a_run_stops_it_with_a_message_naming_it(tmp_path, monkeypatch):
    make_folder(tmp_path / "pictures", 8, classes=10)
    project = example_copy(tmp_path, "lenet5_digits", epochs=1, workers=0)
    with_dataset(project, folder_settings(color="grayscale"))
    setup = prepare_run(project)
    gone = Path(setup.data.train.x.files[int(setup.data.train.x.rows[3])])
    gone.unlink()
    ended = Trainer(setup).run()
    assert isinstance(ended, RunFailed) and ended.kind == FailureKind.DATA
    assert str(gone) in ended.message and "is not a readable image" in ended.message


def test_unreadable_training_images_can_be_left_out_with_a_count(tmp_path, capsys):
    make_folder(tmp_path / "pictures", 8, classes=10)
    project = example_copy(tmp_path, "lenet5_digits", epochs=2, workers=1)
    with_dataset(project, folder_settings(color="grayscale", skip_unreadable=True))
    setup = prepare_run(project)
    broken = Path(setup.data.train.x.files[int(setup.data.train.x.rows[5])])
    broken.write_bytes(b"not an image")
    events = []
    ended = Trainer(setup, listeners=[events.append, ProgressPrinter(sys.stdout)]).run()
    assert isinstance(ended, RunFinished)
    epochs = [event for event in events if isinstance(event, EpochDone)]
    assert [len(event.skipped) for event in epochs] == [1, 0]  # named once ...
    assert [event.skipped_total for event in epochs] == [1, 1]  # ... counted every epoch
    assert str(broken) in epochs[0].skipped[0] and "not a readable image" in epochs[0].skipped[0]
    printed = capsys.readouterr().out
    assert f"left out of training: {epochs[0].skipped[0]}" in printed
    assert "[1 unreadable left out]" in printed
    # Validation never leaves a sample out: its scores would be of other samples.
    val_file = Path(setup.data.val.x.files[int(setup.data.val.x.rows[0])])
    val_file.write_bytes(b"not an image either")
    failed = Trainer(prepare_run(project)).run()
    assert isinstance(failed, RunFailed) and str(val_file) in failed.message
