"""Mini-batches of in-memory tensors, sliced by a permutation, never item by item;
pixels kept as uint8 (a quarter of float32's memory) become float32 a batch a time."""

from __future__ import annotations

from collections.abc import Iterator

import torch


class Batcher:
    """Feeds (x, y) batches from tensors already on the training device. Samples of
    uint8 are pixels: each batch of them is fed as float32 scaled to 0..1."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int) -> None:
        self.x, self.y, self.batch_size = x, y, batch_size
        self.pixels = x.dtype == torch.uint8

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
            x = self.x[index]
            yield (as_float(x) if self.pixels else x), self.y[index]

    def in_order(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches front to back (views, or float copies of pixels), for evaluation."""
        size = self.batch_size
        for begin in range(0, len(self.x), size):
            x = self.x[begin : begin + size]
            yield (as_float(x) if self.pixels else x), self.y[begin : begin + size]


def as_float(pixels: torch.Tensor) -> torch.Tensor:
    """uint8 pixels as float32 from 0 to 1."""
    return pixels.float() / 255
