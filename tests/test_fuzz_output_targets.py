"""Fuzzing the outputs: `export -o` aimed at every kind of target (devices, FIFOs, sockets,
folders, links to each and link loops, a missing folder, the project, a run's files, each with
and without --force) writes a regular file or nothing, says why in one line when it refuses,
and changes nothing else in the folder."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.cli import main
from designer.runtime.checkpoints import save_checkpoint
from designer.training import new_run
from tests.output_target_helpers import listing, make_special, open_reader
from tests.train_helpers import example_copy

CASES = 300  # the space is small: hypothesis stops once it has tried every case
SPECIAL = ("device", "block", "fifo", "socket", "folder")
OURS = ("project", "best.pt", "config.json", "metrics.jsonl")
PLAIN = ("new", "existing")
LINKED = SPECIAL + OURS + PLAIN


def make_target(folder: Path, kind: str, project: Path, run) -> Path:
    """The target of `kind` in `folder`, made there, or the project or a run's file."""
    if kind in SPECIAL:
        return make_special(folder / f"{kind}.py", kind)
    if kind == "new":
        return folder / "new.py"
    if kind == "existing":
        (folder / "existing.py").write_text("mine\n")
        return folder / "existing.py"
    if kind == "missing folder":
        return folder / "missing" / "out.py"
    if kind == "loop":
        (folder / "loop.py").symlink_to("loop2.py")
        (folder / "loop2.py").symlink_to("loop.py")
        return folder / "loop.py"
    if kind == "project":
        return project
    return run.checkpoint(kind.removesuffix(".pt")) if kind.endswith(".pt") else run.root / kind


def expected_refusal(kind: str, force: bool) -> bool:
    return kind in (*SPECIAL, "missing folder", "loop") or (kind in OURS and not force)


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    kind=st.sampled_from((*LINKED, "missing folder", "loop")),
    linked=st.booleans(),
    force=st.booleans(),
)
def test_an_output_is_a_regular_file_or_nothing(kind, linked, force, capsys):
    linked = linked and kind in LINKED
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        project = example_copy(folder, "mlp_iris")
        run = new_run(project.path)
        run.write_start({"epochs": 1}, {"seed": 0}, "class Net: ...\n")
        run.append({"epoch": 1})
        save_checkpoint(run.checkpoint("best"), {"model": {"weight": torch.ones(2)}})
        target = make_target(folder, kind, project.path, run)
        given_path = target
        if linked:
            given_path = folder / "link.py"
            given_path.symlink_to(target)
        before = listing(folder)
        arguments = ["export", str(project.path), "-o", str(given_path), "--model-only"]
        with open_reader(target) as reader:
            code = main(arguments + (["--force"] if force else []))
            assert reader.read() == b"", "bytes went into a FIFO"
        out, err = capsys.readouterr()
        after = listing(folder)
        case = f"{kind}, linked={linked}, force={force}: {err}"
        if expected_refusal(kind, force):
            assert code == 2 and out == "", case
            assert err.startswith(f"netdesigner: {given_path}: ") and err.count("\n") == 1, case
            assert after == before, case
        else:
            assert code == 0 and err == "", case
            written = str(target.relative_to(folder))
            assert after[written][0] == stat.S_IFREG, case
            assert {k: v for k, v in after.items() if k != written} == {
                k: v for k, v in before.items() if k != written
            }, case
