"""The exported script writes its checkpoints with the same writer: an output folder that is a
device, or a FIFO where a checkpoint goes, ends the script in one line before its first epoch,
and the special file stays as it was. Run with a timeout: a regression fails, not hangs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.output_target_helpers import make_special
from tests.script_helpers import write_script
from tests.train_helpers import example_copy


@pytest.mark.parametrize("where", ["folder", "checkpoint"])
def test_the_script_refuses_a_special_output_in_one_line(tmp_path, where):
    script = write_script(example_copy(tmp_path, "mlp_iris"), tmp_path)
    if where == "folder":
        target = output = make_special(tmp_path / "out", "device")
        words = "is a character device, not a folder: nothing was written"
    else:
        output = tmp_path / "out"
        output.mkdir()
        target = make_special(output / "last.pt", "fifo")
        words = "is a FIFO (named pipe), not a file: nothing was written"
    result = subprocess.run(
        [sys.executable, script.name, "--epochs", "1", "--output", str(output)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr == f"MLP on iris: {target} {words}\n"
    assert "epoch 1/1" not in result.stdout
    kind = stat.S_ISCHR if where == "folder" else stat.S_ISFIFO
    assert kind(os.lstat(target).st_mode)
    assert sorted(path.name for path in tmp_path.rglob("*")) == sorted(
        ["mlp_iris.json", "model.py", "out", *(["last.pt"] if where == "checkpoint" else [])]
    )  # no checkpoint, metrics or temporary file
