"""Where a training step's time and memory go, layer by layer: warmed training steps of the
network the run would train, at its batch size on its device, under torch.profiler.

Each layer's forward pass is a named range opened by module hooks (the profiler's own
with_modules recorded no scope for an eager module's ops with torch 2.13: TorchScript only),
and each backward function is charged to the layer whose forward op made it. Every
microsecond of a step is in exactly one line: the layers, the loss, the optimizer, or the rest
(Python between layers, operations written inline such as +, autograd's bookkeeping). Only
the CPU is traced: on a GPU a step waits for its kernels at its end, and a layer's share is
the time it takes to launch them."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.profiler import ProfilerActivity

from designer.inspection.layer_ranges import is_leaf_layer, layer_paths, layer_ranges
from designer.inspection.samples import batch_of
from designer.inspection.step_events import LOSS, STEP, StepCosts, step_costs
from designer.model import GraphDocument
from designer.runtime.devices import thread_count
from designer.runtime.freezing import frozen_during, keep_frozen_statistics
from designer.runtime.schedules import Schedule
from designer.runtime.settings import make_optimizer
from designer.runtime.stepping import Step
from designer.training.setup import RunSetup

WARMUP_STEPS = 10
PROFILED_STEPS = 20


@dataclass(frozen=True)
class LayerCost:
    """One layer's share of a step, times in seconds: `path` is its attribute in the
    generated module ("block1.conv1" inside a block), `node` its graph node's id (top-level
    layers only). A block's numbers hold its `inner` layers' and its inline operations'."""

    path: str
    name: str
    kind: str
    node: str | None
    forward: float
    backward: float
    activation_bytes: int
    parameter_bytes: int
    inner: tuple[LayerCost, ...] = ()

    @property
    def time(self) -> float:
        return self.forward + self.backward


@dataclass(frozen=True)
class StepProfile:
    """A training step's time (seconds, the mean of the middle half of the profiled steps)
    split into the top-level layers, the loss, the optimizer and the rest."""

    layers: tuple[LayerCost, ...]
    loss: float
    optimizer: float
    step: float
    batch_size: int
    device: str
    steps: int

    @property
    def other(self) -> float:
        """What no layer, nor the loss or the optimizer, spent."""
        return self.step - sum(layer.time for layer in self.layers) - self.loss - self.optimizer


def profile_run(
    setup: RunSetup,
    batch_size: int | None = None,
    warmup: int = WARMUP_STEPS,
    steps: int = PROFILED_STEPS,
    beside_window: bool = False,
) -> StepProfile:
    """Profile `steps` training steps (after `warmup` unmeasured ones) of a fresh network at
    `batch_size` (default: the run's) on the run's device, with the run's thread count."""
    previous = torch.get_num_threads()
    torch.set_num_threads(thread_count(setup.config.threads, window=beside_window))
    try:
        return measure(setup, batch_size or setup.config.batch_size, warmup, steps)
    finally:
        torch.set_num_threads(previous)


def measure(setup: RunSetup, batch_size: int, warmup: int, steps: int) -> StepProfile:
    model, step = training_step(setup, warmup + steps)
    x, y = batch_of(setup.data.train, batch_size, setup.device)
    top = [name for name in setup.code.names.values() if name in dict(model.named_children())]
    activations: dict[str, int] = {}
    with layer_ranges(model, layer_paths(model, top), activations):
        for _ in range(warmup):
            run_step(step, x, y, setup.device)
        with torch.profiler.profile(activities=[ProfilerActivity.CPU]) as profiler:
            for _ in range(steps):
                with torch.autograd.profiler.record_function(STEP):
                    run_step(step, x, y, setup.device)
    kept = middle_half(step_costs(profiler.events()))
    nodes = {name: node for node, name in setup.code.names.items()}
    graph = setup.project.graph
    layers = tuple(
        layer_cost(model, path, kept, activations, nodes.get(path), graph) for path in top
    )
    return StepProfile(
        layers,
        mean(kept, lambda costs: costs.loss),
        mean(kept, lambda costs: costs.optimizer),
        mean(kept, lambda costs: costs.step),
        batch_size,
        str(setup.device),
        len(kept),
    )


def training_step(setup: RunSetup, steps: int) -> tuple[nn.Module, Step]:
    """A fresh network in training mode and the runtime's step that trains it as the run
    would (its optimizer, schedule, clipping and precision), its loss a profiler range."""
    settings = setup.settings
    model = setup.build_model()
    model.train()
    keep_frozen_statistics(model, frozen_during(settings, 1))
    optimizer = make_optimizer(model, settings, settings.lr)
    schedule = Schedule(settings.schedule, optimizer, setup.config.epochs, steps, settings.lr)
    loss_function = setup.loss.function

    def loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        with torch.autograd.profiler.record_function(LOSS):
            return loss_function(output, target)

    return model, Step(model, model, loss, optimizer, schedule, settings, setup.device)


def run_step(step: Step, x: torch.Tensor, y: torch.Tensor, device: torch.device) -> None:
    step(x, y)
    if device.type == "cuda":  # the step's time includes the kernels it queued
        torch.cuda.synchronize(device)
    elif device.type == "mps":
        torch.mps.synchronize()


def middle_half(costs: list[StepCosts]) -> list[StepCosts]:
    """The steps between the quartiles of their times: a step slowed by another process
    (or by a page fault) does not skew the means."""
    ordered = sorted(costs, key=lambda step: step.step)
    quarter = len(ordered) // 4
    return ordered[quarter : len(ordered) - quarter] or ordered


def mean(costs: list[StepCosts], part) -> float:
    """The mean of `part` over `costs`, in seconds (the profiler counts microseconds)."""
    return sum(part(step) for step in costs) / len(costs) / 1e6


def layer_cost(
    model: nn.Module,
    path: str,
    kept: list[StepCosts],
    activations: dict[str, int],
    node: str | None,
    graph: GraphDocument,
) -> LayerCost:
    """The costs of the layer at `path`, its inner layers' first when it is a block."""
    module = model.get_submodule(path)
    inner = ()
    if not is_leaf_layer(module):
        inner = tuple(
            layer_cost(model, f"{path}.{name}", kept, activations, None, graph)
            for name, _ in module.named_children()
        )
    if node is not None:
        name, kind = graph.node(node).name, graph.node(node).kind
    else:
        name, kind = path, type(module).__name__
    own_bytes = sum(layer.activation_bytes for layer in inner) or activations.get(path, 0)
    return LayerCost(
        path,
        name,
        kind,
        node,
        mean(kept, lambda costs: costs.forward.get(path, 0.0)),
        mean(kept, lambda costs: costs.backward.get(path, 0.0)),
        own_bytes,
        sum(p.numel() * p.element_size() for p in module.parameters()),
        inner,
    )
