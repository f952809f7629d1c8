"""Checking the device setting (auto, cpu, cuda, cuda:N, mps) against this machine."""

from __future__ import annotations

import re

import torch

from designer.training.config import ConfigError


def resolve_device(name: str) -> torch.device:
    """The torch device for a setting; an unavailable device is a ConfigError saying why."""
    place = "training.device"
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        return torch.device("mps" if mps_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "mps":
        if not mps_available():
            raise ConfigError("mps (Apple GPU) is not available on this machine: use cpu", place)
        return torch.device("mps")
    match = re.fullmatch(r"cuda(?::(\d+))?", name)
    if match is None:
        raise ConfigError(f"unknown device {name!r}: use auto, cpu, cuda, cuda:N or mps", place)
    if not torch.cuda.is_available():
        why = "this PyTorch is built without CUDA" if torch.version.cuda is None else "no GPU found"
        raise ConfigError(
            f"{name} is not available ({why}, torch {torch.__version__}): use cpu", place
        )
    index = int(match.group(1) or 0)
    count = torch.cuda.device_count()
    if index >= count:
        raise ConfigError(
            f"{name} is not available: this machine has {count} CUDA device(s), "
            f"cuda:0 to cuda:{count - 1}",
            place,
        )
    return torch.device(f"cuda:{index}")


def mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())
