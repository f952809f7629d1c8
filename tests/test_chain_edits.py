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
