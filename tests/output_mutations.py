"""Output targets made by hypothesis for every option that writes a file (devices, FIFOs,
folders, links, the project, a run's files, missing folders), and the check that each is
refused with one clear message or written as a regular file, with nothing else lost."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import stat
import tempfile
from pathlib import Path

from hypothesis import strategies as st

from designer.cli import main
from designer.training import list_runs
from tests.fuzz_guard import Outcome, outcome_of
from tests.run_mutations import trained_project

TARGETS = [
    "device",
    "fifo",
    "folder",
    "link to device",
    "link to folder",
    "project",
    "best.pt",
    "config.json",
    "existing file",
    "missing folder",
    "parent is a file",
    "new file",
]
OPTIONS = [
    "export -o",
    "export --onnx",
    "export --torchscript",
    "import -o",
    "train --metrics-json",
]
# Files the project's folder holds that no option may replace without --force.
PROTECTED = ("project", "best.pt", "config.json")
MODULE = "import torch\n\n\ndef net():\n    return torch.nn.Sequential(torch.nn.Linear(4, 3))\n"


@st.composite
def output_cases(draw: st.DrawFn) -> tuple[str, str, bool]:
    option = draw(st.sampled_from(OPTIONS))
    forced = option.startswith("import") and draw(st.booleans())
    return option, draw(st.sampled_from(TARGETS)), forced


def make_target(kind: str, folder: Path, project: Path) -> Path:
    """The path `kind` names, made in `folder` (devices as /dev/null's numbers, private)."""
    (run,) = list_runs(project)
    places = {"project": project, "best.pt": run.checkpoint("best"), "config.json": run.config_path}
    if kind in places:
        return places[kind]
    target = folder / "out" / "target"
    target.parent.mkdir()
    if kind in ("device", "link to device"):
        device = folder / "out" / "null"
        os.mknod(device, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
        if kind == "device":
            return device
        target.symlink_to(device)
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind in ("folder", "link to folder"):
        (folder / "out" / "kept").mkdir()
        (folder / "out" / "kept" / "file.txt").write_text("kept\n")
        if kind == "folder":
            return folder / "out" / "kept"
        target.symlink_to(folder / "out" / "kept")
    elif kind == "existing file":
        target.write_text("an earlier export\n")
    elif kind == "missing folder":
        return folder / "out" / "missing" / "target"
    elif kind == "parent is a file":
        target.write_text("a file\n")
        return target / "inside"
    return target


def state(folder: Path) -> dict[str, str]:
    """Each entry under `folder` (not followed through links) by what it is and holds."""
    found = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISREG(mode):
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISCHR(mode):
            found[str(path)] = f"device {path.lstat().st_rdev}"
        else:
            found[str(path)] = stat.filemode(mode)
    return found


def output_check(option: str, kind: str, forced: bool) -> Outcome:
    """Give the option a target of `kind`: a special file stays as it was and a protected
    one is refused (unless forced); a write leaves a regular file and no temporary one."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "project"
        shutil.copytree(trained_project(), folder, symlinks=True)
        project = folder / "mlp_iris.json"
        (folder / "net.py").write_text(MODULE)
        target = make_target(kind, folder, project)
        verb, flag = option.split()
        arguments = {
            "export": ["export", str(project), "-o", str(folder / "script.py")],
            "import": ["import", f"{folder / 'net.py'}:net", "--input-shape", "4"],
            "train": ["train", str(project), "--epochs", "1", "--threads", "1"],
        }[verb]
        if verb == "export" and flag == "-o":
            arguments = arguments[:-2]
        arguments += [flag, str(target)] + (["--force"] if forced else [])
        before = state(folder)
        said = io.StringIO()

        def act() -> None:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(said):
                code = main(arguments)
            if code not in (0, 2) or "Traceback" in said.getvalue():
                raise AssertionError(f"exit {code}: {said.getvalue()}")
            if code == 2 and not said.getvalue().strip():
                raise AssertionError("exit 2 and nothing said")
            if code == 0 and kind in PROTECTED and not forced:
                raise AssertionError(f"{kind} was written over without --force")

        outcome = outcome_of(act, ())
        if not outcome.clean:
            return outcome
        after = state(folder)
        leftovers = [name for name in after if name.endswith(".tmp")]
        must_stay = {
            name: what
            for name, what in before.items()
            if (len(what) != 64 and not what.startswith("l"))  # devices, FIFOs, folders
            or name.endswith("file.txt")
            or (name == str(target) and kind in PROTECTED and not forced)
        }
        if leftovers or any(after.get(name) != what for name, what in must_stay.items()):
            return Outcome("traceback", f"{kind}: left {leftovers}; {before} -> {after}")
        return outcome
