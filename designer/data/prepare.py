"""From a project's dataset section to split, standardised tensors ready for training."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from designer.data.augment import augmentation
from designer.data.settings import Section
from designer.data.sources import read_source
from designer.data.split import split_digest
from designer.runtime.augmentation import Augmentation
from designer.runtime.dataset import CLASS_TASKS
from designer.runtime.errors import DataError
from designer.runtime.prepare import Part, Preparation, Scale, is_image, prepare
from designer.runtime.split import SplitSettings


@dataclass
class PreparedData:
    """A dataset split into train / val / test (test may be empty), standardised on train.
    `source` and `preparation` are what made it: the exported script makes it alike.
    `augmentation` changes training images (None: none); `pixels` normalises images;
    `skip_unreadable` leaves training samples that cannot be read out instead of stopping;
    `notes` say what reading passed over (special files in an image folder, say)."""

    name: str
    task: str
    train: Part
    val: Part
    test: Part
    source: Any
    preparation: Preparation
    class_names: tuple[str, ...] = ()
    split: dict[str, np.ndarray] = field(default_factory=dict)
    features: Scale | None = None
    targets: Scale | None = None
    pixels: Scale | None = None
    augmentation: Augmentation | None = None
    skip_unreadable: bool = False
    notes: tuple[str, ...] = ()

    @property
    def is_classification(self) -> bool:
        return self.task in CLASS_TASKS

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.train.x.shape[1:])

    @property
    def split_settings(self) -> SplitSettings:
        return self.preparation.split

    @property
    def split_digest(self) -> str:
        return split_digest(self.split)

    def split_json(self) -> dict[str, Any]:
        return {
            "settings": asdict(self.split_settings),
            "digest": self.split_digest,
            **{part: indices.tolist() for part, indices in self.split.items()},
        }

    def describe(self) -> str:
        kind = f"{len(self.class_names)} classes" if self.is_classification else self.task
        shape = "x".join(map(str, self.sample_shape))
        sizes = f"{len(self.train)} train / {len(self.val)} val / {len(self.test)} test"
        notes = "".join(f"; {note}" for note in self.notes)
        return f"{self.name}: {sizes} samples of {shape}, {kind}{notes}"


def prepare_data(
    settings: dict[str, Any], base: Path | None, float_samples: bool = False
) -> PreparedData:
    """Read, check and split the dataset a project's `dataset` section describes; with
    `float_samples`, integer samples become float32 (the Input node takes real numbers)."""
    section = Section(settings, "dataset", DataError)
    choice = read_source(section, base)
    split = split_settings(section.child("split"))
    target_scaling = section.raw("standardize_target", None)
    if target_scaling is not None:
        target_scaling = section.boolean("standardize_target")
    augment = augmentation(section.child("augment"))
    normalize = section.boolean("normalize", False)
    pixel_stats = given_stats(section)  # read either way; they count with normalize on
    skip_unreadable = section.boolean("skip_unreadable", False)
    section.finish()
    dataset = choice.source.load()
    if len(dataset) < 2:
        raise DataError(
            f"dataset {dataset.name!r} has {len(dataset)} samples; it needs two or more"
        )
    if (augment is not None or normalize) and not is_image(dataset.x):
        shape = "x".join(map(str, dataset.x.shape[1:]))
        raise DataError(
            f"augmentation and normalisation apply to images (pixels of channels x "
            f"height x width); {dataset.name!r} holds samples of {shape}",
            section.where("augment" if augment is not None else "normalize"),
        )
    if target_scaling is None:
        target_scaling = dataset.task == "regression"
    if dataset.test_count:  # the set's own test part: split.test does not apply, and says so
        split = SplitSettings(split.val, 0.0, split.seed)
    preparation = Preparation(
        split,
        choice.standardize,
        target_scaling,
        float_samples,
        normalize,
        pixel_stats if normalize else None,
    )
    prepared = prepare(dataset, preparation)
    parts = prepared.parts
    return PreparedData(
        dataset.name,
        dataset.task,
        parts["train"],
        parts["val"],
        parts["test"],
        choice.source,
        preparation,
        dataset.class_names,
        prepared.indices,
        prepared.features,
        prepared.targets,
        prepared.pixels,
        augment,
        skip_unreadable,
        dataset.notes,
    )


def given_stats(section: Section) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """dataset.mean and dataset.std (a value per channel, as pretrained weights expect):
    normalise by them instead of the training images' own; None when not given."""
    if section.raw("mean", None) is None and section.raw("std", None) is None:
        return None
    values = []
    for key in ("mean", "std"):
        found = section.raw(key)
        if not isinstance(found, list) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in found
        ):
            raise section.fail(key, f"must be a list of numbers, one per channel, got {found!r}")
        values.append(tuple(float(v) for v in found))
    return values[0], values[1]


def split_settings(section: Section) -> SplitSettings:
    val = section.number("val", 0.2, minimum=0.0, maximum=0.9)
    test = section.number("test", 0.2, minimum=0.0, maximum=0.9)
    seed = section.integer("seed", 0, minimum=0, maximum=2**32 - 1)
    section.finish()
    if val <= 0:
        raise DataError(
            "must be greater than 0: validation scores need samples", section.where("val")
        )
    if val + test >= 1:
        raise DataError(
            f"val + test is {val + test:g}; leave some samples for training", section.place
        )
    return SplitSettings(val, test, seed)
