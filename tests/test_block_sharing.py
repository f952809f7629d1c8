"""Blocks travel with copied layers into any project, and through the user's block library."""

from __future__ import annotations

import json

import pytest

from designer.compiler import Analyzer
from designer.model import GraphError
from designer.model.block_params import describe_block
from designer.model.grouping import group
from designer.model.journal import recording
from designer.project import load_project
from designer.project.block_sharing import adopt_blocks, fragment_with_blocks, paste_with_blocks
from designer.project.files import project_to_text
from designer.project.user_library import library_blocks, read_block, save_block
from tests.blocks_helpers import output_shapes
from tests.helpers import PROJECTS


def resnet_blocks():
    return load_project(PROJECTS / "resnet_digits_blocks.json")


def copied(project, *names: str) -> dict:
    """The named layers through the clipboard (as JSON text, as the window does)."""
    ids = [project.graph.find(name).id for name in names]
    return json.loads(json.dumps(fragment_with_blocks(project.graph, ids)))


def test_an_instance_pasted_into_another_project_brings_its_block_and_undoes_exactly():
    source, target = resnet_blocks(), load_project(PROJECTS / "lenet5_digits.json")
    data = copied(source, "block2")
    assert [record["name"] for record in data["blocks"]] == ["DownsampleBlock"]
    before = project_to_text(target)
    with recording(target.graph) as journal:
        (added,) = paste_with_blocks(target.graph, data)
    node = target.graph.node(added)
    assert node.params["block"] == "DownsampleBlock" and node.params["channels"] == 32
    pasted, original = target.graph.blocks.get("DownsampleBlock"), source.graph.blocks
    assert pasted.params == original.get("DownsampleBlock").params
    assert pasted.graph is not original.get("DownsampleBlock").graph
    journal.undo(target.graph)
    assert project_to_text(target) == before


def test_pasting_into_the_same_project_adds_no_block():
    project = resnet_blocks()
    added = paste_with_blocks(project.graph, copied(project, "block1", "block2"))
    assert [each.name for each in project.graph.blocks] == ["ResidualBlock", "DownsampleBlock"]
    report = Analyzer(project.graph).report()
    assert [edge.target for edge in project.graph.out_edges(added[0])] == [added[1]]
    assert {error.node_id for error in report.errors} == {added[0]}  # its input is not wired


def test_a_different_block_of_a_taken_name_comes_in_under_a_free_name():
    source, target = resnet_blocks(), resnet_blocks()
    describe_block(target.graph.blocks, "DownsampleBlock", "changed here")
    (added,) = paste_with_blocks(target.graph, copied(source, "block2"))
    assert target.graph.node(added).params["block"] == "DownsampleBlock2"
    assert target.graph.blocks.get("DownsampleBlock").description == "changed here"
    assert target.graph.blocks.get("DownsampleBlock2").description.startswith("A residual")
    assert target.graph.node(added).spec.block == "DownsampleBlock2"


def nested() -> object:
    """resnet_digits_blocks with block1 and block2 grouped into one block, Stage."""
    project = resnet_blocks()
    doc = project.graph
    ids = [doc.find("block1").id, doc.find("block2").id]
    group(doc, ids, "Stage", "two residual blocks", output_shapes(doc), "stage")
    return project


def test_a_block_that_holds_a_renamed_block_is_renamed_too():
    source, target = nested(), nested()
    describe_block(target.graph.blocks, "ResidualBlock", "changed here")
    renames = adopt_blocks(target.graph, copied(source, "stage")["blocks"], "the clipboard")
    assert renames == {"ResidualBlock": "ResidualBlock2", "Stage": "Stage2"}
    inner = target.graph.blocks.get("Stage2").graph
    assert {node.params["block"] for node in inner.nodes() if node.kind == "block"} == {
        "ResidualBlock2",
        "DownsampleBlock",
    }
    assert target.graph.blocks.get("Stage").graph.find("block1").params["block"] == "ResidualBlock"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data.update(blocks="nope"),
        lambda data: data["blocks"][0].update(graph={"nodes": 3}),
        lambda data: data["blocks"][0]["graph"]["nodes"][1].update(kind="warp_drive"),
        lambda data: data["blocks"][0].pop("name"),
    ],
)
def test_damaged_blocks_on_the_clipboard_are_refused_and_nothing_changes(damage):
    project = resnet_blocks()
    data = copied(project, "block2")
    damage(data)
    target = load_project(PROJECTS / "mlp_iris.json")
    before = project_to_text(target)
    damaged = pytest.raises(GraphError, match="the clipboard's blocks are damaged")
    with damaged, recording(target.graph) as journal:
        try:
            paste_with_blocks(target.graph, data)
        finally:
            journal.undo(target.graph)
    assert project_to_text(target) == before


def test_the_user_library_saves_a_block_with_the_blocks_it_uses_and_reads_it_back(tmp_path):
    project = nested()
    path = save_block(tmp_path / "blocks", project.graph.blocks, "Stage")
    assert path.name == "Stage.json"
    name, records, built = read_block(path)
    assert name == "Stage" and {each.name for each in built} == {
        "Stage",
        "ResidualBlock",
        "DownsampleBlock",
    }
    target = load_project(PROJECTS / "lenet5_digits.json")
    adopt_blocks(target.graph, records, str(path))
    assert "Stage" in target.graph.blocks
    save_block(tmp_path / "blocks", project.graph.blocks, "ResidualBlock")
    (tmp_path / "blocks" / "broken.json").write_text("{", encoding="utf-8")
    (tmp_path / "blocks" / "other.json").write_text('{"format": "x"}', encoding="utf-8")
    listed = library_blocks(tmp_path / "blocks")
    assert [(each.name, bool(each.problem)) for each in listed] == [
        ("broken", True),
        ("other", True),
        ("ResidualBlock", False),
        ("Stage", False),
    ]
    assert listed[3].description == "two residual blocks"
    assert "is not a NetDesigner block file" in listed[1].problem
    assert library_blocks(tmp_path / "missing") == []


def test_a_hostile_block_name_makes_a_safe_file_name(tmp_path):
    project = resnet_blocks()
    doc = project.graph
    ids = [doc.find("block1").id]
    group(doc, ids, "../../etc/passwd x", "", output_shapes(doc), "odd")
    path = save_block(tmp_path, doc.blocks, "../../etc/passwd x")
    assert path.parent == tmp_path and path.name == "etc_passwd_x.json"
    assert read_block(path)[0] == "../../etc/passwd x"


def test_pasting_back_into_the_same_project_keeps_to_its_blocks_as_edited_since():
    project = resnet_blocks()
    data = copied(project, "block1")
    describe_block(project.graph.blocks, "ResidualBlock", "edited after the copy")
    (added,) = paste_with_blocks(project.graph, data)
    assert project.graph.node(added).params["block"] == "ResidualBlock"
    assert [each.name for each in project.graph.blocks] == ["ResidualBlock", "DownsampleBlock"]


def test_a_copied_wire_to_a_port_its_block_lost_is_pasted_as_it_was():
    project = resnet_blocks()
    doc = project.graph
    inner = doc.blocks.get("ResidualBlock").graph
    inner.rename(inner.find("x").id, "y")
    added = paste_with_blocks(doc, copied(project, "stem_relu", "block1"))
    instance = next(node_id for node_id in added if doc.node(node_id).kind == "block")
    assert doc.stale_ports(instance) == (["x"], [])


def test_a_change_is_journaled_even_when_a_listener_fails():
    project = resnet_blocks()
    doc = project.graph
    before = project_to_text(project)

    def failing(node) -> None:
        raise RuntimeError("a view that broke")

    doc.events.node_removed.connect(failing)
    with recording(doc) as journal, pytest.raises(Exception, match="a view that broke"):
        doc.remove_node(doc.find("block2").id)
    doc.events.node_removed.disconnect(failing)
    journal.undo(doc)
    assert project_to_text(project) == before
