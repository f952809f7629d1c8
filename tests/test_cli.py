"""The netdesigner command: validate, summary and export, with their exit codes."""

from __future__ import annotations

import json
import runpy

import pytest
import torch

from designer.cli import main
from tests.helpers import PROJECTS


def test_validate_accepts_a_valid_project(capsys):
    assert main(["validate", str(PROJECTS / "lenet5_digits.json")]) == 0
    assert "valid, 14 nodes" in capsys.readouterr().out


def test_validate_reports_errors_with_fixes_and_exits_1(tmp_path, capsys):
    raw = json.loads((PROJECTS / "lenet5_digits.json").read_text())
    nodes = {node["name"]: node["id"] for node in raw["graph"]["nodes"]}
    raw["graph"]["edges"] = [
        edge
        for edge in raw["graph"]["edges"]
        if nodes["flatten"] not in (edge["source"], edge["target"])
    ]
    raw["graph"]["edges"].append({"source": nodes["pool2"], "target": nodes["fc1"]})
    raw["graph"]["nodes"] = [node for node in raw["graph"]["nodes"] if node["name"] != "flatten"]
    path = tmp_path / "no_flatten.json"
    path.write_text(json.dumps(raw))
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error: Dense 'fc1' expects features" in out
    assert "gets 16x5x5" in out
    assert "(fix: Insert Flatten before Dense 'fc1')" in out


def test_broken_file_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "broken.json"
    path.write_text("{")
    assert main(["summary", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"netdesigner: {path}: line 1 column 2: is not valid JSON")
    assert len(err.splitlines()) == 1


def test_summary_lists_layers_and_totals(capsys):
    assert main(["summary", str(PROJECTS / "lenet5_digits.json"), "--batch-size", "64"]) == 0
    out = capsys.readouterr().out
    assert "conv1" in out and "6x28x28" in out
    assert "Parameters: 61,706" in out
    assert "MACs per sample: 416,520" in out
    assert "Activation memory at batch 64" in out


@pytest.mark.parametrize("example", ["mlp_iris", "lenet5_digits", "resnet_digits"])
def test_export_writes_a_module_that_runs(example, tmp_path, capsys):
    output = tmp_path / f"{example}.py"
    assert main(["export", str(PROJECTS / f"{example}.json"), "-o", str(output)]) == 0
    namespace = runpy.run_path(str(output))
    classes = [value for value in namespace.values() if isinstance(value, type)]
    model_class = next(cls for cls in classes if issubclass(cls, torch.nn.Module))
    model = model_class()
    shape = {"mlp_iris": (2, 4), "lenet5_digits": (2, 1, 32, 32), "resnet_digits": (2, 1, 8, 8)}
    assert model(torch.zeros(shape[example])).shape[0] == 2


def test_export_refuses_a_graph_with_errors(tmp_path, capsys):
    raw = json.loads((PROJECTS / "mlp_iris.json").read_text())
    raw["graph"]["edges"].pop()
    path = tmp_path / "open_end.json"
    path.write_text(json.dumps(raw))
    output = tmp_path / "out.py"
    assert main(["export", str(path), "-o", str(output)]) == 1
    assert "not exported" in capsys.readouterr().err
    assert not output.exists()
