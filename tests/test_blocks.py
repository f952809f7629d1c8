"""Blocks in the model and in analysis: group, ungroup, repeat, edit a definition, undo exactly."""

from __future__ import annotations

import pytest

from designer.compiler import Analyzer
from designer.model import GraphDocument, GraphError
from designer.model.block_transfer import copy_blocks
from designer.model.grouping import group, ungroup
from designer.model.journal import recording
from designer.model.library import BlockDefinition, BlockParam
from designer.project import Project, load_project, save_project
from designer.project.files import project_to_text
from tests.blocks_helpers import BLOCK1, flat_resnet, flattened, grouped_resnet, output_shapes
from tests.helpers import PROJECTS


def state(doc: GraphDocument) -> str:
    """Everything a file keeps of a document, its block library included."""
    return project_to_text(Project(graph=doc))


def test_grouping_puts_one_instance_in_place_of_the_selection_wired_as_before():
    flat = flat_resnet()
    doc = grouped_resnet()
    instance = doc.find("res1")
    assert [node.name for node in doc.nodes()][:6] == [
        "image", "stem_conv", "stem_bn", "stem_relu", "res1", "block2_conv1",
    ]  # fmt: skip
    assert [doc.node(edge.source).name for edge in doc.in_edges(instance.id)] == ["stem_relu"]
    assert {doc.node(edge.target).name for edge in doc.out_edges(instance.id)} == {
        "block2_conv1",
        "block2_shortcut",
    }
    definition = doc.blocks.get("ResidualBlock")
    assert [port.name for port in definition.ports("input")] == ["x"]
    assert instance.spec.inputs[0].name == "x" and instance.spec.outputs[0].name == "out"
    assert instance.params == {"block": "ResidualBlock", "repeat": 1}
    before, after = Analyzer(flat).report(), Analyzer(doc).report()
    assert after.ok and after.total_params == before.total_params == 19_706
    assert after.total_macs == before.total_macs
    assert after.activation_bytes(32) == before.activation_bytes(32)
    assert after.nodes[instance.id].output == before.nodes[flat.find("block1_out").id].output


def test_group_ungroup_and_block_params_undo_and_redo_exactly():
    doc = flat_resnet()
    shapes = output_shapes(doc)
    steps = []
    start = state(doc)
    with recording(doc) as journal:
        group(doc, [doc.find(f"block1_{part}").id for part in BLOCK1], "Res", "", shapes, "r")
    steps.append((journal, start, state(doc)))
    inner = doc.blocks.get("Res").graph
    with recording(doc) as journal:
        target = (inner.find("block1_conv1").id, "filters")
        doc.blocks.set_params("Res", (BlockParam("width", (target,), 16),))
        doc.set_param(doc.find("r").id, "repeat", 2)
    steps.append((journal, steps[-1][2], state(doc)))
    with recording(doc) as journal:
        ungroup(doc, doc.find("r").id)
    steps.append((journal, steps[-1][2], state(doc)))
    assert len(doc.blocks) == 1 and doc.find("r_2_block1_conv2")
    for journal, before, _ in reversed(steps):
        journal.undo(doc)
        assert state(doc) == before
    for journal, _, after in steps:
        journal.redo(doc)
        assert state(doc) == after


def test_ungrouping_an_instance_gives_back_the_flat_network():
    doc = grouped_resnet()
    doc.set_param(doc.find("res1").id, "channels", 16)
    added = ungroup(doc, doc.find("res1").id)
    assert len(added) == len(BLOCK1)
    report = Analyzer(doc).report()
    assert report.ok and report.total_params == 19_706
    flat = Analyzer(flat_resnet()).report()
    assert report.total_macs == flat.total_macs


def test_repeat_chains_copies_and_needs_a_block_that_keeps_its_shape():
    doc = grouped_resnet()
    analyzer = Analyzer(doc)
    one = analyzer.report().nodes[doc.find("res1").id].params
    doc.set_param(doc.find("res1").id, "repeat", 3)
    report = analyzer.report()
    assert report.ok and report.nodes[doc.find("res1").id].params == 3 * one
    flat = Analyzer(flattened(doc)).report()
    assert report.activation_bytes(8) == flat.activation_bytes(8)
    down = group(doc, [doc.find("block2_conv1").id, doc.find("block2_bn1").id], "Down", "", {})
    doc.set_param(down.id, "repeat", 2)
    messages = [d.message for d in analyzer.report().errors]
    assert messages == [
        "block 'down' (Down) is repeated 2 times, so it must give out what it takes in, but it "
        "turns 16x8x8 into 32x4x4; set repeat to 1"
    ]


def test_diagnostics_inside_an_instance_name_the_instance_and_the_inner_node():
    doc = grouped_resnet()
    instance = doc.find("res1")
    doc.set_param(instance.id, "channels", 8)
    errors = Analyzer(doc).report().errors
    assert errors and all(error.node_id == instance.id for error in errors)
    assert errors[0].message.startswith("block 'res1' (ResidualBlock) > Add 'block1_add'")
    doc.set_param(instance.id, "channels", 0)
    assert [error.message for error in Analyzer(doc).report().errors] == [
        "ResidualBlock 'res1': param 'channels': 0 is below the minimum 1"
    ]


def test_editing_a_definition_updates_every_instance_and_undoes():
    doc = grouped_resnet()
    definition = doc.blocks.get("ResidualBlock")
    second = doc.add_node("block", "res2", {"block": "ResidualBlock"})
    out = doc.find("block2_conv1")
    edge = next(edge for edge in doc.in_edges(out.id))
    doc.disconnect(edge.id)
    doc.connect(doc.find("res1").id, "out", second.id, "x")
    doc.connect(second.id, "out", out.id, "in")
    analyzer = Analyzer(doc)
    before = analyzer.report()
    assert before.ok, before.errors
    conv = definition.graph.find("block1_conv1")
    with recording(definition.graph) as journal:
        definition.graph.set_param(conv.id, "bias", True)
    after = analyzer.report()
    assert after.total_params == before.total_params + 2 * 16
    assert after.nodes[second.id].params == before.nodes[second.id].params + 16
    journal.undo(definition.graph)
    assert analyzer.report().total_params == before.total_params
    definition.graph.set_param(conv.id, "kernel_size", 2)
    assert "block 'res1' (ResidualBlock) > Add" in analyzer.report().errors[0].message


def test_blocks_inside_blocks_but_never_inside_themselves():
    doc = grouped_resnet()
    outer = group(doc, [doc.find("res1").id], "Twice", "", output_shapes(doc), "twice")
    report = Analyzer(doc).report()
    assert report.ok and report.total_params == 19_706
    inner = doc.blocks.get("Twice").graph
    with pytest.raises(GraphError, match="cannot hold 'Twice'"):
        inner.add_node("block", "self", {"block": "Twice"})
    with pytest.raises(GraphError, match="cannot hold 'Twice'"):
        doc.blocks.get("ResidualBlock").graph.add_node("block", "up", {"block": "Twice"})
    assert outer.spec.name == "Twice"
    holder = GraphDocument(doc.blocks)
    holder.add_node("block", "twice", {"block": "Twice"})
    with pytest.raises(ValueError, match="would hold itself"):
        doc.blocks.replace(BlockDefinition("ResidualBlock", holder))


def test_a_definition_that_lost_a_layer_or_its_output_is_diagnosed():
    doc = grouped_resnet()
    instance = doc.find("res1")
    inner = doc.blocks.get("ResidualBlock").graph
    conv = inner.find("block1_conv2")
    inner.remove_node(conv.id)
    (channels,) = doc.blocks.get("ResidualBlock").params  # it no longer sets the layer gone
    assert channels.targets == ((inner.find("block1_conv1").id, "filters"),)
    messages = [error.message for error in Analyzer(doc).report().errors]
    assert messages == [
        "block 'res1' (ResidualBlock) > BatchNorm2d 'block1_bn2' has nothing wired into its input"
    ]
    inner.insert_node(conv)
    inner.remove_node(inner.find("out").id)
    errors = Analyzer(doc).report().errors
    assert {error.node_id for error in errors} == {instance.id}
    assert "a wire out of 'out', a port its block no longer has" in errors[0].message


def test_selections_that_cannot_be_a_block_are_refused():
    doc = flat_resnet()
    with pytest.raises(GraphError, match="exactly one layer's output"):
        group(doc, [doc.find("block1_conv1").id, doc.find("block1_relu1").id], "B", "", {})
    with pytest.raises(GraphError, match="Input and Output"):
        group(doc, [doc.find("image").id], "B", "", {})
    grouped = grouped_resnet()
    with pytest.raises(GraphError, match="already a block"):
        group(grouped, [grouped.find("flatten").id], "ResidualBlock", "", {})
    with pytest.raises(GraphError, match="cannot change"):
        grouped.set_param(grouped.find("res1").id, "block", "Other")
    with pytest.raises(GraphError, match="no block named"):
        grouped.add_node("block", "b", {"block": "Missing"})


def test_ungrouping_every_instance_of_the_example_gives_the_flat_example():
    blocks = load_project(PROJECTS / "resnet_digits_blocks.json").graph
    flat, again = Analyzer(flat_resnet()).report(), Analyzer(flattened(blocks)).report()
    assert again.ok and again.total_params == flat.total_params
    assert again.total_macs == flat.total_macs and len(again.order) == len(flat.order)


def test_blocks_come_from_a_shared_library_file_into_another_project(tmp_path):
    source = grouped_resnet()
    group(source, [source.find("res1").id], "Twice", "", output_shapes(source), "twice")
    shared = Project(name="My blocks")
    assert copy_blocks(source.blocks, shared.graph, ["Twice"]) == ["ResidualBlock", "Twice"]
    library = load_project(save_project(shared, tmp_path / "blocks.json")).graph.blocks
    doc = flat_resnet()
    start = state(doc)
    with recording(doc) as journal:
        assert copy_blocks(library, doc, ["ResidualBlock"]) == ["ResidualBlock"]
        doc.add_node("block", "spare", {"block": "ResidualBlock", "channels": 8})
    assert copy_blocks(library, doc, ["Twice"]) == ["Twice"]
    journal.undo(doc)
    doc.blocks.remove("Twice")
    assert state(doc) == start
    journal.redo(doc)
    doc.blocks.set_params("ResidualBlock", ())
    with pytest.raises(GraphError, match="already has a different block named 'ResidualBlock'"):
        copy_blocks(library, doc, ["Twice"])
