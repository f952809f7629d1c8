"""`netdesigner` with a word that is no command, a file that is not there, or no display: a
one-line message and exit 2, never a window (which hangs offscreen and aborts with no display)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from designer.cli import COMMANDS
from tests.helpers import PROJECTS

ROOT = Path(__file__).resolve().parents[1]
VERBS = ", ".join(COMMANDS)
NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def netdesigner(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run the netdesigner command from this checkout; a window that opens hangs offscreen,
    so it fails by the timeout instead of holding the test run."""
    environment = {key: value for key, value in os.environ.items() if key not in NO_DISPLAY}
    return subprocess.run(
        [sys.executable, "-m", "designer.ui.launch", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("sumary", str(PROJECTS / "mlp_iris.json")),
            "netdesigner: unknown command 'sumary', did you mean 'summary'?",
        ),
        (("frobnicate", "x.json"), "netdesigner: unknown command 'frobnicate'"),
        (("valdate",), "netdesigner: unknown command 'valdate', did you mean 'validate'?"),
    ],
)
def test_an_unknown_command_names_the_verbs_and_exits_2(args, message):
    result = netdesigner(*args, QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 2, result.stderr
    first, verbs = result.stderr.strip().splitlines()
    assert first == message
    assert verbs == f"commands: {VERBS}; or give a project file to open it in the window"
    assert result.stdout == ""


def test_a_project_file_that_is_not_there_is_an_error_not_a_window(tmp_path):
    missing = tmp_path / "lenet.json"
    result = netdesigner(str(missing), QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"netdesigner: {missing}: no such file"


def test_a_folder_is_not_a_project_file(tmp_path):
    result = netdesigner(str(tmp_path), QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == f"netdesigner: {tmp_path}: not a project file (a folder)"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 and Wayland are Linux's")
@pytest.mark.parametrize("args", [(), (str(PROJECTS / "mlp_iris.json"),)])
def test_no_display_is_said_in_one_line(args):
    result = netdesigner(*args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        "netdesigner: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are "
        "not set); run it in a desktop session, or use a command: " + VERBS
    )


def test_the_window_takes_one_file():
    project = str(PROJECTS / "mlp_iris.json")
    result = netdesigner(project, project, QT_QPA_PLATFORM="offscreen")
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip() == (
        f"netdesigner: the window opens one project file; for more, use a command: {VERBS}"
    )
