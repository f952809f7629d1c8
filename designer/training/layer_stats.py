"""Live per-layer diagnostics: gradient norm, activation mean and std, dead ReLU units and
weight / gradient histograms, sampled with hooks on a few steps only: training keeps its speed."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch
from torch import nn

BINS = 30
EXPLODING_GRAD_NORM = 100.0
VANISHING_GRAD_NORM = 1e-6
DEAD_FRACTION = 0.5


@dataclass(frozen=True)
class Histogram:
    """Counts of values in BINS equal bins from `low` to `high`."""

    low: float
    high: float
    counts: tuple[float, ...]

    @classmethod
    def of(cls, values: torch.Tensor) -> Histogram | None:
        values = values.detach().float().flatten()
        if values.numel() == 0:
            return None
        low, high = (bound.item() for bound in torch.aminmax(values))
        if not (math.isfinite(low) and math.isfinite(high)):  # rare: only then filter
            values = values[torch.isfinite(values)]
            if values.numel() == 0:
                return None
            low, high = (bound.item() for bound in torch.aminmax(values))
        if high - low < 1e-12:
            low, high = low - 0.5, high + 0.5
        counts = torch.histc(values, BINS, low, high)
        return cls(low, high, tuple(counts.tolist()))

    def centers(self) -> list[float]:
        width = (self.high - self.low) / len(self.counts)
        return [self.low + width * (index + 0.5) for index in range(len(self.counts))]


@dataclass(frozen=True)
class LayerStats:
    """One layer on one sampled step; None where the layer has no such value."""

    grad_norm: float | None = None
    activation_mean: float | None = None
    activation_std: float | None = None
    dead_fraction: float | None = None
    weights: Histogram | None = None
    grads: Histogram | None = None


@dataclass(frozen=True)
class Flag:
    """A problem seen in a layer's live values, with the usual cause and cure."""

    kind: str  # exploding, vanishing or dead
    title: str
    advice: str


def layer_flags(stats: LayerStats) -> list[Flag]:
    """What looks wrong in `stats`: exploding or vanishing gradients, mostly dead ReLU units."""
    flags = []
    norm = stats.grad_norm
    if norm is not None and (not math.isfinite(norm) or norm > EXPLODING_GRAD_NORM):
        flags.append(
            Flag(
                "exploding",
                f"exploding gradients (norm {norm:.3g})",
                "Usually a learning rate that is too high or a deep stack without normalization. "
                "Lower the learning rate, add batch or layer normalization, or clip gradients "
                "(training.clip.norm).",
            )
        )
    elif norm is not None and norm < VANISHING_GRAD_NORM:
        flags.append(
            Flag(
                "vanishing",
                f"vanishing gradients (norm {norm:.3g})",
                "The layer hardly learns: saturated sigmoid or tanh units, a deep stack without "
                "shortcuts, or dead units upstream. Use ReLU or GELU, add normalization or "
                "residual shortcuts, or raise the learning rate.",
            )
        )
    dead = stats.dead_fraction
    if dead is not None and dead >= DEAD_FRACTION:
        flags.append(
            Flag(
                "dead",
                f"{dead:.0%} dead ReLU units",
                "These units output zero for every sample, so they pass no gradient and never "
                "recover. Usually a learning rate that is too high; lower it, use LeakyReLU or "
                "GELU, or add normalization before the ReLU.",
            )
        )
    return flags


class LayerSampler:
    """Samples the layers of `model` at most once per `interval` seconds. `names` maps node ids
    to the attribute names the generated module gives their layers. Call `arm` before a sampled
    step's forward pass and `collect` after its backward pass."""

    def __init__(self, model: nn.Module, names: dict[str, str], interval: float) -> None:
        children = dict(model.named_children())
        self.layers = {node: children[name] for node, name in names.items() if name in children}
        self.interval = interval
        self.last = -math.inf
        self.hooks: list[torch.utils.hooks.RemovableHandle] = []
        self.activations: dict[str, tuple[float, float, float | None]] = {}

    def due(self) -> bool:
        return time.perf_counter() - self.last >= self.interval

    def arm(self) -> None:
        self.last = time.perf_counter()
        self.activations = {}
        for node, module in self.layers.items():
            self.hooks.append(module.register_forward_hook(self._hook(node)))

    def _hook(self, node: str):
        def record(module: nn.Module, inputs, output) -> None:
            tensor = output[0] if isinstance(output, tuple) else output
            if not isinstance(tensor, torch.Tensor) or not tensor.is_floating_point():
                return
            with torch.no_grad():
                values = tensor.detach().float()
                dead = None
                if isinstance(module, nn.ReLU) and values.dim() > 1:
                    alive = (values.reshape(values.shape[0], -1) > 0).any(dim=0)
                    dead = 1.0 - alive.float().mean().item()
                if values.numel() > 1:
                    std, mean = (value.item() for value in torch.std_mean(values))
                else:
                    std, mean = 0.0, values.mean().item()
                self.activations[node] = (mean, std, dead)

        return record

    def collect(self) -> dict[str, LayerStats]:
        """The sampled step's values per node id; removes the hooks."""
        for hook in self.hooks:
            hook.remove()
        self.hooks = []
        stats = {}
        for node, module in self.layers.items():
            mean, std, dead = self.activations.get(node, (None, None, None))
            parameters = [p for p in module.parameters() if p.requires_grad]
            grads = [p.grad for p in parameters if p.grad is not None]
            norm = None
            if grads:
                norm = torch.linalg.vector_norm(
                    torch.stack([torch.linalg.vector_norm(g.detach().float()) for g in grads])
                ).item()
            stats[node] = LayerStats(
                norm,
                mean,
                std,
                dead,
                Histogram.of(torch.cat([p.detach().flatten() for p in parameters]))
                if parameters
                else None,
                Histogram.of(torch.cat([g.detach().flatten() for g in grads])) if grads else None,
            )
        return stats
