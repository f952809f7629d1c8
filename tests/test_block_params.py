"""Exposing inner params of a block, removing them and describing the block: checks, code."""

from __future__ import annotations

import pytest

from designer.compiler import Analyzer, compile_graph, generate
from designer.model import GraphError
from designer.model.block_params import describe_block, expose_param, remove_param
from designer.model.grouping import group, ungroup
from designer.model.journal import recording
from designer.model.library import BlockParam
from designer.project import load_project
from designer.project.files import project_from_text, project_to_text
from tests.helpers import PROJECTS


def resnet_blocks():
    project = load_project(PROJECTS / "resnet_digits_blocks.json")
    inner = project.graph.blocks.get("DownsampleBlock").graph
    return project, inner


def momentum_targets(inner) -> list[tuple[str, str]]:
    return [(inner.find(name).id, "momentum") for name in ("bn1", "bn2")]


def test_an_exposed_param_reaches_the_code_and_each_instance_sets_its_own():
    project, inner = resnet_blocks()
    doc = project.graph
    expose_param(doc.blocks, "DownsampleBlock", "bn_momentum", momentum_targets(inner), 0.2)
    doc.set_param(doc.find("block2").id, "bn_momentum", 0.3)
    report = Analyzer(doc).report()
    assert report.ok, report.errors
    code = generate(doc, report, project.name)
    assert "bn_momentum" in code.source
    model, _ = compile_graph(doc, project.name, report)
    momenta = {
        round(module.momentum, 6)
        for module in model.modules()
        if type(module).__name__ == "BatchNorm2d" and module.num_features == 32
    }
    assert 0.3 in momenta
    again = project_from_text(project_to_text(project), "again")
    assert again.graph.blocks.get("DownsampleBlock").params[-1].default == 0.2
    assert again.graph.find("block2").params["bn_momentum"] == 0.3


@pytest.mark.parametrize(
    ("name", "targets", "default", "message"),
    [
        ("class", None, 0.1, "cannot name a block param"),
        ("repeat", None, 0.1, "cannot name a block param"),
        ("channels", None, 0.1, "already has a param named 'channels'"),
        ("m", [], 0.1, "choose at least one layer"),
        ("m", [("nope", "momentum")], 0.1, "has no layer 'nope'"),
        ("m", None, 7.0, "the default of 'm'"),
        ("m", "mixed", 0.1, "params of the same kind"),
        ("m", "taken", 32, "is set by the block param 'channels'"),
    ],
)
def test_a_param_that_cannot_be_exposed_is_refused_with_the_reason(name, targets, default, message):
    project, inner = resnet_blocks()
    blocks = project.graph.blocks
    if targets is None:
        targets = momentum_targets(inner)
    elif targets == "mixed":
        targets = [(inner.find("bn1").id, "momentum"), (inner.find("conv1").id, "bias")]
    elif targets == "taken":
        targets = [(inner.find("conv1").id, "filters")]
    before = blocks.get("DownsampleBlock")
    with pytest.raises(GraphError, match=message):
        expose_param(blocks, "DownsampleBlock", name, targets, default)
    assert blocks.get("DownsampleBlock") is before


def test_removing_and_describing_are_journaled_and_undo_exactly():
    project, _ = resnet_blocks()
    doc = project.graph
    before = project_to_text(project)
    with recording(doc) as journal:
        remove_param(doc.blocks, "DownsampleBlock", "stride")
        describe_block(doc.blocks, "DownsampleBlock", "Halves the size")
    assert [param.name for param in doc.blocks.get("DownsampleBlock").params] == ["channels"]
    assert doc.blocks.get("DownsampleBlock").description == "Halves the size"
    assert Analyzer(doc).report().ok
    journal.undo(doc)
    assert project_to_text(project) == before
    with pytest.raises(GraphError, match="has no param named 'stride2'"):
        remove_param(doc.blocks, "DownsampleBlock", "stride2")


def test_deleting_a_layer_inside_a_block_stops_its_params_setting_it():
    project, inner = resnet_blocks()
    blocks = project.graph.blocks
    with recording(inner):
        inner.remove_node(inner.find("shortcut").id)
    channels, stride = blocks.get("DownsampleBlock").params
    assert [name for _, name in channels.targets] == ["filters", "filters"]
    assert stride.targets == ((inner.find("conv1").id, "stride"),)
    with recording(inner):
        inner.remove_node(inner.find("conv1").id)
    assert [param.name for param in blocks.get("DownsampleBlock").params] == ["channels"]
    reused = inner.add_node("adaptive_avgpool2d")  # may take a freed id: no param points at it
    assert project_from_text(project_to_text(project), "again").graph.blocks
    assert all(
        target[0] != reused.id for p in blocks.get("DownsampleBlock").params for target in p.targets
    )


def test_a_wire_to_a_port_the_block_lost_is_kept_reported_and_saved():
    project, _ = resnet_blocks()
    doc = project.graph
    inner = doc.blocks.get("ResidualBlock").graph
    inner.rename(inner.find("x").id, "img")
    instance = doc.find("block1").id
    assert doc.stale_ports(instance) == (["x"], [])
    messages = [str(error) for error in Analyzer(doc).report().errors]
    assert any("a wire into 'x', a port its block no longer has" in m for m in messages)
    again = project_from_text(project_to_text(project), "again").graph
    assert again.stale_ports(instance) == (["x"], [])
    with pytest.raises(GraphError, match="no longer has the port 'x'"):
        ungroup(doc, instance)
    with pytest.raises(GraphError, match="has no input 'x'"):
        doc.connect(doc.find("stem_relu").id, "out", instance, "x")
    inner.rename(inner.find("img").id, "x")
    assert doc.stale_ports(instance) == ([], []) and Analyzer(doc).report().ok


def test_grouping_inside_a_block_carries_its_params_into_the_new_block_and_back_out():
    project, inner = resnet_blocks()
    doc = project.graph
    params = Analyzer(doc).report().total_params
    chosen = [inner.find(name).id for name in ("conv1", "bn1", "relu1")]
    conv1 = inner.find("conv1").id
    shapes = {
        node_id: (info.output.shape, info.output.dtype)
        for node_id, info in Analyzer(inner).report().nodes.items()
        if info.output is not None
    }
    front = group(inner, chosen, "Front", "", shapes, "front")
    assert doc.blocks.get("Front").params == (
        BlockParam("channels", ((conv1, "filters"),), 32),
        BlockParam("stride", ((conv1, "stride"),), 2),
    )
    channels, stride = doc.blocks.get("DownsampleBlock").params
    assert (front.id, "channels") in channels.targets and (front.id, "stride") in stride.targets
    report = Analyzer(doc).report()
    assert report.ok and report.total_params == params
    doc.set_param(doc.find("block2").id, "channels", 48)  # reaches through both blocks
    assert Analyzer(doc).report().nodes[doc.find("block2").id].output.shape == (48, 4, 4)
    doc.set_param(doc.find("block2").id, "channels", 32)
    added = ungroup(inner, front.id)
    new_conv = next(node_id for node_id in added if inner.node(node_id).kind == "conv2d")
    channels, stride = doc.blocks.get("DownsampleBlock").params
    assert (new_conv, "filters") in channels.targets and (new_conv, "stride") in stride.targets
    assert all(inner.node(n).kind != "block" for p in (channels, stride) for n, _ in p.targets)
    report = Analyzer(doc).report()
    assert report.ok and report.total_params == params


def test_a_value_one_target_takes_and_another_cannot_is_an_error_on_the_instance():
    project, inner = resnet_blocks()
    doc = project.graph
    bn1 = inner.find("bn1").id
    targets = [(bn1, "eps"), (bn1, "momentum")]
    expose_param(doc.blocks, "DownsampleBlock", "mix", targets, 0.1)
    doc.set_param(doc.find("block2").id, "mix", 2.0)  # too large for a momentum
    (error,) = Analyzer(doc).report().errors
    assert error.node_id == doc.find("block2").id and "2.0 is above the maximum" in error.message


def test_a_configuration_its_layers_refuse_is_an_error_on_the_instance_not_a_crash(monkeypatch):
    project, _ = resnet_blocks()
    doc = project.graph
    definition = doc.blocks.get("DownsampleBlock")

    def refuse(values):
        raise GraphError("BatchNorm2d 'bn1' cannot take momentum 2.0")

    monkeypatch.setattr(type(definition), "configured", lambda self, values: refuse(values))
    errors = Analyzer(doc).report().errors
    assert [error.node_id for error in errors] == [doc.find("block1").id]  # block2 waits on it
    assert "cannot take momentum 2.0; choose another value" in errors[0].message


def test_ungrouping_an_instance_with_a_wrong_value_is_refused_with_it():
    project, _ = resnet_blocks()
    doc = project.graph
    instance = doc.find("block1").id
    doc.set_param(instance, "repeat", 0.5)  # kept, as any wrong value, and diagnosed
    with pytest.raises(GraphError, match="cannot ungroup 'block1': repeat expected a whole"):
        ungroup(doc, instance)
