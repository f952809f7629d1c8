"""Blocks nested within blocks in a project file: at most MAX_NESTING deep (analysis recurses
through them; 150 deep ended in a RecursionError), refused beyond with the depth and place."""

from __future__ import annotations

import json

import pytest

from designer.compiler import Analyzer
from designer.project import ProjectError, project_from_text
from designer.project.block_files import MAX_NESTING


def graph(inner: str | None) -> dict:
    """An input, a ReLU or an instance of the block `inner`, and an output."""
    middle = {"id": "m", "kind": "block", "params": {"block": inner}} if inner else {}
    nodes = [
        {"id": "i", "kind": "input", "name": "x", "params": {"shape": [4]}},
        middle or {"id": "m", "kind": "relu"},
        {"id": "o", "kind": "output", "name": "y"},
    ]
    ports = ({"target_port": "x"}, {"source_port": "y"}) if inner else ({}, {})
    edges = [
        {"source": "i", "target": "m", **ports[0]},
        {"source": "m", "target": "o", **ports[1]},
    ]
    return {"nodes": nodes, "edges": edges}


def nested(depth: int) -> str:
    """Blocks b0 ... b(depth-1), each holding the next, listed outermost first."""
    blocks = [
        {"name": f"b{i}", "graph": graph(f"b{i + 1}" if i < depth - 1 else None)}
        for i in range(depth)
    ]
    return json.dumps({"format_version": 3, "graph": graph("b0"), "blocks": blocks})


def test_blocks_nest_as_deep_as_the_limit():
    project = project_from_text(nested(MAX_NESTING))
    assert len(project.graph.blocks) == MAX_NESTING
    assert Analyzer(project.graph).report().ok


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 1000])
def test_deeper_nesting_is_refused_with_the_depth_and_the_block(depth):
    with pytest.raises(ProjectError) as raised:
        project_from_text(nested(depth), "p.json")
    assert raised.value.message == "nests blocks 33 deep; they nest at most 32 deep"
    assert raised.value.place == f"blocks[{depth - MAX_NESTING - 1}].graph"
