"""Atomic saves: a saving process killed (SIGKILL) at random moments never leaves half a file."""

from __future__ import annotations

import multiprocessing
import os
import random
import time

from designer.project import load_project, save_project
from designer.project.files import project_to_text
from designer.runtime.files import write_atomically
from tests import saving_child

KILLS = 100


def test_temporary_files_of_dead_processes_are_removed_by_the_next_save(tmp_path):
    target = tmp_path / "project.json"
    dead = tmp_path / ".project.json.2147483000.abcd.tmp"  # no process has this id
    alive = tmp_path / f".project.json.{os.getppid()}.efgh.tmp"  # a save going on elsewhere
    other = tmp_path / ".other.json.2147483000.ijkl.tmp"
    for path in (dead, alive, other):
        path.write_bytes(b"half")
    write_atomically(target, "new\n")
    assert target.read_text() == "new\n"
    assert not dead.exists() and alive.exists() and other.exists()


def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path):
    project = saving_child.big_project()
    texts = set()
    for version in saving_child.VERSIONS:
        project.name = version
        texts.add(project_to_text(project).encode("utf-8"))
    target = tmp_path / "project.json"
    started = time.perf_counter()
    save_project(project, target)  # the new version, then the child saves old, new, old...
    one_save = time.perf_counter() - started
    for text in texts:
        target.write_bytes(text)
        assert project_to_text(load_project(target)).encode("utf-8") == text
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.saving_child"])
    chance = random.Random(8)
    seen = set()
    for kill in range(KILLS):
        saving, saves = context.Event(), context.Value("i", 0)
        child = context.Process(
            target=saving_child.save_in_a_loop, args=(str(target), saving, saves)
        )
        child.start()
        assert saving.wait(30)
        # Every other kill waits for a finished save first, so that kills land in every phase
        # (first write, later writes, between writes) however slow the machine is today.
        deadline = time.monotonic() + 30
        while kill % 2 and saves.value < 1 and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(chance.uniform(0, 1.5 * one_save))
        child.kill()
        child.join()
        assert child.exitcode == -9
        data = target.read_bytes()
        assert data in texts, f"kill {kill}: the file is neither version ({len(data)} bytes)"
        seen.add(data)
        temporary = list(tmp_path.glob(".project.json.*.tmp"))
        assert len(temporary) <= 1, "a killed save's temporary file outlived the next save"
    assert seen == texts, "the kills never landed after a save finished"
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.endswith(".tmp")) == [
        "project.json"
    ]
