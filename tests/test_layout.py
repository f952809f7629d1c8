"""Automatic layout: long chains wrap into rows that fit the room; a graph's flow is saved,
loaded (older files flow right) and undone like any edit."""

from __future__ import annotations

import json

import pytest

from designer.model import GraphDocument, GraphError
from designer.model.journal import recording
from designer.model.layout import NODE_SIZE, PITCH, apply_layout, layered_positions
from designer.project import Project, load_project
from designer.project.files import project_from_text, project_to_text
from tests.blocks_helpers import grouped_resnet
from tests.helpers import PROJECTS, long_chain


def extent(positions: dict[str, tuple[float, float]]) -> tuple[float, float]:
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    return max(xs) - min(xs) + NODE_SIZE[0], max(ys) - min(ys) + NODE_SIZE[1]


def rows_of(doc: GraphDocument, positions) -> list[list[str]]:
    """The chain's node names by row (same y), rows top to bottom, each left to right."""
    rows: dict[float, list[tuple[float, str]]] = {}
    for node in doc.nodes():
        x, y = positions[node.id]
        rows.setdefault(y, []).append((x, node.name))
    return [[name for _, name in sorted(rows[y])] for y in sorted(rows)]


def test_a_long_chain_wraps_into_the_fewest_rows_that_fit_the_room():
    doc = long_chain()
    assert len(rows_of(doc, layered_positions(doc))) == 1
    room = (1150.0, 750.0)
    positions = layered_positions(doc, "right", room)
    width, height = extent(positions)
    assert width <= room[0] and height <= room[1]
    rows = rows_of(doc, positions)
    assert [len(row) for row in rows] == [4, 4, 4, 3]
    assert [name for row in rows for name in row] == [node.name for node in doc.nodes()]
    assert rows[0][0] == "x"  # the input starts the first row, on the left
    # A chain that fits in one row is left in one row.
    short = long_chain(4)
    assert len(rows_of(short, layered_positions(short, "right", room))) == 1


def test_a_chain_too_long_for_any_rows_is_as_wide_as_the_room_to_be_read_downwards():
    doc = long_chain(60)
    room = (1200.0, 800.0)
    positions = layered_positions(doc, "right", room)
    width, height = extent(positions)
    assert width <= room[0] < width + PITCH["right"][0] and height > room[1]
    assert [len(row) for row in rows_of(doc, positions)] == [4] * 15


def test_top_to_bottom_puts_each_node_below_its_inputs_without_overlap():
    doc = load_project(PROJECTS / "resnet_digits.json").graph
    positions = layered_positions(doc, "down")
    for edge in doc.edges():
        assert positions[edge.source][1] + NODE_SIZE[1] < positions[edge.target][1]
    for node in doc.nodes():
        x, y = positions[node.id]
        for other in doc.nodes():
            ox, oy = positions[other.id]
            overlap = abs(x - ox) < NODE_SIZE[0] and abs(y - oy) < NODE_SIZE[1]
            assert other is node or not overlap


def test_the_flow_is_undone_saved_and_loaded_and_older_files_flow_right():
    project = Project(graph=long_chain(5))
    doc = project.graph
    right = project_to_text(project)
    assert json.loads(right)["format_version"] == 1 and "flow" not in right
    with recording(doc) as journal:
        apply_layout(doc, "down")
    assert doc.flow == "down"
    down = project_to_text(project)
    raw = json.loads(down)
    assert raw["format_version"] == 3 and raw["graph"]["flow"] == "down"
    assert project_to_text(project_from_text(down)) == down
    journal.undo(doc)
    assert doc.flow == "right" and project_to_text(project) == right
    journal.redo(doc)
    assert project_to_text(project) == down
    for older in (1, 2):
        old = json.loads(right) | {"format_version": older}
        assert project_from_text(json.dumps(old)).graph.flow == "right"
    with pytest.raises(GraphError, match="flows right or down, not 'up'"):
        doc.set_flow("up")


def test_a_file_with_a_flow_it_does_not_know_says_where():
    raw = json.loads(project_to_text(Project(graph=long_chain(3))))
    raw["graph"]["flow"] = "up"
    with pytest.raises(Exception, match=r"graph\.flow") as error:
        project_from_text(json.dumps(raw), "net.json")
    assert "'up' is not one of ['right', 'down']" in str(error.value)


def test_a_block_drawn_top_to_bottom_keeps_its_flow_in_the_file():
    doc = grouped_resnet()
    definition = next(iter(doc.blocks))
    with recording(definition.graph) as journal:
        apply_layout(definition.graph, "down")
    text = project_to_text(Project(graph=doc))
    raw = json.loads(text)
    assert raw["format_version"] == 3 and raw["blocks"][0]["graph"]["flow"] == "down"
    assert "flow" not in raw["graph"]
    again = project_from_text(text).graph
    assert again.flow == "right" and again.blocks.get(definition.name).graph.flow == "down"
    journal.undo(definition.graph)
    assert json.loads(project_to_text(Project(graph=doc)))["format_version"] == 2
