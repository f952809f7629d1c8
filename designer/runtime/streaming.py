"""Mini-batches read through torch's DataLoader: worker processes read each sample
(decoding images not yet in their store) and augment it, and the batches reach the
device with non-blocking copies."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import DataLoader, default_collate
from torch.utils.data import Dataset as ItemDataset

from designer.runtime.augmentation import augmented
from designer.runtime.batches import as_input
from designer.runtime.dataset import LazySamples
from designer.runtime.errors import DataError
from designer.runtime.prepare import Scale

Transform = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Failure:
    """A sample that could not be read, in place of its batch: the worker's message."""

    message: str


class Items(ItemDataset):
    """Sample by sample: the key (position, seed) gives the sample at `position`,
    changed by `transform` with random numbers drawn from `seed`."""

    def __init__(
        self,
        samples: torch.Tensor | LazySamples,
        targets: torch.Tensor,
        transform: Transform | None,
    ) -> None:
        self.samples, self.targets, self.transform = samples, targets, transform

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, key: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
        position, seed = key
        try:
            if isinstance(self.samples, torch.Tensor):
                sample = self.samples[position]
            else:
                sample = torch.from_numpy(self.samples.read(position))
        except DataError as error:
            return Failure(str(error))
        if self.transform is not None:
            sample = augmented(sample, self.transform, seed)
        return sample, self.targets[position]


def collate(items: list) -> tuple[torch.Tensor, torch.Tensor] | Failure:
    """A batch, or the first failure among its samples."""
    for item in items:
        if isinstance(item, Failure):
            return item
    return default_collate(items)


class KeyBatches:
    """The batch sampler: this pass's batches of keys, set before each pass."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[int, int]]] = []

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        return iter(self.batches)


class Streamer:
    """Feeds (x, y) batches through a DataLoader with `workers` processes (0: in this
    one), as the Batcher does: the same order, uint8 pixels fed as float32 0..1 and
    normalised by `pixels`. Images already in their store and left unchanged are
    sliced out in this process, with no worker in between. `persistent` keeps the
    workers between passes."""

    def __init__(
        self,
        samples: torch.Tensor | LazySamples,
        targets: torch.Tensor,
        batch_size: int,
        pixels: Scale | None,
        device: torch.device,
        workers: int,
        transform: Transform | None,
        persistent: bool,
    ) -> None:
        self.samples, self.targets, self.batch_size = samples, targets, batch_size
        self.pixels, self.device, self.transform = pixels, device, transform
        self.keys = KeyBatches()
        forks = workers and "fork" in multiprocessing.get_all_start_methods()
        self.loader = DataLoader(
            Items(samples, targets, transform),
            batch_sampler=self.keys,
            num_workers=workers,
            collate_fn=collate,
            pin_memory=device.type == "cuda",
            persistent_workers=persistent and workers > 0,
            # A store in memory reaches the workers by fork only.
            multiprocessing_context="fork" if forks else None,
        )
        self.seed = 0

    def __len__(self) -> int:
        return -(-len(self.samples) // self.batch_size)

    def order(self, generator: torch.Generator) -> torch.Tensor:
        """This epoch's sample order, and the seed of its augmentation, both drawn
        from `generator`."""
        order = torch.randperm(len(self.samples), generator=generator)
        self.seed = int(torch.randint(2**31, (1,), generator=generator))
        return order

    def shuffled(
        self, order: torch.Tensor, start: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches in `order` from batch number `start` on (to continue an epoch)."""
        positions = order[start * self.batch_size :].tolist()
        return self._pass(positions, self.seed)

    def in_order(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches front to back, for evaluation."""
        return self._pass(range(len(self.samples)), 0)

    def _pass(
        self, positions: Sequence[int], seed: int
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        size = self.batch_size
        chunks = [positions[i : i + size] for i in range(0, len(positions), size)]
        stored = not isinstance(self.samples, torch.Tensor) and self.samples.complete()
        if stored and self.transform is None:
            for chunk in chunks:
                rows = np.asarray(chunk)
                yield self._placed(self.samples.take(rows), self.targets[rows])
            return
        self.keys.batches = [[(p, seed + p) for p in chunk] for chunk in chunks]
        for batch in self.loader:
            if isinstance(batch, Failure):
                raise DataError(batch.message)
            yield self._placed(*batch)

    def _placed(
        self, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = x.to(self.device, non_blocking=True)
        y = y.to(self.device, non_blocking=True)
        return as_input(x, self.pixels), y
