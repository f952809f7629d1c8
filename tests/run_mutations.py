"""Damaged run folders made by hypothesis (every file of a trained run, damaged in each way) and
the commands that read them (resume, export of its weights, the runs list), each of which
must end in success or one clear message, write nothing outside the run, and lose nothing."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import torch
from hypothesis import strategies as st

from designer.cli import main
from designer.data import SetupError
from designer.training import list_runs
from tests.fuzz_guard import Outcome, outcome_of
from tests.train_helpers import example_copy

DAMAGES = [
    "empty",
    "cut",
    "junk",
    "latin-1",
    "json list",
    "json string",
    "json number",
    "deleted",
    "folder",
    "fifo",
]
# What a checkpoint may hold instead of a state dict of the network's tensors.
CHECKPOINTS = {
    "ints": {"state": 1},
    "strings": {"model": "x", "optimizer": "y"},
    "no model": {},
    "wrong shapes": {"model": {"hidden1.weight": torch.zeros(2, 2)}},
    "not finite": "nan",
    "a list": [1, 2, 3],
    "a tensor": torch.zeros(3),
}
ACTIONS = ["resume", "export", "list"]


@cache
def trained_project() -> Path:
    """A folder holding the iris MLP and one run of it of one epoch (made once, removed at
    exit): the original every case copies and damages."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-runs-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    project = example_copy(folder, "mlp_iris")
    arguments = ["train", str(project.path), "--epochs", "1", "--threads", "1"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(arguments) == 0
    return folder


def run_files(folder: Path) -> list[str]:
    """The run's files, relative to its folder."""
    (run,) = list_runs(folder / "mlp_iris.json")
    return sorted(str(path.relative_to(run.root)) for path in run.root.rglob("*") if path.is_file())


def checkpoint_bytes(value: Any) -> bytes:
    if value == "nan":
        (run,) = list_runs(trained_project() / "mlp_iris.json")
        saved = torch.load(run.checkpoint("last"), weights_only=True)
        model = saved.get("model", saved) if isinstance(saved, dict) else saved
        value = {key: torch.full_like(tensor, float("nan")) for key, tensor in model.items()}
        value = {"model": value} if "model" in saved else value
    stream = io.BytesIO()
    torch.save(value, stream)
    return stream.getvalue()


def pickled_payload() -> bytes:
    """A checkpoint that runs code when unpickled without weights_only: here it only
    builds a set, which weights_only refuses (as it refuses any global it does not know)."""
    stream = io.BytesIO()
    torch.save({"model": {1, 2}}, stream)
    return stream.getvalue()


@st.composite
def run_cases(draw: st.DrawFn) -> tuple[str, str, Any, str]:
    """A file of the run, what is done to it, and the command then given."""
    files = run_files(trained_project())
    name = draw(st.sampled_from(files))
    if name.endswith(".pt"):
        damage = draw(st.sampled_from([*DAMAGES, *CHECKPOINTS, "pickle"]))
    else:
        damage = draw(st.sampled_from(DAMAGES))
    cut = draw(st.floats(0, 1))
    return name, damage, cut, draw(st.sampled_from(ACTIONS))


def damage_file(path: Path, damage: str, cut: float) -> None:
    original = path.read_bytes()
    if damage in ("deleted", "folder", "fifo"):
        path.unlink()
        if damage == "folder":
            path.mkdir()
        elif damage == "fifo":
            os.mkfifo(path)
        return
    replacements = {
        "empty": b"",
        "cut": original[: int(len(original) * cut)],
        "junk": bytes(range(256)) * 3,
        "latin-1": "caf\xe9 \xff".encode("latin-1"),
        "json list": b"[1, 2]\n",
        "json string": b'"config"\n',
        "json number": b"1e999\n",
        "pickle": pickled_payload(),
    }
    if damage in CHECKPOINTS:
        replacements[damage] = checkpoint_bytes(CHECKPOINTS[damage])
    path.write_bytes(replacements[damage])


def fingerprints(folder: Path, leave_out: Path) -> dict[str, str]:
    """Every file under `folder` but those under `leave_out` and the data cache, by hash."""
    found = {}
    for path in folder.rglob("*"):
        inside = leave_out in path.parents or ".data-cache" in path.parts
        if path.is_file() and not path.is_symlink() and not inside:
            found[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def run_check(name: str, damage: str, cut: float, action: str) -> Outcome:
    """Copy the trained project with a second, intact run; damage `name` in the first run
    and give the command. Nothing but the run itself and the export's output may change."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "project"
        shutil.copytree(trained_project(), folder, symlinks=True)
        project = folder / "mlp_iris.json"
        (run,) = list_runs(project)
        shutil.copytree(run.root, run.root.with_name(run.root.name + "-intact"))
        damage_file(run.root / name, damage, cut)
        before = fingerprints(folder, run.root)
        output = folder / "exported.py"
        commands = {
            "resume": ["train", str(project), "--resume", run.id, "--epochs", "2"],
            "export": ["export", str(project), "--weights", run.id, "-o", str(output)],
        }

        def act() -> None:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if action == "list":
                    for listed in list_runs(project):
                        assert listed.title
                        listed.config()
                        listed.records()
                    return
                code = main(commands[action])
            if code not in (0, 1, 2) or "Traceback" in err.getvalue():
                raise AssertionError(f"exit {code}: {err.getvalue()}")
            if code and not err.getvalue().strip():
                raise AssertionError(f"exit {code} and nothing said")
            lines = err.getvalue().strip().splitlines()
            if code and any(len(line) > 1500 for line in lines):
                raise AssertionError(f"a message too long: {lines}")

        outcome = outcome_of(act, (SetupError,))
        after = fingerprints(folder, run.root)
        for written in ("exported.py", "exported.pt", "exported.safetensors"):
            after.pop(written, None)  # the script and the weights written beside it
        if outcome.clean and after != before:
            changed = sorted(set(before.items()) ^ set(after.items()))
            return Outcome("traceback", f"files outside the run changed: {changed}")
        return outcome
