"""The memory a run may use: a container's cgroup limit (v2 or v1, on this process's own
cgroup or one above it) counts before the host's free memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from designer.data import SetupError
from designer.runtime import memory_budget
from designer.runtime.memory_budget import MemoryFiles, available_memory
from designer.training import prepare_run
from tests.train_helpers import example_copy

GIB = 1 << 30


def machine(tmp_path: Path, own: str, files: dict[str, str], free: int = 13 * GIB) -> MemoryFiles:
    """A machine told by files in tmp_path: /proc/self/cgroup holds `own`, the host has
    `free` bytes available, and `files` are the cgroup files (paths under the root)."""
    (tmp_path / "meminfo").write_text(f"MemTotal: 99999999 kB\nMemAvailable: {free // 1024} kB\n")
    (tmp_path / "cgroup").write_text(own)
    for name, text in files.items():
        path = tmp_path / "fs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return MemoryFiles(tmp_path / "meminfo", tmp_path / "cgroup", tmp_path / "fs")


def test_cgroup_v2_limit_of_the_process_own_cgroup(tmp_path):
    files = machine(
        tmp_path,
        "0::/user.slice/app.scope\n",
        {
            "memory.max": "max\n",  # the root: no limit
            "user.slice/memory.max": "max\n",
            "user.slice/memory.current": f"{3 * GIB}\n",
            "user.slice/app.scope/memory.max": f"{6 * GIB}\n",
            "user.slice/app.scope/memory.current": f"{GIB}\n",
            "user.slice/app.scope/memory.stat": f"anon 1\ninactive_file {GIB // 2}\n",
        },
    )
    assert available_memory(files) == 6 * GIB - GIB // 2  # the file cache is given back


def test_cgroup_v1_limit_on_a_cgroup_above_the_process(tmp_path):
    files = machine(
        tmp_path,
        "9:name=systemd:/\n4:memory:/process_api/c4f8\n0::/\n",
        {
            "memory/memory.limit_in_bytes": "9223372036854771712\n",  # v1's "no limit"
            "memory/memory.usage_in_bytes": f"{5 * GIB}\n",
            "memory/process_api/memory.limit_in_bytes": f"{6 * GIB}\n",
            "memory/process_api/memory.usage_in_bytes": f"{2 * GIB}\n",
            "memory/process_api/c4f8/memory.limit_in_bytes": "9223372036854771712\n",
            "memory/process_api/c4f8/memory.usage_in_bytes": f"{GIB}\n",
        },
    )
    assert available_memory(files) == 4 * GIB


def test_a_container_that_sees_its_own_cgroup_at_the_root(tmp_path):
    """Docker without a cgroup namespace: /proc/self/cgroup names a path the container's
    mount does not hold; its own limit is at the mount's root."""
    files = machine(
        tmp_path,
        "4:memory:/docker/0123abcd\n",
        {
            "memory/memory.limit_in_bytes": f"{6 * GIB}\n",
            "memory/memory.usage_in_bytes": f"{GIB}\n",
            "memory/memory.stat": f"total_inactive_file {GIB}\n",
        },
    )
    assert available_memory(files) == 6 * GIB


def test_without_a_limit_the_host_memory_counts(tmp_path):
    files = machine(tmp_path, "0::/\n", {"memory.max": "max\n", "memory.current": "5\n"})
    assert available_memory(files) == 13 * GIB
    missing = MemoryFiles(tmp_path / "no", tmp_path / "no", tmp_path / "no")
    assert available_memory(missing) is not None  # the free pages the system tells


def test_a_run_is_checked_against_the_container_not_the_host(tmp_path, monkeypatch):
    files = machine(
        tmp_path,
        "0::/box\n",
        {"box/memory.max": f"{2 << 20}\n", "box/memory.current": f"{1 << 20}\n"},
    )
    monkeypatch.setattr(memory_budget, "MemoryFiles", lambda: files)
    project = example_copy(tmp_path, "lenet5_digits", batch_size=64)
    with pytest.raises(SetupError, match=r"but cpu has 1\.0 MiB free"):
        prepare_run(project)
