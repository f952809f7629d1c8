"""Code injection: hostile names and string params never become code in the generated model."""

from __future__ import annotations

import ast
import itertools

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.compiler import Analyzer, CompileError, compile_graph, generate
from designer.model import GraphDocument
from designer.project import load_project
from tests.helpers import PROJECTS

SENTINEL = "pwned"  # a file that any payload below would create in the working folder


def payloads(sentinel: str) -> list[str]:
    run = f"__import__('os').system('touch {sentinel}')"
    return [
        run,
        f"x'); {run} #",
        f'x"); {run} #',
        f"'''\n{run}\n'''",
        f'"""\n{run}\n"""',
        f"a\n{run}",
        f"a\r{run}",
        f"a\r\n{run}",
        f"a\x0c{run}",
        f"a\x0b{run}",
        f"a\u2028{run}",
        f"a\x85{run}",
        f"a\\\n{run}",
        "a\\",
        f"# comment\n{run}",
        f"{{0}}{{}}%s%(x)s\\N{{BULLET}}\n{run}",
        f"f'{{{run}}}'",
        "\x00",
        "class",
        "def",
        "lambda",
        "None",
        "self",
        "forward",
        "__init__",
        "super",
        "torch",
        "nn",
        "F",
        "__class__",
        "__builtins__",
        "\u00e9t\u00e9",
        "\u6570\u636e",
        "\ufb01x",  # the ligature fi: NFKC makes identifiers of 'ﬁx' and 'fix' the same
        "fix",
        "\U0001d518\U0001d52b\U0001d526",
        "\u202e" + run,
        "x" * 5000,
    ]


def network(names: list[str]) -> GraphDocument:
    """A small conv net whose layers take the given names in turn."""
    doc = GraphDocument()
    kinds = [
        ("input", {"shape": [1, 8, 8]}),
        ("conv2d", {"filters": 2, "kernel_size": 3}),
        ("relu", {}),
        ("conv2d", {"filters": 2, "kernel_size": 3, "padding": 1}),
        ("add", {}),
        ("flatten", {}),
        ("dense", {"units": 3}),
        ("output", {}),
    ]
    nodes = [
        doc.add_node(kind, names[index % len(names)], params)
        for index, (kind, params) in enumerate(kinds)
    ]
    for source, target in itertools.pairwise(nodes):
        doc.connect(source.id, "out", target.id, "in")
    doc.connect(nodes[2].id, "out", nodes[4].id, "in")  # a shortcut around the second conv
    return doc


CALLS_ALLOWED = {"super", "torch", "nn", "F", "self"}


def check_source(source: str) -> None:
    """Every name in the code is ASCII, and nothing calls anything but torch and the layers."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name | ast.FunctionDef | ast.ClassDef | ast.arg):
            name = getattr(node, "id", None) or getattr(node, "name", None) or node.arg
            assert name.isascii() and name.isidentifier(), name
            assert name not in {"__import__", "exec", "eval", "open", "compile"}, name
        if isinstance(node, ast.Call):
            root = node.func
            while isinstance(root, ast.Attribute | ast.Call | ast.Subscript):
                root = root.value if not isinstance(root, ast.Call) else root.func
            assert isinstance(root, ast.Name) and root.id in CALLS_ALLOWED, ast.dump(node.func)


def build_and_run(doc: GraphDocument, name: str) -> None:
    report = Analyzer(doc).report()
    assert report.ok, [str(diagnostic) for diagnostic in report.errors]
    module, code = compile_graph(doc, name, report)
    check_source(code.source)
    with torch.no_grad():
        assert module(torch.randn(2, 1, 8, 8)).shape == (2, 3)


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    """Work in tmp_path, where the sentinel must never appear."""
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    assert not (tmp_path / SENTINEL).exists()


@pytest.mark.parametrize("payload", payloads(SENTINEL))
def test_a_hostile_name_for_every_layer_and_the_class(in_tmp, payload):
    build_and_run(network([payload]), payload)


def test_hostile_names_side_by_side_stay_distinct(in_tmp):
    doc = network(payloads(SENTINEL))
    build_and_run(doc, "class")
    code = generate(doc, Analyzer(doc).report())
    assert len(code.names) >= len(doc.nodes()) - 1  # the Output has no variable of its own
    assert len(set(code.names.values())) == len(code.names)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(st.text(max_size=30), min_size=1, max_size=8), title=st.text(max_size=60))
def test_any_names_give_code_that_compiles_and_runs(names, title):
    build_and_run(network(names), title)


@pytest.mark.parametrize("payload", payloads(SENTINEL)[:6])
def test_a_hostile_string_param_is_diagnosed_and_never_written(in_tmp, payload):
    project = load_project(PROJECTS / "lenet5_digits.json")
    doc = project.graph
    node = next(n for n in doc.nodes() if any(isinstance(p.default, str) for p in n.spec.params))
    choice = next(p.name for p in node.spec.params if isinstance(p.default, str))
    doc.set_param(node.id, choice, payload)
    report = Analyzer(doc).report()
    assert not report.ok
    with pytest.raises(CompileError, match=choice):
        generate(doc, report, payload)
