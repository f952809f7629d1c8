"""Runs started at the same moment (a sweep's trials, the window's run beside a command's)
each get a number of their own."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from designer.training.runs import RunFolder, new_run


def test_runs_started_at_once_get_numbers_of_their_own(tmp_path):
    project = tmp_path / "p.json"
    together = threading.Barrier(8)

    def started(_: int) -> int:
        together.wait()
        return new_run(project).number

    with ThreadPoolExecutor(8) as pool:
        numbers = sorted(pool.map(started, range(8)))
    assert numbers == list(range(1, 9))
    folders = list((tmp_path / "runs" / "p").iterdir())
    assert all(folder.is_dir() for folder in folders)  # the numbering lock is gone
    assert sorted(RunFolder(folder).number for folder in folders) == numbers
