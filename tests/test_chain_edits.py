"""Adding a layer after a node (taking over its wires) and splicing one into a wire."""

from __future__ import annotations

from designer.compiler import Analyzer
from designer.model import GraphDocument
from designer.model.edits import add_after, splice
from designer.model.journal import recording
from designer.model.layout import LAYER_GAP
from designer.model.placement import NODE_ROOM


def names_into(doc: GraphDocument, node_id: str) -> list[str]:
    return [doc.node(edge.source).name for edge in doc.in_edges(node_id)]


def branches() -> GraphDocument:
    """x0 and x1 concatenated in that order; x0 also feeds an Output of its own."""
    doc = GraphDocument()
    x0 = doc.add_node("input", "x0", {"shape": [2]}, (0.0, 0.0))
    x1 = doc.add_node("input", "x1", {"shape": [3]}, (0.0, 300.0))
    cat = doc.add_node("concatenate", "cat", position=(LAYER_GAP, 150.0))
    side = doc.add_node("output", "side", position=(LAYER_GAP, -300.0))
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


def test_a_layer_added_after_a_node_goes_the_way_its_chain_runs_into_free_space():
    doc = GraphDocument()
    top = doc.add_node("input", "top", {"shape": [4]}, (0.0, 0.0))
    below = doc.add_node("dense", "below", position=(0.0, LAYER_GAP))
    doc.connect(top.id, "out", below.id, "in")
    down = add_after(doc, below.id, "relu")
    assert down.position == (0.0, 2 * LAYER_GAP)
    alone = doc.add_node("input", "alone", {"shape": [4]}, (1000.0, 0.0))
    right = add_after(doc, alone.id, "relu")
    assert right.position == (1000.0 + LAYER_GAP, 0.0)
    width, height = NODE_ROOM
    for node in doc.nodes():
        others = [other for other in doc.nodes() if other.id != node.id]
        assert all(
            abs(node.position[0] - other.position[0]) >= width
            or abs(node.position[1] - other.position[1]) >= height
            for other in others
        )


def packed_chain(length: int) -> GraphDocument:
    """An Input and ReLUs one layer apart, left to right, as Auto Layout packs them."""
    doc = GraphDocument()
    previous = doc.add_node("input", "x", {"shape": [4]}, (0.0, 0.0))
    for index in range(1, length):
        node = doc.add_node("relu", f"r{index}", position=(index * LAYER_GAP, 0.0))
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    return doc


def test_a_layer_put_into_a_packed_chain_pushes_the_rest_on():
    doc = packed_chain(4)
    node = add_after(doc, doc.find("r1").id, "dropout")
    assert node.position == (2 * LAYER_GAP, 0.0)
    assert doc.find("r2").position == (3 * LAYER_GAP, 0.0)
    assert doc.find("r3").position == (4 * LAYER_GAP, 0.0)
    wire = doc.in_edges(doc.find("r3").id)[0]
    spliced = splice(doc, wire, "dropout", near=(3 * LAYER_GAP + 20.0, 0.0))
    assert spliced.position == (4 * LAYER_GAP, 0.0) and doc.find("r3").position[0] == 5 * LAYER_GAP


def test_a_layer_goes_beside_the_chain_when_pushing_would_cover_another_node():
    doc = packed_chain(3)
    blocker = doc.add_node("input", "blocker", {"shape": [4]}, (3 * LAYER_GAP, 0.0))
    node = add_after(doc, doc.find("r1").id, "dropout")
    assert doc.find("r2").position == (2 * LAYER_GAP, 0.0) and blocker.position[0] == 3 * LAYER_GAP
    width, height = NODE_ROOM
    for other in doc.nodes():
        if other.id != node.id:
            assert (
                abs(node.position[0] - other.position[0]) >= width
                or abs(node.position[1] - other.position[1]) >= height
            )


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
