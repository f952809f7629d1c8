"""How much memory a run may fill with decoded data: a share of the memory available,
where a container's own limit (cgroup v2 or v1) counts before the host's."""

from __future__ import annotations

import os
from pathlib import Path

AUTO_SHARE = 4  # the automatic budget is a quarter of the memory available ...
AUTO_CAP = 1 << 30  # ... and at most 1 GiB: a bigger set reads as fast from its cache
CGROUP_FILES = (
    ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
    (
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
        "/sys/fs/cgroup/memory/memory.usage_in_bytes",
    ),
)


def read_number(path: str) -> int | None:
    try:
        text = Path(path).read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max": no limit


def host_available() -> int | None:
    """MemAvailable of /proc/meminfo, or the free pages where there is none."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def available_memory() -> int | None:
    """Bytes this process can still use: the host's available memory, or less where
    the container's memory limit leaves less; None where nothing tells."""
    found = [host_available()]
    for limit_file, usage_file in CGROUP_FILES:
        limit, usage = read_number(limit_file), read_number(usage_file)
        if limit is not None and usage is not None and limit < 1 << 60:
            found.append(max(0, limit - usage))
    known = [value for value in found if value is not None]
    return min(known) if known else None


def memory_budget(megabytes: int) -> int:
    """The budget in bytes: `megabytes` MiB, or for 0 a quarter of the available
    memory up to 1 GiB."""
    if megabytes:
        return megabytes << 20
    available = available_memory()
    return AUTO_CAP if available is None else min(available // AUTO_SHARE, AUTO_CAP)
