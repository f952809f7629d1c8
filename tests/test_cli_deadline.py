"""Each command's checking has an overall deadline (NETDESIGNER_DEADLINE seconds): past it, one
line saying what it was doing and exit 2, also when a user module's code never returns."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import PROJECTS

ROOT = Path(__file__).resolve().parents[1]


def netdesigner(*args: str, deadline: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "designer.ui.launch", *args],
        cwd=ROOT,
        env={**os.environ, "NETDESIGNER_DEADLINE": deadline},
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )


def long_chain(path: Path, layers: int) -> Path:
    """A valid project of an input, `layers` ReLUs one after another and an output."""
    nodes = [{"id": "x", "kind": "input", "params": {"shape": [4]}}]
    nodes += [{"id": f"r{index}", "kind": "relu"} for index in range(layers)]
    nodes.append({"id": "y", "kind": "output"})
    edges = [
        {"source": start["id"], "target": end["id"]} for start, end in itertools.pairwise(nodes)
    ]
    graph = {"nodes": nodes, "edges": edges}
    path.write_text(json.dumps({"format_version": 3, "graph": graph}))
    return path


def test_validate_gives_up_at_the_deadline_with_what_it_was_doing(tmp_path):
    project = long_chain(tmp_path / "long.json", 20_000)  # seconds to load and analyze
    result = netdesigner("validate", str(project), deadline="0.5")
    assert result.returncode == 2
    assert result.stderr == (
        f"netdesigner: validate gave up after 0.5 s working out the shapes of {project}: "
        "input this large or this tangled is past what it checks in time (set "
        "NETDESIGNER_DEADLINE to more seconds, 0 for no limit, to let it go on)\n"
    )
    assert netdesigner("validate", str(project), deadline="0").returncode == 0


def test_an_import_whose_constructor_never_returns_ends_at_the_deadline(tmp_path):
    module = tmp_path / "stuck.py"
    module.write_text(
        "import time\nfrom torch import nn\n\n\nclass Net(nn.Module):\n"
        "    def __init__(self):\n        time.sleep(10_000)\n"
    )
    output = tmp_path / "out.json"
    result = netdesigner(
        "import", f"{module}:Net", "--input-shape", "4", "-o", str(output), deadline="3"
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"netdesigner: import gave up after 3 s importing {module}:Net")
    assert not output.exists()


def test_no_deadline_and_a_bad_setting():
    project = PROJECTS / "mlp_iris.json"
    assert netdesigner("validate", str(project), deadline="0").returncode == 0
    result = netdesigner("validate", str(project), deadline="soon")
    assert result.returncode == 0
    assert result.stderr == (
        "netdesigner: NETDESIGNER_DEADLINE='soon' is not a number of seconds; using 120\n"
    )
