"""How much memory a run may fill with decoded data: a share of the memory available,
where a container's own limit (cgroup v2 or v1) counts before the host's."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

AUTO_SHARE = 4  # the automatic budget is a quarter of the memory available ...
AUTO_CAP = 1 << 30  # ... and at most 1 GiB: a bigger set reads as fast from its cache
NO_LIMIT = 1 << 60  # cgroup v1 writes "no limit" as a number near 2**63


@dataclass(frozen=True)
class MemoryFiles:
    """Where the kernel tells the memory: /proc/meminfo, this process's cgroups, and
    the cgroup hierarchies (v2 at the root, v1's memory controller in memory/)."""

    meminfo: Path = Path("/proc/meminfo")
    own_cgroups: Path = Path("/proc/self/cgroup")
    cgroup_root: Path = Path("/sys/fs/cgroup")


def read_number(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None  # "max": no limit


def stat_value(path: Path, name: str) -> int:
    """The value of `name` in a memory.stat file (0 where there is none)."""
    try:
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == name and value.strip().isdigit():
                return int(value)
    except OSError:
        pass
    return 0


def host_available(meminfo: Path) -> int | None:
    """MemAvailable of /proc/meminfo, or the free pages where there is none."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def own_cgroups(path: Path) -> tuple[str, str]:
    """This process's cgroup in the v2 hierarchy and in v1's memory controller (each
    "/" where it is not told: the hierarchy's root, as inside a cgroup namespace)."""
    unified = memory = "/"
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return unified, memory
    for line in lines:
        number, _, rest = line.partition(":")
        controllers, _, place = rest.partition(":")
        if number == "0" and not controllers:
            unified = place or "/"
        elif "memory" in controllers.split(","):
            memory = place or "/"
    return unified, memory


def from_here_up(root: Path, place: str) -> list[Path]:
    """The cgroup folder of `place` under `root` and each above it, up to `root`."""
    parts = [part for part in place.split("/") if part and part not in (".", "..")]
    return [root.joinpath(*parts[:depth]) for depth in range(len(parts), -1, -1)]


def cgroup_room(files: MemoryFiles) -> list[int]:
    """What the memory limit of each cgroup this process is in (its own and those above
    it, v2 and v1) leaves: the limit less the usage, less the file cache the kernel
    gives back under pressure."""
    unified, memory = own_cgroups(files.own_cgroups)
    controllers = (
        (files.cgroup_root, unified, "memory.max", "memory.current", "inactive_file"),
        (
            files.cgroup_root / "memory",
            memory,
            "memory.limit_in_bytes",
            "memory.usage_in_bytes",
            "total_inactive_file",
        ),
    )
    room = []
    for root, place, limit_name, usage_name, cache_name in controllers:
        for folder in from_here_up(root, place):
            limit = read_number(folder / limit_name)
            usage = read_number(folder / usage_name)
            if limit is None or usage is None or limit >= NO_LIMIT:
                continue
            cache = stat_value(folder / "memory.stat", cache_name)
            room.append(max(0, limit - max(0, usage - cache)))
    return room


def available_memory(files: MemoryFiles | None = None) -> int | None:
    """Bytes this process can still use: the host's available memory, or less where a
    container's memory limit leaves less; None where nothing tells."""
    files = files or MemoryFiles()
    known = [host_available(files.meminfo), *cgroup_room(files)]
    known = [value for value in known if value is not None]
    return min(known) if known else None


def memory_budget(megabytes: int) -> int:
    """The budget in bytes: `megabytes` MiB, or for 0 a quarter of the available
    memory up to 1 GiB."""
    if megabytes:
        return megabytes << 20
    available = available_memory()
    return AUTO_CAP if available is None else min(available // AUTO_SHARE, AUTO_CAP)
