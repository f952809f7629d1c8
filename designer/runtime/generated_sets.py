"""Generated sequence sets with a fixed seed: noisy sine-wave classes and token tasks
(copy, sort, most frequent token)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from designer.runtime.dataset import Dataset


@dataclass(frozen=True)
class SineWaves:
    """Noisy sine waves: each class is a frequency; every sample gets a random phase and
    amplitude and Gaussian noise, all drawn from `seed`. Samples are length x 1
    (sequence x features), as recurrent and attention layers take them."""

    samples: int
    length: int
    classes: int
    noise: float
    seed: int

    def load(self) -> Dataset:
        samples, length, classes = self.samples, self.length, self.classes
        generator = torch.Generator().manual_seed(self.seed)
        labels = torch.arange(samples) % classes
        labels = labels[torch.randperm(samples, generator=generator)]
        frequency = (1.0 + labels.float()) / length * 2.0
        phase = torch.rand(samples, generator=generator) * 2 * math.pi
        amplitude = 0.5 + torch.rand(samples, generator=generator)
        steps = torch.arange(length).float()
        angle = 2 * math.pi * frequency[:, None] * steps + phase[:, None]
        waves = amplitude[:, None] * torch.sin(angle)
        waves = waves + self.noise * torch.randn(samples, length, generator=generator)
        names = tuple(f"{index + 1} cycles" for index in range(classes))
        return Dataset(
            "sine_waves", waves.unsqueeze(-1), labels, "sequence_to_label", names
        )


@dataclass(frozen=True)
class TokenSequences:
    """Random token sequences drawn from `seed`. The target repeats them ("copy"), puts
    them in order ("sort"), or is the one token that occurs most often ("majority", a
    class per sequence)."""

    task: str
    samples: int
    length: int
    vocabulary: int
    seed: int

    def load(self) -> Dataset:
        vocabulary = self.vocabulary
        generator = torch.Generator().manual_seed(self.seed)
        tokens = torch.randint(
            vocabulary, (self.samples, self.length), generator=generator
        )
        names = tuple(str(token) for token in range(vocabulary))
        if self.task == "majority":
            tokens, labels = with_one_majority(tokens, vocabulary, generator)
            return Dataset(
                "majority tokens", tokens, labels, "sequence_to_label", names
            )
        targets = tokens.clone() if self.task == "copy" else tokens.sort(dim=1).values
        return Dataset(
            f"{self.task} tokens", tokens, targets, "sequence_to_sequence", names
        )


def with_one_majority(
    tokens: torch.Tensor, vocabulary: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences whose most frequent token is unique, and that token. Where tokens tie,
    one of them picked at random takes over a position of another token, which breaks
    the tie."""
    counts = F.one_hot(tokens, vocabulary).sum(dim=1)
    jitter = torch.rand(counts.shape, generator=generator) / 2
    winners = (counts + jitter).argmax(dim=1)
    tied = (counts == counts.max(dim=1, keepdim=True).values).sum(dim=1) > 1
    others = (tokens != winners[:, None]).float()
    position = (others * (0.5 + torch.rand(tokens.shape, generator=generator))).argmax(
        dim=1
    )
    rows = tied.nonzero().squeeze(1)
    tokens = tokens.clone()
    tokens[rows, position[rows]] = winners[rows]
    return tokens, winners
