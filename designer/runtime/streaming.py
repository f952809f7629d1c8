"""Mini-batches read through torch's DataLoader: worker processes read each sample
(decoding images not yet in their store) and augment it, and the batches reach the
device with non-blocking copies."""

from __future__ import annotations

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
from designer.runtime.pixel_store import SHARED_BY_FORK
from designer.runtime.prepare import Scale

Transform = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Failure:
    """A sample that could not be read: the message naming it."""

    message: str


@dataclass(frozen=True)
class Collated:
    """The samples of a batch that could be read (None when none could), and the
    messages of those that could not."""

    batch: tuple[torch.Tensor, torch.Tensor] | None
    failures: tuple[str, ...]


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

    def __getitem__(
        self, key: tuple[int, int]
    ) -> tuple[torch.Tensor, torch.Tensor] | Failure:
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


def collate(items: list) -> Collated:
    """The batch of the samples read, and the failures among them."""
    failures = tuple(item.message for item in items if isinstance(item, Failure))
    read = [item for item in items if not isinstance(item, Failure)]
    return Collated(default_collate(read) if read else None, failures)


class KeyBatches:
    """The batch sampler: this pass's positions, cut into batches of keys (position,
    seed + position) as the loader asks for them; set before each pass."""

    def __init__(self, batch_size: int) -> None:
        self.batch_size, self.positions, self.seed = batch_size, [], 0

    def __len__(self) -> int:
        return -(-len(self.positions) // self.batch_size)

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        size, positions, seed = self.batch_size, self.positions, self.seed
        for begin in range(0, len(positions), size):
            yield [(p, seed + p) for p in positions[begin : begin + size]]


class Streamer:
    """Feeds (x, y) batches through a DataLoader with `workers` processes (0: in this
    one), as the Batcher does: the same order, uint8 pixels fed as float32 0..1, and
    batches standardised by `scale`. Samples at hand (images decoded in memory and left
    unchanged, a table's rows) are sliced out in this process, with no worker between.
    `persistent` keeps the workers between passes. A sample that cannot be read stops
    the pass with its message, or with `skip_unreadable` is left out of its batch and
    its message kept in `skipped`."""

    def __init__(
        self,
        samples: torch.Tensor | LazySamples,
        targets: torch.Tensor,
        batch_size: int,
        scale: Scale | None,
        device: torch.device,
        workers: int,
        transform: Transform | None,
        persistent: bool,
        skip_unreadable: bool,
    ) -> None:
        self.samples, self.targets, self.batch_size = samples, targets, batch_size
        self.skip_unreadable, self.skipped = skip_unreadable, set()
        self.scale, self.device, self.transform = scale, device, transform
        self.keys = KeyBatches(batch_size)
        forks = workers and SHARED_BY_FORK
        self.loader = DataLoader(
            Items(samples, targets, transform),
            batch_sampler=self.keys,
            num_workers=workers,
            collate_fn=collate,
            pin_memory=device.type == "cuda",
            persistent_workers=persistent and workers > 0,
            # A store in memory reaches the workers by fork only.
            multiprocessing_context="fork" if forks else None,
            # Its own generator: making an iterator then draws nothing from the global
            # one, whose numbers (dropout's) stay the same whatever the workers.
            generator=torch.Generator(),
        )
        self.seed = 0

    def __len__(self) -> int:
        return -(-len(self.samples) // self.batch_size)

    def sliced(self) -> bool:
        """Whether a pass slices its batches out here: the samples are at hand and
        left unchanged."""
        held = not isinstance(self.samples, torch.Tensor) and self.samples.at_hand()
        return held and self.transform is None

    def readers(self) -> int:
        """The worker processes that take a core in the next pass: none when it slices
        here, or when they only copy decoded pixels out of a cache file."""
        copying = (
            self.transform is None
            and not isinstance(self.samples, torch.Tensor)
            and self.samples.complete()
        )
        return 0 if self.sliced() or copying else self.loader.num_workers

    def order(self, generator: torch.Generator) -> torch.Tensor:
        """This epoch's sample order, and the seed of its augmentation, both drawn
        from `generator` (without augmentation, the same order as the Batcher's)."""
        order = torch.randperm(len(self.samples), generator=generator)
        if self.transform is not None:
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
        if self.sliced():
            size = self.batch_size
            for begin in range(0, len(positions), size):
                rows = np.asarray(positions[begin : begin + size])
                yield self._placed(self.samples.take(rows), self.targets[rows])
            return
        self.keys.positions, self.keys.seed = positions, seed
        for found in self.loader:
            if found.failures and not self.skip_unreadable:
                raise DataError(found.failures[0])
            self.skipped.update(found.failures)
            if found.batch is not None:
                yield self._placed(*found.batch)

    def _placed(
        self, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = x.to(self.device, non_blocking=True)
        y = y.to(self.device, non_blocking=True)
        return as_input(x, self.scale), y
