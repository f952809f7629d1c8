"""A loaded dataset made ready for training: split, standardised on the training part,
integer samples made float where the network takes real numbers, and the mean and
spread of image pixels measured for normalising each batch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from designer.runtime.dataset import STRATIFIED_TASKS, Dataset, LazySamples
from designer.runtime.errors import DataError
from designer.runtime.split import SplitSettings, split_indices

PIXEL_STATISTICS_SAMPLES = 1_000  # training images the mean and spread come from
STATISTICS_CHUNK = 64  # images read at a time for them
FEATURE_CHUNK = 65_536  # rows of features read at a time for their mean and spread


@dataclass
class Part:
    """One part of the split: samples (a tensor, or read on demand), targets, and the
    scale each batch is standardised with as it is fed (image pixels after 0..1,
    features read on demand; None: none)."""

    x: torch.Tensor | LazySamples
    y: torch.Tensor
    scale: Scale | None = None

    def __len__(self) -> int:
        return len(self.x)

    def to(self, device: torch.device) -> Part:
        """On `device`; samples read on demand move a batch at a time instead."""
        x = self.x.to(device) if isinstance(self.x, torch.Tensor) else self.x
        scale = None if self.scale is None else self.scale.to(device)
        return Part(x, self.y.to(device), scale)


@dataclass
class Scale:
    """A standardisation fitted on the training part: value -> (value - mean) / std."""

    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def fit(cls, values: torch.Tensor) -> Scale:
        """Mean and standard deviation over the samples; a constant keeps scale 1."""
        std = (
            values.std(dim=0, unbiased=False)
            if len(values) > 1
            else torch.ones_like(values[0])
        )
        return cls(
            values.mean(dim=0), torch.where(std > 1e-12, std, torch.ones_like(std))
        )

    def apply(self, values: torch.Tensor) -> torch.Tensor:
        return (values - self.mean) / self.std

    def undo(self, values: torch.Tensor) -> torch.Tensor:
        return values * self.std.to(values.device) + self.mean.to(values.device)

    def to(self, device: torch.device) -> Scale:
        return Scale(self.mean.to(device), self.std.to(device))


@dataclass(frozen=True)
class Preparation:
    """How a dataset becomes training parts: the split, whether features (real-valued
    ones) and regression targets are standardised, whether integer samples become
    float32, whether image pixels are normalised by the mean and spread of each channel
    over the training images, or by those `pixel_stats` gives (mean, std per channel:
    pretrained weights' own)."""

    split: SplitSettings
    standardize: bool
    standardize_target: bool
    float_samples: bool
    normalize_pixels: bool
    pixel_stats: tuple[tuple[float, ...], tuple[float, ...]] | None = None


@dataclass
class Prepared:
    """The parts by name (train, val, test), their split indices, and the scales fitted
    on the training part (None where nothing was standardised or normalised)."""

    parts: dict[str, Part]
    indices: dict[str, np.ndarray]
    features: Scale | None
    targets: Scale | None
    pixels: Scale | None


def prepare(dataset: Dataset, preparation: Preparation) -> Prepared:
    """Split `dataset` (by class where its task has classes) and standardise it."""
    labels = dataset.y if dataset.task in STRATIFIED_TASKS else None
    if dataset.test_count:
        # The set's own test part stays whole; validation comes out of the rest.
        count = len(dataset) - dataset.test_count
        split = SplitSettings(preparation.split.val, 0.0, preparation.split.seed)
        indices = split_indices(
            count, split, None if labels is None else labels[:count]
        )
        indices["test"] = np.arange(count, len(dataset))
    else:
        indices = split_indices(len(dataset), preparation.split, labels)
    parts = {
        name: Part(select(dataset.x, i), dataset.y[torch.from_numpy(i)])
        for name, i in indices.items()
    }
    features = targets = pixels = None
    if preparation.standardize and dataset.x.dtype.is_floating_point:
        features = feature_scale(parts["train"].x)
        parts = {
            name: (
                Part(features.apply(part.x), part.y)
                if isinstance(part.x, torch.Tensor)
                else Part(part.x, part.y, features)  # standardised batch by batch
            )
            for name, part in parts.items()
        }
    if preparation.standardize_target and dataset.task == "regression":
        targets = Scale.fit(parts["train"].y)
        parts = {
            name: Part(part.x, targets.apply(part.y)) for name, part in parts.items()
        }
    if preparation.float_samples and not is_real(dataset.x):
        parts = {name: Part(part.x.float(), part.y) for name, part in parts.items()}
    if preparation.normalize_pixels and is_image(dataset.x):
        pixels = given_scale(preparation.pixel_stats, dataset.x.shape[1])
        if pixels is None:
            pixels = pixel_scale(parts["train"].x, preparation.split.seed)
        parts = {name: Part(part.x, part.y, pixels) for name, part in parts.items()}
    return Prepared(parts, indices, features, targets, pixels)


def select(
    samples: torch.Tensor | LazySamples, rows: np.ndarray
) -> torch.Tensor | LazySamples:
    """The samples at `rows`."""
    if isinstance(samples, torch.Tensor):
        return samples[torch.from_numpy(rows)]
    return samples.subset(rows)


def gather(samples: torch.Tensor | LazySamples, rows: np.ndarray) -> torch.Tensor:
    """The samples at `rows` as one tensor (images read where they are not yet)."""
    if isinstance(samples, torch.Tensor):
        return samples[torch.from_numpy(rows)]
    return samples.take(rows)


def pixel_scale(samples: torch.Tensor | LazySamples, seed: int) -> Scale:
    """Each channel's mean and spread (of pixels as 0..1) over a seeded draw of at most
    PIXEL_STATISTICS_SAMPLES images: a close estimate at a bounded cost."""
    count = min(len(samples), PIXEL_STATISTICS_SAMPLES)
    rows = np.sort(np.random.default_rng(seed).permutation(len(samples))[:count])
    total = squares = torch.zeros(samples.shape[1], dtype=torch.float64)
    for begin in range(
        0, count, STATISTICS_CHUNK
    ):  # a chunk at a time: memory stays flat
        images = gather(samples, rows[begin : begin + STATISTICS_CHUNK]).double() / 255
        total = total + images.sum(dim=(0, 2, 3))
        squares = squares + images.square().sum(dim=(0, 2, 3))
    values = count * samples.shape[2] * samples.shape[3]
    mean = total / values
    std = (squares / values - mean.square()).clamp_min(0).sqrt()
    std = torch.where(std > 1e-6, std, torch.ones_like(std))
    return Scale(mean.float()[:, None, None], std.float()[:, None, None])


def given_scale(
    stats: tuple[tuple[float, ...], tuple[float, ...]] | None, channels: int
) -> Scale | None:
    """The pixel scale of a mean and std per channel (None: none given); DataError when
    their count is not the images' channels."""
    if stats is None:
        return None
    mean, std = (torch.tensor(values, dtype=torch.float32) for values in stats)
    if len(mean) != channels or len(std) != channels or not bool((std > 0).all()):
        raise DataError(
            f"the images have {channels} channel(s): give as many means and as many "
            f"positive stds, got {list(stats[0])} and {list(stats[1])}",
            "dataset.std",
        )
    return Scale(mean[:, None, None], std[:, None, None])


def feature_scale(samples: torch.Tensor | LazySamples) -> Scale:
    """Each feature's mean and spread over every sample, summed a chunk at a time in
    float64 (from the first sample's values, which keeps them exact where the mean is
    far from 0): memory stays flat, in memory or read on demand alike."""
    count = len(samples)
    first = gather(samples, np.arange(1)).double()[0]
    total = squares = torch.zeros_like(first)
    for begin in range(0, count, FEATURE_CHUNK):
        rows = np.arange(begin, min(count, begin + FEATURE_CHUNK))
        shifted = gather(samples, rows).double() - first
        total = total + shifted.sum(dim=0)
        squares = squares + shifted.square().sum(dim=0)
    mean = total / count
    std = (squares / count - mean.square()).clamp_min(0).sqrt()
    std = torch.where(std > 1e-12, std, torch.ones_like(std))
    return Scale((first + mean).float(), std.float())


def is_image(samples: torch.Tensor | LazySamples) -> bool:
    """Whether samples are uint8 images: channels, height and width."""
    return samples.dtype == torch.uint8 and samples.ndim == 4


def is_real(samples: torch.Tensor | LazySamples) -> bool:
    """Whether samples are real values: floats, or uint8 pixels (not token ids)."""
    return samples.dtype.is_floating_point or samples.dtype == torch.uint8
