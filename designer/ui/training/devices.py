"""The devices this machine really has, for the Train panel's device list."""

from __future__ import annotations


def device_choices() -> list[tuple[str, str]]:
    """(setting, label) pairs: auto, cpu, each CUDA GPU with its name and memory, and MPS."""
    import torch

    choices = [("auto", "Auto (best available)"), ("cpu", "CPU")]
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            properties = torch.cuda.get_device_properties(index)
            memory = properties.total_memory / 2**30
            choices.append(
                (f"cuda:{index}", f"cuda:{index} \u2014 {properties.name}, {memory:.0f} GiB")
            )
    if torch.backends.mps.is_available():
        choices.append(("mps", "Apple GPU (MPS)"))
    return choices
