"""Ctrl+C (SIGINT) while the command loads its modules, or during lr-find's sweep: the line
"netdesigner: interrupted" and exit 130, never a KeyboardInterrupt traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from designer.compiler.shape_cache import FOLDER_VARIABLE
from tests.helpers import PROJECTS

ROOT = Path(__file__).resolve().parents[1]
INTERRUPTED = 130


def started(*args: str, **env: str) -> subprocess.Popen:
    """The command from this checkout, with Ctrl+C's default handling even where the test run
    itself ignores SIGINT (a shell's background job)."""
    return subprocess.Popen(
        [sys.executable, "-m", "designer.ui.launch", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def interrupted(process: subprocess.Popen) -> tuple[int, str, str]:
    assert process.poll() is None, "the command ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_ctrl_c_while_the_command_loads_its_modules(tmp_path):
    # An empty shape cache: validate imports torch, which takes seconds, to work out shapes.
    process = started(
        "validate", str(PROJECTS / "mlp_iris.json"), **{FOLDER_VARIABLE: str(tmp_path)}
    )
    time.sleep(0.3)  # Python runs and imports
    code, out, err = interrupted(process)
    assert (code, out, err) == (INTERRUPTED, "", "netdesigner: interrupted\n")


@pytest.mark.timeout(120)  # a sweep that never starts fails here; the command is then killed
def test_ctrl_c_during_the_learning_rate_sweep():
    process = started(
        "lr-find", str(PROJECTS / "mlp_iris.json"), "--steps", "100000000", "--end", "1e-5"
    )
    try:
        first = process.stdout.readline()  # said once the sweep starts
    except BaseException:
        process.kill()
        raise
    assert first.startswith("sweeping the learning rate from 1.00e-06 to 1.00e-05")
    time.sleep(0.5)
    code, out, err = interrupted(process)
    assert "Traceback" not in err
    assert (code, out, err) == (INTERRUPTED, "", "netdesigner: interrupted\n")
