"""A cycle through thousands of layers: one short message on each of its nodes (the loop by
its first names and its length), and every node after it blocked, found once per cycle."""

from __future__ import annotations

from designer.compiler import Analyzer
from designer.model import GraphDocument


def test_a_long_cycle_is_reported_briefly_on_every_node():
    doc = GraphDocument()
    start = doc.add_node("input", "x", {"shape": [4]})
    join = doc.add_node("add", "join")
    doc.connect(start.id, "out", join.id, "in")
    previous = join
    for index in range(3000):
        node = doc.add_node("relu", f"r{index}")
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    doc.connect(previous.id, "out", join.id, "in")
    after = doc.add_node("output", "y")
    doc.connect(previous.id, "out", after.id, "in")
    report = Analyzer(doc).report()
    cycles = [error.message for error in report.errors if "is in a cycle" in error.message]
    assert len(cycles) == 3001
    assert all(
        message.endswith("(a loop of 3,001 layers); remove one of its wires") for message in cycles
    )
    assert max(len(message) for message in cycles) < 200
    assert after.id not in report.order and report.nodes[after.id].output is None


def test_a_short_cycle_is_spelled_out():
    doc = GraphDocument()
    start = doc.add_node("input", "x", {"shape": [4]})
    join = doc.add_node("add", "join")
    loop = doc.add_node("relu", "loop")
    doc.connect(start.id, "out", join.id, "in")
    doc.connect(join.id, "out", loop.id, "in")
    doc.connect(loop.id, "out", join.id, "in")
    messages = [error.message for error in Analyzer(doc).report().errors]
    assert any(
        "'join' -> 'loop' -> 'join'" in m or "'loop' -> 'join' -> 'loop'" in m for m in messages
    )
