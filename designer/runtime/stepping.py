"""One training step: forward, loss, backward, gradient clipping, mixed precision and
the schedule's per-batch step."""

from __future__ import annotations

import contextlib
import math

import torch
from torch import nn

from designer.runtime.schedules import Schedule
from designer.runtime.settings import TrainingSettings


class LossNotFinite(ArithmeticError):
    """The loss became NaN or infinite; the step stops before it changes any weight."""

    def __init__(self, value: float) -> None:
        super().__init__(f"the loss became {value}")
        self.value = value


class Step:
    """Trains `model` on one batch at each call and returns the output and the loss.
    `network` is the module whose gradients are clipped (`model` may wrap it for several
    processes). Mixed precision autocasts to float16 on CUDA (with a gradient scaler)
    and bfloat16 on the CPU; it is not used on other devices."""

    def __init__(
        self,
        model: nn.Module,
        network: nn.Module,
        loss_function,
        optimizer: torch.optim.Optimizer,
        schedule: Schedule,
        settings: TrainingSettings,
        device: torch.device,
    ) -> None:
        self.model, self.network, self.loss_function = model, network, loss_function
        self.optimizer, self.schedule, self.settings = optimizer, schedule, settings
        mixed = settings.mixed_precision and device.type in ("cuda", "cpu")
        self.autocast = autocast(device) if mixed else None
        self.scaler = (
            torch.amp.GradScaler("cuda") if mixed and device.type == "cuda" else None
        )
        self.clipped = bool(settings.clip_norm or settings.clip_value)
        # The common case (no autocast, scaling or clipping, a schedule stepped per
        # epoch) calls nothing more: at a few milliseconds a step, each call shows.
        self.plain = self.scaler is None and not self.clipped

    def __call__(self, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, float]:
        if self.autocast is None:
            output = self.model(x)
            loss = self.loss_function(output, y)
        else:
            with self.autocast:
                output = self.model(x)
                loss = self.loss_function(output, y)
        value = loss.item()
        if not math.isfinite(value):
            raise LossNotFinite(value)
        self.optimizer.zero_grad()
        if self.plain:
            loss.backward()
            self.optimizer.step()
        else:
            self.backward_and_step(loss)
        if self.schedule.per_step:
            self.schedule.after_step()
        return output, value

    def backward_and_step(self, loss: torch.Tensor) -> None:
        settings, optimizer, scaler = self.settings, self.optimizer, self.scaler
        if scaler is not None:
            scaler.scale(loss).backward()
            if self.clipped:
                scaler.unscale_(optimizer)
        else:
            loss.backward()
        if settings.clip_norm:
            nn.utils.clip_grad_norm_(self.network.parameters(), settings.clip_norm)
        if settings.clip_value:
            nn.utils.clip_grad_value_(self.network.parameters(), settings.clip_value)
        if scaler is not None:
            scaler.step(optimizer)
            scaler.update()
        else:
            optimizer.step()


def autocast(device: torch.device) -> contextlib.AbstractContextManager:
    """float16 on CUDA, bfloat16 on the CPU."""
    dtype = torch.float16 if device.type == "cuda" else torch.bfloat16
    return torch.autocast(device.type, dtype=dtype)
