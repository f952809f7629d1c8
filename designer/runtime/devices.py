"""The device a run trains on and its number of CPU threads."""

from __future__ import annotations

import os

import torch

MAX_AUTO_WORKERS = 4


def thread_count(
    setting: int, processes: int = 1, readers: int = 0, window: bool = False
) -> int:
    """0 is automatic: the cores that the `readers` (worker processes reading this
    pass's samples, counted for half the cores at most: they often wait) leave, less one
    for a `window` beside the run (a run in a thread of the window's process was 4x
    slower with 2 torch threads than with 1 on 2 cores); with several processes
    (torchrun), an equal share of the cores each."""
    if setting:
        return setting
    cores = os.cpu_count() or 1
    if processes > 1:
        return max(1, cores // processes)
    return max(1, cores - min(readers, cores // 2) - int(window))


def choose_device(name: str, local_rank: int | None = None) -> torch.device:
    """auto is CUDA when there is a GPU, else Apple's mps, else the CPU. Under torchrun
    each process takes the GPU of its local rank."""
    if name == "auto":
        if torch.cuda.is_available():
            name = "cuda"
        elif torch.backends.mps.is_available():
            name = "mps"
        else:
            name = "cpu"
    device = torch.device(name)
    if device.type == "cuda" and local_rank is not None:
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    return device


def worker_count(setting: int, processes: int = 1) -> int:
    """Processes that read samples; -1 is automatic: all cores but one, at most
    MAX_AUTO_WORKERS (0 on one core: read in the training process), shared by the
    training processes under torchrun."""
    if setting >= 0:
        return setting
    spare = ((os.cpu_count() or 1) - 1) // processes
    return max(0, min(spare, MAX_AUTO_WORKERS))
