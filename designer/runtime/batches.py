"""Mini-batches of in-memory tensors, sliced by a permutation, never item by item;
pixels kept as uint8 (a quarter of float32's memory) become float32 a batch a time."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from designer.runtime.prepare import Scale


class Batcher:
    """Feeds (x, y) batches from tensors already on the training device. Samples of
    uint8 are pixels: each batch of them is fed as float32 from 0 to 1; each batch is
    standardised by `scale` where given."""

    def __init__(
        self,
        x: torch.Tensor,
        y: torch.Tensor,
        batch_size: int,
        scale: Scale | None = None,
    ) -> None:
        self.x, self.y, self.batch_size, self.scale = x, y, batch_size, scale
        self.skipped: set[str] = set()  # tensors hold no unreadable sample

    def __len__(self) -> int:
        return -(-len(self.x) // self.batch_size)

    def readers(self) -> int:
        """No worker process reads: the tensors are at hand."""
        return 0

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
            yield as_input(self.x[index], self.scale), self.y[index]

    def in_order(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Batches front to back (views, or float copies of pixels), for evaluation."""
        size = self.batch_size
        for begin in range(0, len(self.x), size):
            x = self.x[begin : begin + size]
            yield as_input(x, self.scale), self.y[begin : begin + size]


def as_input(x: torch.Tensor, scale: Scale | None) -> torch.Tensor:
    """A batch as the network takes it: uint8 pixels as float32 from 0 to 1, then
    standardised by `scale` where given (pixels, or features read on demand)."""
    if x.dtype == torch.uint8:
        x = x.float() / 255
    return x if scale is None else scale.apply(x)
