"""Fuzzing the loader: damaged project files load cleanly or give one clear ProjectError."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings

from designer.project import ProjectError, load_project, project_from_text, save_project
from tests.helpers import PROJECTS
from tests.project_mutations import check_load, damaged_files

CASES = 300


@settings(
    max_examples=CASES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=damaged_files())
def test_a_damaged_file_loads_or_gives_one_clear_error(case, tmp_path):
    data, notes = case
    path = tmp_path / "project.json"
    path.write_bytes(data)
    try:
        check_load(path)
    except Exception as error:
        raise AssertionError(f"{notes}: {type(error).__name__}: {error}") from error


def with_name(name_json: str) -> str:
    raw = json.loads((PROJECTS / "mlp_iris.json").read_text(encoding="utf-8"))
    raw["graph"]["nodes"][1]["name"] = "@"
    return json.dumps(raw).replace('"@"', name_json)


def test_a_lone_surrogate_is_refused_on_loading_with_its_place():
    with pytest.raises(ProjectError) as caught:
        project_from_text(with_name('"half \\ud800 a pair"'), "p.json")
    assert str(caught.value) == (
        "p.json: graph.nodes[1].name: holds text that is not valid Unicode "
        "(a lone surrogate such as \\ud800)"
    )
    assert project_from_text(with_name('"\\ud83d\\ude00"')).graph.node("n2").name == "\U0001f600"


def test_a_lone_surrogate_put_in_by_an_edit_is_never_saved(tmp_path):
    path = tmp_path / "p.json"
    project = load_project(PROJECTS / "mlp_iris.json")
    save_project(project, path)
    before = path.read_bytes()
    project.graph.rename("n2", "x\udfff")
    with pytest.raises(ProjectError, match=r"nodes\[1\].name: cannot be saved: it holds text"):
        save_project(project, path)
    assert path.read_bytes() == before


def test_an_escaped_backslash_before_u_d800_is_plain_text():
    project = project_from_text(with_name('"\\\\ud800"'))
    assert project.graph.node("n2").name == "\\ud800"


def test_huge_values_are_cut_short_in_messages():
    raw = json.loads((PROJECTS / "resnet_digits_blocks.json").read_text(encoding="utf-8"))
    dense = next(node for node in raw["graph"]["nodes"] if node["kind"] == "dense")
    dense["params"]["k" * 5000] = 1
    with pytest.raises(ProjectError, match=r"has no param 'kkk+\.\.\.$") as caught:
        project_from_text(json.dumps(raw))
    assert len(str(caught.value)) < 200
    del dense["params"]["k" * 5000]
    block = next(node for node in raw["graph"]["nodes"] if "block" in node.get("params", {}))
    block["params"]["block"] = [{}, "x" * 5000]
    with pytest.raises(
        ProjectError, match=r"there is no block named \[\{\}, 'xxx+\.\.\. in"
    ) as caught:
        project_from_text(json.dumps(raw))
    assert len(str(caught.value)) < 200
