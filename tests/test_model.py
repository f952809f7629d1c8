"""The graph document: edits, events, errors, layout, fixes, and journals that undo exactly."""

from __future__ import annotations

import copy
import random

import pytest

from designer.compiler import Analyzer
from designer.compiler.fixes import apply_fix
from designer.model import GraphDocument, GraphError
from designer.model.graph import FLOWS
from designer.model.journal import recording
from designer.model.layout import layered_positions
from designer.project import Project, load_project
from designer.project.files import project_to_text
from nodes import REGISTRY
from tests.helpers import PROJECTS, chain


def test_a_node_changes_only_through_its_document():
    """A node handed out is read-only: a change made on it would skip undo, events and
    analysis. The document's edits still show on the same object."""
    doc = GraphDocument()
    node = doc.add_node("dense", "fc", {"units": 8})
    with pytest.raises(AttributeError, match="change a node through its GraphDocument"):
        node.name = "head"
    with pytest.raises(TypeError):
        node.params["units"] = 9
    doc.set_param(node.id, "units", 9)
    doc.rename(node.id, "head")
    assert node.params["units"] == 9 and node.name == "head"
    assert copy.deepcopy(node) == node and copy.deepcopy(node) is not node


def test_edits_emit_events_with_old_values():
    doc = GraphDocument()
    seen = []
    doc.events.connect(lambda info: seen.append((info.signal.name, info.args[1:])))
    node = doc.add_node("dense", "fc")
    doc.set_param(node.id, "units", 8)
    doc.rename(node.id, "head")
    doc.move(node.id, (3, 4))
    assert seen == [
        ("node_added", ()),
        ("param_changed", ("units", 64)),
        ("node_renamed", ("fc",)),
        ("node_moved", ((0.0, 0.0),)),
    ]


def test_bad_edits_raise_graph_errors():
    doc = GraphDocument()
    a = doc.add_node("input", "x")
    b = doc.add_node("dense", "fc")
    with pytest.raises(GraphError, match="unknown layer kind"):
        doc.add_node("warp")
    with pytest.raises(GraphError, match="has no input 'side'"):
        doc.connect(a.id, "out", b.id, "side")
    with pytest.raises(GraphError, match="has no output"):
        doc.connect(b.id, "in", a.id, "out")
    with pytest.raises(GraphError, match="no param"):
        doc.set_param(b.id, "colour", 1)
    with pytest.raises(GraphError, match="used twice"):
        doc.add_node("relu", node_id=a.id)


def test_removing_a_node_removes_its_wires():
    doc = GraphDocument()
    x = doc.add_node("input", "x", {"shape": [4]})
    last = chain(doc, x, [("dense", "fc", {}), ("relu", "act", {}), ("output", "y", {})])
    middle = doc.find("act")
    node, edges = doc.remove_node(middle.id)
    assert node.name == "act" and len(edges) == 2
    assert doc.in_edges(last.id) == []


def test_merge_inputs_keep_their_order():
    doc = GraphDocument()
    inputs = [doc.add_node("input", f"x{i}", {"shape": [i + 1]}) for i in range(3)]
    cat = doc.add_node("concatenate", "cat")
    for node in reversed(inputs):
        doc.connect(node.id, "out", cat.id, "in")
    assert [doc.node(edge.source).name for edge in doc.in_edges(cat.id)] == ["x2", "x1", "x0"]


def random_edit(doc: GraphDocument, rng: random.Random) -> None:
    nodes = doc.nodes()
    kinds = [spec.kind for spec in REGISTRY]
    action = rng.choice(
        ["add", "add", "wire", "wire", "remove", "unwire", "param", "rename", "move", "flow"]
    )
    if action == "add" or not nodes:
        doc.add_node(rng.choice(kinds), position=(rng.random() * 500, rng.random() * 500))
    elif action == "wire":
        sources = [node for node in nodes if node.spec.outputs]
        targets = [node for node in nodes if node.spec.inputs]
        if sources and targets:
            doc.connect(rng.choice(sources).id, "out", rng.choice(targets).id, "in")
    elif action == "remove":
        doc.remove_node(rng.choice(nodes).id)
    elif action == "unwire" and doc.edges():
        doc.disconnect(rng.choice(doc.edges()).id)
    elif action == "param":
        node = rng.choice(nodes)
        if node.spec.params:
            param = rng.choice(node.spec.params)
            doc.set_param(node.id, param.name, rng.choice([param.default, 3, 0.5, "odd", -1]))
    elif action == "rename":
        doc.rename(rng.choice(nodes).id, rng.choice(["a", "b", "fc", "x y"]))
    elif action == "flow":
        doc.set_flow(rng.choice(FLOWS))
    else:
        doc.move(rng.choice(nodes).id, (rng.random() * 900, rng.random() * 900))


@pytest.mark.parametrize("seed", range(5))
def test_journals_undo_a_long_random_edit_sequence_exactly(seed):
    rng = random.Random(seed)
    project = load_project(PROJECTS / "resnet_digits.json")
    doc = project.graph
    analyzer = Analyzer(doc)
    start = project_to_text(project)
    journals = []
    for _ in range(200):
        with recording(doc) as journal:
            random_edit(doc, rng)
        journals.append(journal)
        analyzer.report()
    end = project_to_text(project)
    for journal in reversed(journals):
        journal.undo(doc)
    assert project_to_text(project) == start
    assert analyzer.report().ok
    for journal in journals:
        journal.redo(doc)
    assert project_to_text(project) == end
    fresh = Analyzer(doc).report()
    assert [str(d) for d in analyzer.report().diagnostics] == [str(d) for d in fresh.diagnostics]


def test_layout_puts_each_node_after_its_inputs():
    doc = load_project(PROJECTS / "resnet_digits.json").graph
    positions = layered_positions(doc)
    for edge in doc.edges():
        assert positions[edge.source][0] < positions[edge.target][0]
    assert len(set(positions.values())) == len(doc)


def test_flatten_fix_makes_the_graph_valid():
    doc = GraphDocument()
    x = doc.add_node("input", "image", {"shape": [3, 8, 8]})
    chain(doc, x, [("conv2d", "conv", {"filters": 4}), ("dense", "fc1", {}), ("output", "y", {})])
    diagnostic = Analyzer(doc).report().errors[0]
    assert diagnostic.fix.label == "Insert Flatten before Dense 'fc1'"
    with recording(doc) as journal:
        apply_fix(doc, diagnostic.fix)
    assert Analyzer(doc).report().ok
    journal.undo(doc)
    assert not Analyzer(doc).report().ok


def test_projection_fix_joins_a_residual_with_other_channels():
    doc = GraphDocument()
    x = doc.add_node("input", "image", {"shape": [16, 8, 8]})
    main = chain(doc, x, [("conv2d", "down", {"filters": 32, "stride": 2, "padding": 1})])
    add = doc.add_node("add", "res1")
    doc.connect(main.id, "out", add.id, "in")
    doc.connect(x.id, "out", add.id, "in")
    chain(doc, add, [("output", "y", {})])
    report = Analyzer(doc).report()
    (error,) = report.errors
    assert error.message == "Add 'res1' gets 32x4x4 and 16x8x8: add a 1x1 Conv on the shortcut"
    (added,) = apply_fix(doc, error.fix)
    report = Analyzer(doc).report()
    assert report.ok
    assert report.nodes[added].output.shape == (32, 4, 4)
    assert [edge.source for edge in doc.in_edges(add.id)] == [main.id, added]


def test_project_defaults():
    assert Project().name == "Untitled"


def test_pasting_a_fragment_with_a_non_finite_position_is_refused():
    from designer.model.edits import FRAGMENT_FORMAT, paste

    doc = GraphDocument()
    fragment = {
        "format": FRAGMENT_FORMAT,
        "nodes": [{"id": "a", "kind": "relu", "name": "r", "params": {}, "position": [1e400, 0]}],
        "edges": [],
    }
    with pytest.raises(GraphError, match="damaged"):
        paste(doc, fragment)
    assert len(doc) == 0
