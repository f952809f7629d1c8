"""Many wires into one port: building the graph of 16k and of 160k wires, and loading a
file of 10k and of 100k (the most a graph holds); linear time shows as a ratio near 10."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from designer.model.library import BlockLibrary
from designer.project import project_from_text
from designer.project.files import build_graph


def raw_graph(wires: int) -> dict:
    """An input wired `wires` times into an Add (x + x + ...), and the Add into an output."""
    nodes = [
        {"id": "n1", "kind": "input", "name": "x", "params": {"shape": [4]}},
        {"id": "n2", "kind": "add", "name": "join"},
        {"id": "n3", "kind": "output", "name": "y"},
    ]
    edges = [{"id": f"e{i}", "source": "n1", "target": "n2"} for i in range(1, wires)]
    return {"nodes": nodes, "edges": [*edges, {"id": "last", "source": "n2", "target": "n3"}]}


def seconds(work) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def compare(what: str, small: int, large: int, timed) -> None:
    first, second = timed(small), timed(large)
    print(
        f"{what}: {small:,} wires {first:.2f} s, {large:,} wires {second:.2f} s, "
        f"ratio {second / first:.1f} (linear: 10)"
    )


def main() -> None:
    compare(
        "build the graph",
        16_000,
        160_000,
        lambda wires: seconds(lambda: build_graph(raw_graph(wires), "b", "graph", BlockLibrary())),
    )
    compare(
        "load the file",
        10_000,
        100_000,
        lambda wires: seconds(
            lambda: project_from_text(
                json.dumps({"format_version": 3, "name": "w", "graph": raw_graph(wires)})
            )
        ),
    )


if __name__ == "__main__":
    main()
