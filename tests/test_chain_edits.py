"""Adding a layer after a node (taking over its wires) and splicing one into a wire."""

from __future__ import annotations

import pytest

from designer.compiler import Analyzer
from designer.model import GraphDocument
from designer.model.edits import add_after, splice
from designer.model.journal import recording
from designer.model.layout import PITCH, one_layer_on
from designer.model.placement import NODE_ROOM

STEP = PITCH["right"][0]  # one layer on, left to right


def names_into(doc: GraphDocument, node_id: str) -> list[str]:
    return [doc.node(edge.source).name for edge in doc.in_edges(node_id)]


def branches() -> GraphDocument:
    """x0 and x1 concatenated in that order; x0 also feeds an Output of its own."""
    doc = GraphDocument()
    x0 = doc.add_node("input", "x0", {"shape": [2]}, (0.0, 0.0))
    x1 = doc.add_node("input", "x1", {"shape": [3]}, (0.0, 300.0))
    cat = doc.add_node("concatenate", "cat", position=(STEP, 150.0))
    side = doc.add_node("output", "side", position=(STEP, -300.0))
    for source, target in ((x0, cat), (x1, cat), (x0, side)):
        doc.connect(source.id, "out", target.id, "in")
    return doc


def test_a_layer_added_after_a_node_takes_over_its_wires_in_their_places():
    doc = branches()
    cat, side = doc.find("cat"), doc.find("side")
    node = add_after(doc, doc.find("x0").id, "relu")
    assert names_into(doc, node.id) == ["x0"]
    assert names_into(doc, cat.id) == [node.name, "x1"]  # the concatenation's order is kept
    assert names_into(doc, side.id) == [node.name]
    assert Analyzer(doc).report().ok


def test_an_output_added_after_a_node_is_a_branch():
    doc = branches()
    node = add_after(doc, doc.find("x0").id, "output")
    assert names_into(doc, node.id) == ["x0"]
    assert names_into(doc, doc.find("cat").id) == ["x0", "x1"]


def apart(doc: GraphDocument) -> bool:
    """Whether every node keeps NODE_ROOM from every other."""
    width, height = NODE_ROOM
    nodes = doc.nodes()
    return all(
        abs(one.position[0] - other.position[0]) >= width
        or abs(one.position[1] - other.position[1]) >= height
        for index, one in enumerate(nodes)
        for other in nodes[index + 1 :]
    )


def test_a_layer_added_after_a_node_goes_one_layer_on_along_the_graph_s_flow():
    """The graph's flow decides, not the way a hand-placed chain happens to run."""
    doc = GraphDocument()
    top = doc.add_node("input", "top", {"shape": [4]}, (0.0, 0.0))
    below = doc.add_node("dense", "below", position=(0.0, 300.0))
    doc.connect(top.id, "out", below.id, "in")
    assert add_after(doc, below.id, "relu").position == (STEP, 300.0)
    doc.set_flow("down")
    alone = doc.add_node("input", "alone", {"shape": [4]}, (1000.0, 0.0))
    assert add_after(doc, alone.id, "relu").position == (1000.0, PITCH["down"][0])
    assert apart(doc)


def packed_chain(length: int, flow: str = "right") -> GraphDocument:
    """An Input and ReLUs one layer apart along `flow`, as Auto Layout packs them."""
    doc = GraphDocument()
    doc.set_flow(flow)
    previous = doc.add_node("input", "x", {"shape": [4]}, (0.0, 0.0))
    for index in range(1, length):
        node = doc.add_node("relu", f"r{index}", position=one_layer_on(flow, previous.position))
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    return doc


@pytest.mark.parametrize("flow", ["right", "down"])
def test_a_layer_put_into_a_packed_chain_pushes_the_rest_on(flow):
    doc = packed_chain(4, flow)
    step = PITCH[flow][0]

    def at(layer: int) -> tuple[float, float]:
        return (layer * step, 0.0) if flow == "right" else (0.0, layer * step)

    node = add_after(doc, doc.find("r1").id, "dropout")
    assert node.position == at(2)
    assert doc.find("r2").position == at(3) and doc.find("r3").position == at(4)
    wire = doc.in_edges(doc.find("r3").id)[0]
    spliced = splice(doc, wire, "dropout", near=(at(3)[0] + 20.0, at(3)[1] + 20.0))
    assert spliced.position == at(4) and doc.find("r3").position == at(5)
    assert apart(doc)


def test_a_layer_goes_beside_the_chain_when_pushing_would_cover_another_node():
    doc = packed_chain(3)
    blocker = doc.add_node("input", "blocker", {"shape": [4]}, (3 * STEP, 0.0))
    add_after(doc, doc.find("r1").id, "dropout")
    assert doc.find("r2").position == (2 * STEP, 0.0) and blocker.position[0] == 3 * STEP
    assert apart(doc)


def test_splicing_keeps_the_wire_s_place_and_undoes_exactly():
    doc = branches()
    cat = doc.find("cat")
    second = doc.in_edges(cat.id)[1]
    with recording(doc) as journal:
        node = splice(doc, second, "relu", near=(100.0, 200.0))
    assert names_into(doc, cat.id) == ["x0", node.name]
    assert names_into(doc, node.id) == ["x1"]
    journal.undo(doc)
    assert doc.in_edges(cat.id)[1] == second and node.id not in doc
