"""Blocks in generated code and in project files: one class per block, clean, built, saved."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from designer.compiler import Analyzer, compile_graph
from designer.model import GraphDocument
from designer.model.grouping import group
from designer.model.library import BlockParam
from designer.project import FORMAT_VERSION, Project, ProjectError, load_project
from designer.project.files import project_from_text, project_to_text
from designer.project.migrations import migrate
from tests.blocks_helpers import grouped_resnet, output_shapes
from tests.helpers import PROJECTS

RUFF = Path(sys.executable).with_name("ruff")


def ruff_clean(source: str, tmp_path: Path) -> None:
    path = tmp_path / "generated.py"
    path.write_text(source, encoding="utf-8")
    for command in (["check", "--select", "E,F,W,I,B,UP,SIM,RUF"], ["format", "--check"]):
        result = subprocess.run(
            [str(RUFF), *command, "--isolated", "--no-cache", str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def built(doc: GraphDocument, tmp_path: Path):
    """The module built from the generated source, which must be ruff-clean; its parameter
    count must be what analysis says."""
    report = Analyzer(doc).report()
    assert report.ok, report.errors
    module, code = compile_graph(doc, "Net", report)
    ruff_clean(code.source, tmp_path)
    assert sum(p.numel() for p in module.parameters()) == report.total_params
    return module, code


def dense_chain(widths: list[int]) -> GraphDocument:
    """Input -> Dense(widths[0]) -> ... -> Output."""
    doc = GraphDocument()
    last = doc.add_node("input", "x", {"shape": [5]})
    for number, width in enumerate(widths, start=1):
        node = doc.add_node("dense", f"fc{number}", {"units": width})
        doc.connect(last.id, "out", node.id, "in")
        last = node
    doc.connect(last.id, "out", doc.add_node("output", "y").id, "in")
    return doc


def test_a_block_is_a_class_with_its_params_as_arguments_and_repeat_a_sequential(tmp_path):
    doc = grouped_resnet()
    doc.set_param(doc.find("res1").id, "repeat", 3)
    module, code = built(doc, tmp_path)
    assert "class ResidualBlock(nn.Module):\n    def __init__(self, channels: int = 16)" in (
        code.source
    )
    assert "channels, channels, kernel_size=3, padding=1, bias=False" in code.source
    assert "self.res1 = nn.Sequential(*(ResidualBlock(channels=16) for _ in range(3)))" in (
        code.source
    )
    assert code.source.index("class ResidualBlock") < code.source.index("class Net")
    assert len(module.res1) == 3 and "res1.2.block1_conv2.weight" in module.state_dict()


def test_sizes_that_differ_between_instances_become_arguments_of_the_class(tmp_path):
    doc = dense_chain([8, 8, 3])
    block = group(doc, [doc.find("fc1").id], "Layer", "", output_shapes(doc), "first")
    inner = doc.blocks.get("Layer").graph
    doc.blocks.set_params("Layer", (BlockParam("units", ((inner.find("fc1").id, "units"),), 8),))
    second = group(doc, [doc.find("fc2").id], "Other", "", output_shapes(doc))
    doc.remove_node(second.id)
    doc.blocks.remove("Other")
    again = doc.add_node("block", "second", {"block": "Layer", "units": 6})
    doc.connect(block.id, "out", again.id, "x")
    doc.connect(again.id, "out", doc.find("fc3").id, "in")
    _, code = built(doc, tmp_path)
    assert "def __init__(self, fc1_in_features: int, units: int = 8) -> None:" in code.source
    assert "self.fc1 = nn.Linear(fc1_in_features, units)" in code.source
    assert "self.first = Layer(fc1_in_features=5, units=8)" in code.source
    assert "self.second = Layer(fc1_in_features=8, units=6)" in code.source


def test_instances_whose_forward_code_differs_get_classes_of_their_own(tmp_path):
    doc = GraphDocument()
    x = doc.add_node("input", "x", {"shape": [4, 6]})
    pool = doc.add_node("reduce", "pool", {"op": "mean", "dim": 0})
    doc.connect(x.id, "out", pool.id, "in")
    doc.connect(pool.id, "out", doc.add_node("output", "y").id, "in")
    first = group(doc, [pool.id], "Pool", "", output_shapes(doc), "mean")
    inner = doc.blocks.get("Pool").graph
    doc.blocks.set_params("Pool", (BlockParam("op", ((inner.find("pool").id, "op"),), "mean"),))
    other = doc.add_node("block", "sum", {"block": "Pool", "op": "sum"})
    doc.connect(x.id, "out", other.id, "x")
    add = doc.add_node("add", "both")
    for edge in doc.out_edges(first.id):
        doc.disconnect(edge.id)
    doc.connect(first.id, "out", add.id, "in")
    doc.connect(other.id, "out", add.id, "in")
    doc.connect(add.id, "out", doc.find("y").id, "in")
    module, code = built(doc, tmp_path)
    assert "class Pool(nn.Module)" in code.source and "class Pool2(nn.Module)" in code.source
    assert "self.mean = Pool(op=" in code.source and "self.sum_ = Pool2(op=" in code.source
    import torch

    sample = torch.arange(24.0).reshape(1, 4, 6)
    assert torch.equal(module(sample), sample.mean(dim=1) + sample.sum(dim=1))


def test_a_project_with_blocks_saves_each_definition_once_and_loads_back(tmp_path):
    doc = grouped_resnet()
    doc.add_node("block", "spare", {"block": "ResidualBlock", "channels": 24})
    text = project_to_text(Project(graph=doc))
    raw = json.loads(text)
    assert raw["format_version"] == 2  # the oldest format that holds blocks
    assert [block["name"] for block in raw["blocks"]] == ["ResidualBlock"]
    assert raw["blocks"][0]["params"] == [
        {"name": "channels", "targets": [["n5", "filters"], ["n8", "filters"]], "default": 16}
    ]
    spare = next(node for node in raw["graph"]["nodes"] if node["name"] == "spare")
    assert spare["params"] == {"block": "ResidualBlock", "channels": 24, "repeat": 1}
    again = project_from_text(text)
    assert project_to_text(again) == text


def test_an_older_file_is_migrated_and_a_project_without_blocks_keeps_the_old_format():
    text = (PROJECTS / "mlp_iris.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    assert raw["format_version"] == 1 and "blocks" not in raw
    migrated = migrate(raw)
    assert migrated["format_version"] == FORMAT_VERSION and migrated["blocks"] == []
    assert "blocks" not in raw
    assert project_to_text(load_project(PROJECTS / "mlp_iris.json")) == text
    assert project_to_text(project_from_text(json.dumps({**raw, "format_version": 2}))) == text


@pytest.mark.parametrize(
    ("change", "message", "place"),
    [
        (lambda raw: raw["blocks"].append(raw["blocks"][0]), "two blocks named", "blocks[1]"),
        (
            lambda raw: raw["blocks"].clear(),
            "no block named 'ResidualBlock'",
            "graph.nodes[4].params",
        ),
        (
            lambda raw: raw["blocks"][0]["params"][0].update(targets=[["n99", "filters"]]),
            "which the block does not have",
            "blocks[0].params[0].targets",
        ),
        (
            lambda raw: raw["blocks"][0]["params"][0].update(default=0),
            "below the minimum",
            "blocks[0].params[0].default",
        ),
        (
            lambda raw: raw["blocks"][0]["params"][0].update(name="repeat"),
            "cannot have a param 'repeat'",
            "blocks[0]",
        ),
        (
            lambda raw: raw["blocks"][0]["params"][0].update(targets=[["n5"]]),
            "too short",
            "blocks[0].params[0].targets[0]",
        ),
        (
            lambda raw: raw["blocks"][0]["graph"]["nodes"].append(
                {"id": "loop", "kind": "block", "params": {"block": "ResidualBlock"}}
            ),
            "uses a block that is missing or that uses it in turn",
            "blocks[0].graph",
        ),
    ],
)
def test_broken_block_sections_are_refused_with_the_place(change, message, place):
    raw = json.loads(project_to_text(Project(graph=grouped_resnet())))
    change(raw)
    with pytest.raises(ProjectError, match=message) as caught:
        project_from_text(json.dumps(raw))
    assert caught.value.place == place


def test_hostile_block_and_param_names_become_safe_identifiers(tmp_path):
    doc = dense_chain([8, 3])
    hostile = 'x"); import os #'
    group(doc, [doc.find("fc1").id], hostile, "", output_shapes(doc), "self")
    fc1 = doc.blocks.get(hostile).graph.find("fc1").id
    params = (BlockParam("class", ((fc1, "units"),), 8), BlockParam("Net", ((fc1, "bias"),), True))
    doc.blocks.set_params(hostile, params)
    group(doc, [doc.find("fc2").id], "Net", "", output_shapes(doc))
    _, code = built(doc, tmp_path)
    assert "class XImportOs(nn.Module):" in code.source and "class Net2(nn.Module):" in code.source
    assert "def __init__(self, class_: int = 8, net: bool = True) -> None:" in code.source
    assert "self.self_ = XImportOs(class_=8, net=True)" in code.source
    assert "import os" not in code.source
