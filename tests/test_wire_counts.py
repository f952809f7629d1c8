"""Hostile wiring in a project file: a wire repeated into a one-wire port is refused with the
count and the first repeat; more wires than a graph holds are refused; many wires into one
port load (in n log n, see benchmarks/bench_wires.py) and the diagnostic counts them."""

from __future__ import annotations

import json

import pytest

from designer.compiler import Analyzer
from designer.project import ProjectError, project_from_text
from designer.project.wire_counts import MAX_WIRES
from nodes.catalog.merge import MAX_OPERANDS


def project_text(nodes: list[dict], edges: list[dict], blocks: list | None = None) -> str:
    raw = {"format_version": 3, "name": "w", "graph": {"nodes": nodes, "edges": edges}}
    if blocks is not None:
        raw["blocks"] = blocks
    return json.dumps(raw)


def three_nodes(middle: str) -> list[dict]:
    return [
        {"id": "n1", "kind": "input", "name": "x", "params": {"shape": [4]}},
        {"id": "n2", "kind": middle, "name": "join"},
        {"id": "n3", "kind": "output", "name": "y"},
    ]


def repeated(count: int, **ports: str) -> list[dict]:
    wires = [{"id": f"e{i}", "source": "n1", "target": "n2", **ports} for i in range(1, count)]
    return [*wires, {"id": "last", "source": "n2", "target": "n3"}]


def test_duplicate_wires_are_refused_with_their_count_and_the_first():
    text = project_text(three_nodes("relu"), repeated(200_000))
    with pytest.raises(ProjectError) as raised:
        project_from_text(text, "p.json")
    assert str(raised.value) == (
        "p.json: graph.edges: holds 199,998 duplicate wire(s) into ports that take one wire "
        "(first: e2 n1.out -> n2.in)"
    )


def test_one_repeat_is_refused_too_and_ports_written_out_count_as_the_defaults():
    edges = repeated(3)
    edges[1] = {"source": "n1", "source_port": "out", "target": "n2", "target_port": "in"}
    with pytest.raises(ProjectError) as raised:
        project_from_text(project_text(three_nodes("relu"), edges), "p.json")
    assert raised.value.message.startswith("holds 1 duplicate wire(s)")
    assert raised.value.message.endswith("(first: edges[1] n1.out -> n2.in)")


def test_the_same_wire_twice_into_an_add_is_x_plus_x_and_loads():
    project = project_from_text(project_text(three_nodes("add"), repeated(3)))
    assert [edge.source for edge in project.graph.in_edges("n2")] == ["n1", "n1"]
    assert Analyzer(project.graph).report().ok


def test_a_repeat_inside_a_block_names_the_block():
    inner = {
        "nodes": [
            {"id": "a", "kind": "input", "params": {"shape": [4]}},
            {"id": "b", "kind": "relu"},
            {"id": "c", "kind": "output"},
        ],
        "edges": [
            {"source": "a", "target": "b"},
            {"source": "a", "target": "b"},
            {"source": "b", "target": "c"},
        ],
    }
    text = project_text(three_nodes("relu"), repeated(2), [{"name": "twice", "graph": inner}])
    with pytest.raises(ProjectError) as raised:
        project_from_text(text, "p.json")
    assert raised.value.place == "blocks[0].graph.edges"
    assert raised.value.message.endswith("(first: edges[1] a.out -> b.in)")


def test_more_wires_than_a_graph_holds_are_refused_with_the_count():
    text = project_text(three_nodes("add"), repeated(MAX_WIRES + 1))
    with pytest.raises(ProjectError) as raised:
        project_from_text(text, "p.json")
    assert str(raised.value) == "p.json: graph: holds 100,001 wires; a graph holds at most 100,000"


def test_many_distinct_wires_into_one_input_load_and_are_counted():
    sources = [
        {"id": f"i{i}", "kind": "input", "name": f"x{i}", "params": {"shape": [4]}}
        for i in range(3000)
    ]
    edges = [{"source": f"i{i}", "target": "n2"} for i in range(3000)]
    edges.append({"source": "n2", "target": "n3"})
    project = project_from_text(project_text([*sources, *three_nodes("relu")[1:]], edges))
    wires = project.graph.in_edges("n2")
    assert [edge.source for edge in wires] == [f"i{i}" for i in range(3000)]
    errors = [str(error) for error in Analyzer(project.graph).report().errors]
    assert any("has 3000 wires into its one input" in error for error in errors)


def test_wires_that_are_not_records_are_left_to_the_schema():
    text = project_text(three_nodes("relu"), [*repeated(2), 7])
    with pytest.raises(ProjectError) as raised:
        project_from_text(text, "p.json")
    assert raised.value.place == "graph.edges[2]"


def test_an_add_of_more_inputs_than_a_line_of_code_holds_is_an_error():
    project = project_from_text(project_text(three_nodes("add"), repeated(MAX_OPERANDS + 2)))
    errors = [str(error) for error in Analyzer(project.graph).report().errors]
    assert errors == [
        "error: Add 'join' has 1,001 inputs; it takes at most 1,000 (merge them in stages)"
    ]
    fewer = project_from_text(project_text(three_nodes("add"), repeated(MAX_OPERANDS + 1)))
    assert Analyzer(fewer.graph).report().ok
