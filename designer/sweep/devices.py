"""Where trials train: on a machine with several GPUs, and a project whose device is left
automatic, each trial takes the GPU the fewest trials use at the time."""

from __future__ import annotations

import threading


class DeviceShare:
    """The GPUs trials take turns on (none: each trial takes the project's device)."""

    def __init__(self, setting: str, gpus: int) -> None:
        names = [f"cuda:{index}" for index in range(gpus)] if setting == "auto" else []
        self.users = dict.fromkeys(names if len(names) > 1 else [], 0)
        self.lock = threading.Lock()

    def take(self) -> str | None:
        """The least used GPU, now used once more; None where trials do not share GPUs."""
        with self.lock:
            if not self.users:
                return None
            device = min(self.users, key=self.users.__getitem__)
            self.users[device] += 1
            return device

    def give_back(self, device: str | None) -> None:
        if device is not None:
            with self.lock:
                self.users[device] -= 1
