"""Mini-batches of in-memory tensors, sliced by a permutation, never item by item."""

from __future__ import annotations

from collections.abc import Iterator

import torch


class Batcher:
    """Feeds (x, y) batches from tensors already on the training device."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> None:
        self.x, self.y, self.batch_size = x, y, batch_size

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def order(self, generator: torch.Generator) -> torch.Tensor:
        """This epoch's sample order, drawn from `generator` (kept on the CPU for
        repeatability)."""
        return torch.randperm(len(self.x), generator=generator).to(self.x.device)

    def shuffled(
        self, order: torch.Tensor, start: int = 0
    ) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches in `order` from batch number `start` on (to continue an epoch)."""
        size = self.batch_size
        for begin in range(start * size, len(order), size):
            index = order[begin : begin + size]
            yield self.x[index], self.y[index]

    def in_order(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches front to back as views, for evaluation."""
        size = self.batch_size
        for begin in range(0, len(self.x), size):
            yield self.x[begin : begin + size], self.y[begin : begin + size]
