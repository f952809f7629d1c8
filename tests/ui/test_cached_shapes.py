"""A project whose layers were seen before shows every shape as it opens, before torch loads;
one with a layer not seen before waits for torch, as it always did."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from designer.compiler import Analyzer
from designer.compiler.probe import _probe
from designer.compiler.shape_cache import FOLDER_VARIABLE, cache_file, shape_cache_at
from designer.project import load_project

ROOT = Path(__file__).resolve().parents[2]

# A new window, as `netdesigner FILE` makes, opens the file; it says what it shows at once
# and, given "wait", once torch is there and the shapes with it.
WINDOW = """
import json, sys, time
from designer.ui.app import application
from designer.ui.main_window import MainWindow
from designer.ui.torch_loader import torch_loader

app = application()
window = MainWindow()
window.resize(1400, 900)
window.show()
window.open_file(sys.argv[1])


def shown():
    scene, doc = window.tabs.main.scene, window.editor.doc
    shapes = {doc.node(key).name: item.shape_text() for key, item in scene.node_items.items()}
    status = window.statusBar().currentMessage()
    return {"shapes": shapes, "status": status, "torch": "torch" in sys.modules}


print(json.dumps(shown()), flush=True)
if sys.argv[2] == "wait":
    deadline = time.monotonic() + 300
    while not torch_loader().is_ready or "?" in shown()["shapes"].values():
        assert time.monotonic() < deadline, "no shapes after five minutes"
        app.processEvents()
        time.sleep(0.02)
    app.processEvents()
    print(json.dumps(shown()), flush=True)
"""


def open_in_new_window(path: Path, cache: Path, wait: bool) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-c", WINDOW, str(path), "wait" if wait else "now"],
        cwd=ROOT,
        env={**os.environ, FOLDER_VARIABLE: str(cache), "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=400,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def expected_shapes(path: Path) -> dict[str, str]:
    project = load_project(path)
    report = Analyzer(project.graph).report()
    return {node.name: str(report.nodes[node.id].output) for node in project.graph.nodes()}


@pytest.mark.parametrize("name", ["lenet5_digits", "resnet_digits_blocks"])
def test_layers_seen_before_show_their_shapes_at_once_without_torch(
    name, example, tmp_path, monkeypatch
):
    monkeypatch.setenv(FOLDER_VARIABLE, str(tmp_path))
    _probe.cache_clear()  # every layer is probed, and so kept in the cache at tmp_path
    expected = expected_shapes(example(name))
    shape_cache_at(cache_file()).save()

    (opened,) = open_in_new_window(example(name), tmp_path, wait=False)
    assert opened == {"shapes": expected, "status": "", "torch": False}


def test_layers_not_seen_before_wait_for_torch(example, tmp_path):
    path = example("lenet5_digits")
    opened, loaded = open_in_new_window(path, tmp_path, wait=True)
    assert set(opened["shapes"].values()) == {"working out\u2026"}  # not "?" (bug 12)
    assert opened["status"] == "Loading PyTorch to work out shapes\u2026"
    assert loaded["shapes"] == expected_shapes(path)
    assert loaded["status"] == ""
