"""Generated sequence sets with a fixed seed: noisy sine-wave classes and token tasks (copy,
sort, most frequent token)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from designer.data.dataset import Dataset
from designer.data.settings import Section

TOKEN_TASKS = ("copy", "sort", "majority")


def sine_waves(section: Section) -> Dataset:
    """Each class is a frequency; samples get a random phase, amplitude and Gaussian noise.
    Samples are length x 1 (sequence x features), as recurrent and attention layers take them."""
    samples = section.integer("samples", 600, minimum=2, maximum=1_000_000)
    length = section.integer("length", 50, minimum=2, maximum=100_000)
    classes = section.integer("classes", 3, minimum=2, maximum=50)
    noise = section.number("noise", 0.3, minimum=0.0)
    generator = torch.Generator().manual_seed(section.integer("seed", 0))
    labels = torch.arange(samples) % classes
    labels = labels[torch.randperm(samples, generator=generator)]
    frequency = (1.0 + labels.float()) / length * 2.0
    phase = torch.rand(samples, generator=generator) * 2 * math.pi
    amplitude = 0.5 + torch.rand(samples, generator=generator)
    time = torch.arange(length).float()
    waves = amplitude[:, None] * torch.sin(2 * math.pi * frequency[:, None] * time + phase[:, None])
    waves = waves + noise * torch.randn(samples, length, generator=generator)
    names = tuple(f"{index + 1} cycles" for index in range(classes))
    return Dataset("sine_waves", waves.unsqueeze(-1), labels, "sequence_to_label", names)


def token_sequences(section: Section) -> Dataset:
    """Random token sequences. The target repeats them ("copy"), puts them in order ("sort"),
    or is the one token that occurs most often ("majority", a class per sequence)."""
    task = section.choice("task", "sort", TOKEN_TASKS)
    samples = section.integer("samples", 1000, minimum=2, maximum=1_000_000)
    length = section.integer("length", 8, minimum=1, maximum=10_000)
    vocabulary = section.integer("vocabulary", 10, minimum=2, maximum=100_000)
    generator = torch.Generator().manual_seed(section.integer("seed", 0))
    tokens = torch.randint(vocabulary, (samples, length), generator=generator)
    names = tuple(str(token) for token in range(vocabulary))
    if task == "majority":
        tokens, labels = with_one_majority(tokens, vocabulary, generator)
        return Dataset("majority tokens", tokens, labels, "sequence_to_label", names)
    targets = tokens.clone() if task == "copy" else tokens.sort(dim=1).values
    return Dataset(f"{task} tokens", tokens, targets, "sequence_to_sequence", names)


def with_one_majority(
    tokens: torch.Tensor, vocabulary: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences whose most frequent token is unique, and that token. Where tokens tie, one of
    them picked at random takes over a position of another token, which breaks the tie."""
    counts = F.one_hot(tokens, vocabulary).sum(dim=1)
    jitter = torch.rand(counts.shape, generator=generator) / 2
    winners = (counts + jitter).argmax(dim=1)
    tied = (counts == counts.max(dim=1, keepdim=True).values).sum(dim=1) > 1
    others = (tokens != winners[:, None]).float()
    position = (others * (0.5 + torch.rand(tokens.shape, generator=generator))).argmax(dim=1)
    rows = tied.nonzero().squeeze(1)
    tokens = tokens.clone()
    tokens[rows, position[rows]] = winners[rows]
    return tokens, winners
