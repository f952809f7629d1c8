"""Generated model code passes ruff check and is already formatted as ruff format writes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from designer.compiler import Analyzer, generate
from designer.model import GraphDocument
from designer.project import load_project
from tests.test_catalog import CASES, build

PROJECTS = sorted(Path(__file__).parent.parent.joinpath("projects").glob("*.json"))
RUFF = Path(sys.executable).with_name("ruff")
# The rules the project itself keeps, with ruff's default line length, as a user would run it.
RULES = "E,F,W,I,B,UP,SIM,RUF"
HOSTILE = [
    "x'); __import__('os').system('touch pwned') #",
    'class """\nimport os',
    "lambda",
    "None",
    "__init__",
    "forward",
    "Ñet 网络 🚀",
    "",
    "1st layer",
    "a layer with a name so long that no line of code that uses it fits in 88 columns",
]


def ruff(*arguments: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RUFF), *map(str, arguments), "--isolated", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )


def write_sources(folder: Path) -> list[Path]:
    paths = []
    for kind, layer_cases in CASES.items():
        for number, layer_case in enumerate(layer_cases):
            doc, _, _ = build(kind, layer_case)
            code = generate(doc, Analyzer(doc).report(), f"{kind} case {number}")
            paths.append(folder / f"{kind}_{number}.py")
            paths[-1].write_text(code.source, encoding="utf-8")
    for project_path in PROJECTS:
        project = load_project(project_path)
        code = generate(project.graph, Analyzer(project.graph).report(), project.name)
        paths.append(folder / f"{project_path.stem}.py")
        paths[-1].write_text(code.source, encoding="utf-8")
    return paths


def hostile_graph() -> GraphDocument:
    """A chain of dense layers with hostile names, then all of them concatenated."""
    doc = GraphDocument()
    previous = doc.add_node("input", HOSTILE[0], {"shape": [4]})
    merge = doc.add_node("concatenate", HOSTILE[-1] + " merged", {"dim": -1})
    for name in HOSTILE[1:]:
        layer = doc.add_node("dense", name, {"units": 4})
        doc.connect(previous.id, "out", layer.id, "in")
        doc.connect(layer.id, "out", merge.id, "in")
        previous = layer
    output = doc.add_node("output", "class")
    doc.connect(merge.id, "out", output.id, "in")
    return doc


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("generated")
    paths = write_sources(folder)
    doc = hostile_graph()
    code = generate(doc, Analyzer(doc).report(), HOSTILE[1])
    paths.append(folder / "hostile.py")
    paths[-1].write_text(code.source, encoding="utf-8")
    return paths


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is installed with the dev extra")
def test_generated_code_passes_ruff_check(sources):
    result = ruff("check", "--select", RULES, *sources)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is installed with the dev extra")
def test_generated_code_is_formatted_as_ruff_formats_it(sources):
    result = ruff("format", "--check", "--diff", *sources)
    assert result.returncode == 0, result.stdout + result.stderr


def test_long_names_keep_each_layer_s_lines():
    doc = hostile_graph()
    code = generate(doc, Analyzer(doc).report(), "Net")
    text = code.source.splitlines()
    assert max(map(len, text)) <= 88
    for node in doc.nodes():
        if node.spec.role == "layer":
            owned = [text[number - 1] for number in code.lines[node.id]]
            assert any(code.names[node.id] in line for line in owned), node.name
    assert len(code.lines[doc.find(HOSTILE[-1] + " merged").id]) > 2  # wrapped over lines


def test_every_kind_was_written(sources):
    written = {path.stem.rsplit("_", 1)[0] for path in sources}
    assert set(CASES) <= written
