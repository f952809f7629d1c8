"""Project files: examples load and round-trip; broken files give one clear, placed error."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from designer.compiler import Analyzer, compile_graph
from designer.project import FORMAT_VERSION, ProjectError, load_project, save_project
from designer.project.files import project_to_text
from tests.helpers import PROJECTS


def test_every_example_loads_validates_and_compiles(example_path):
    project = load_project(example_path)
    report = Analyzer(project.graph).report()
    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    module, _ = compile_graph(project.graph, project.name)
    assert sum(parameter.numel() for parameter in module.parameters()) == report.total_params


def test_required_examples_exist():
    names = {path.stem for path in PROJECTS.glob("*.json")}
    assert {"mlp_iris", "lenet5_digits", "resnet_digits"} <= names


def test_lenet5_has_the_tutorial_parameter_count():
    project = load_project(PROJECTS / "lenet5_digits.json")
    assert Analyzer(project.graph).report().total_params == 61_706


def test_resnet_example_has_identity_and_projection_shortcuts():
    doc = load_project(PROJECTS / "resnet_digits.json").graph
    adds = [node for node in doc.nodes() if node.kind == "add"]
    assert len(adds) >= 2
    shortcut_kinds = {doc.node(doc.in_edges(add.id)[1].source).kind for add in adds}
    assert shortcut_kinds == {"relu", "batchnorm2d"}


def test_save_and_reload_gives_the_same_json(example_path, tmp_path):
    original = example_path.read_text(encoding="utf-8")
    project = load_project(example_path)
    saved = save_project(project, tmp_path / "copy.json")
    assert saved.read_text(encoding="utf-8") == original
    assert project_to_text(load_project(saved)) == original


def valid_raw() -> dict:
    return json.loads((PROJECTS / "mlp_iris.json").read_text(encoding="utf-8"))


def error_for(tmp_path: Path, content: bytes | str) -> str:
    path = tmp_path / "broken.json"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    with pytest.raises(ProjectError) as caught:
        load_project(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    assert "Traceback" not in message
    return message


def mutated(change) -> str:
    raw = valid_raw()
    change(raw)
    return json.dumps(raw)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format_version": 1, "graph": {"nodes": [', "not valid JSON"),
        (b'{"name": "\xff\xfe"}', "not UTF-8"),
        ("[1, 2]", "not a NetDesigner project"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"format_version": 1, "graph": {"nodes": [], "edges": []}, "x": NaN}', "NaN"),
        (mutated(lambda raw: raw.update(format_version=FORMAT_VERSION + 1)), "newer NetDesigner"),
        (mutated(lambda raw: raw.update(format_version="one")), "format_version"),
        (mutated(lambda raw: raw.update(format_version=0)), "invalid format version"),
        (mutated(lambda raw: raw.pop("graph")), "'graph' is a required property"),
    ],
)
def test_broken_files_give_one_clear_error(tmp_path, content, expected):
    assert expected in error_for(tmp_path, content)


@pytest.mark.parametrize(
    ("change", "place", "expected"),
    [
        (
            lambda raw: raw["graph"]["nodes"][2].update(position="left"),
            "graph.nodes[2].position",
            "not of type 'array'",
        ),
        (
            lambda raw: raw["graph"]["nodes"][1].update(kind="warp_drive"),
            "graph.nodes[1].kind",
            "unknown layer kind 'warp_drive'",
        ),
        (
            lambda raw: raw["graph"]["nodes"][3].update(id="n1"),
            "graph.nodes[3].id",
            "used twice",
        ),
        (
            lambda raw: raw["graph"]["edges"][0].update(target="nowhere"),
            "graph.edges[0].target",
            "no node 'nowhere'",
        ),
        (
            lambda raw: raw["graph"]["edges"][0].update(target_port="side"),
            "graph.edges[0]",
            "no input 'side'",
        ),
        (
            lambda raw: raw["graph"]["nodes"][1]["params"].update(colour="red"),
            "graph.nodes[1].params",
            "no param 'colour'",
        ),
        (
            lambda raw: raw["graph"]["nodes"][1].update(position=[1e300, 0]),
            "graph.nodes[1].position[0]",
            "greater than the maximum",
        ),
    ],
)
def test_errors_name_the_place_in_the_file(tmp_path, change, place, expected):
    message = error_for(tmp_path, mutated(change))
    assert f": {place}: " in message
    assert expected in message


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ProjectError, match="cannot be read"):
        load_project(tmp_path / "absent.json")


def test_out_of_range_param_loads_and_is_diagnosed(tmp_path):
    raw = valid_raw()
    raw["graph"]["nodes"][1]["params"]["units"] = -3
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    project = load_project(path)
    report = Analyzer(project.graph).report()
    assert not report.ok
    assert "Dense 'hidden1': param 'units': -3 is below the minimum 1" in {
        diagnostic.message for diagnostic in report.errors
    }
    resaved = save_project(project, tmp_path / "resaved.json")
    assert json.loads(resaved.read_text())["graph"]["nodes"][1]["params"]["units"] == -3


def test_windows_saved_before_per_side_sizes_and_ceil_mode_load_unchanged(tmp_path):
    raw = json.loads((PROJECTS / "lenet5_digits.json").read_text(encoding="utf-8"))
    for node in raw["graph"]["nodes"]:
        node["params"].pop("ceil_mode", None)  # as files written before pools had it
    path = tmp_path / "old.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    project = load_project(path)
    params = {node.name: node.params for node in project.graph.nodes()}
    assert params["conv1"]["kernel_size"] == 5 and params["pool1"]["ceil_mode"] is False
    assert Analyzer(project.graph).report().total_params == 61_706
    changed = project.graph.find("conv2").id
    project.graph.set_param(changed, "kernel_size", [1, 5])
    saved = json.loads(save_project(project, tmp_path / "new.json").read_text())
    (conv2,) = [node for node in saved["graph"]["nodes"] if node["id"] == changed]
    assert conv2["params"]["kernel_size"] == [1, 5]
    assert load_project(tmp_path / "new.json").graph.node(changed).params["kernel_size"] == (1, 5)


def test_renamed_kind_ids_still_load(tmp_path, monkeypatch):
    from nodes import REGISTRY

    monkeypatch.setitem(REGISTRY._renamed, "linear", "dense")
    raw = valid_raw()
    raw["graph"]["nodes"][1]["kind"] = "linear"
    path = tmp_path / "old.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert load_project(path).graph.node(raw["graph"]["nodes"][1]["id"]).kind == "dense"


def test_a_failed_save_leaves_the_old_file_and_no_litter(tmp_path, monkeypatch):
    path = tmp_path / "project.json"
    project = load_project(PROJECTS / "mlp_iris.json")
    save_project(project, path)
    before = path.read_bytes()
    project.name = "changed"

    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        save_project(project, path)
    assert path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir()] == ["project.json"]


def test_an_untitled_project_takes_its_file_name_when_saved(tmp_path, monkeypatch):
    project = load_project(PROJECTS / "mlp_iris.json")
    project.name, project.path = "Untitled", None

    def refuse(*args):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(os, "replace", refuse)
        with pytest.raises(OSError):
            save_project(project, tmp_path / "lost.json")
    assert (project.name, project.path) == ("Untitled", None)  # not saved: still untitled
    save_project(project, tmp_path / "iris net.json")
    assert project.name == "iris net" == load_project(tmp_path / "iris net.json").name
    save_project(project, tmp_path / "copy.json")
    assert load_project(tmp_path / "copy.json").name == "iris net"


def test_a_file_without_a_name_takes_its_file_name_when_loaded(tmp_path):
    raw = json.loads((PROJECTS / "mlp_iris.json").read_text(encoding="utf-8"))
    del raw["name"]
    (tmp_path / "flowers.json").write_text(json.dumps(raw), encoding="utf-8")
    project = load_project(tmp_path / "flowers.json")
    assert project.name == "flowers"
    saved = save_project(project, tmp_path / "copy.json")
    assert load_project(saved).name == "flowers"


def test_hostile_names_are_data_and_never_run(tmp_path):
    sentinel = tmp_path / "pwned"
    payload = (
        f"x'); open({str(sentinel)!r}, 'w') #\n\"\"\" __import__('os').system('touch {sentinel}')"
    )
    raw = valid_raw()
    raw["name"] = payload
    for node in raw["graph"]["nodes"]:
        node["name"] = payload
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    project = load_project(path)
    module, code = compile_graph(project.graph, project.name)
    namespace: dict = {}
    exec(compile(code.source, "hostile", "exec"), namespace)
    module(__import__("torch").zeros(2, 4))
    assert "open(" not in code.source
    assert "system" not in code.source or "__import__" not in code.source
    assert not sentinel.exists()


def test_saving_keeps_permissions_and_follows_links(tmp_path):
    import stat

    project = load_project(PROJECTS / "mlp_iris.json")
    target = tmp_path / "real.json"
    save_project(project, target)
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target)
    save_project(project, link)
    assert link.is_symlink() and stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_project_that_would_not_load_again_is_not_saved(tmp_path):
    project = load_project(PROJECTS / "mlp_iris.json")
    path = save_project(project, tmp_path / "p.json")
    before = path.read_bytes()
    project.graph.rename(project.graph.nodes()[0].id, "x" * 5000)
    with pytest.raises(ProjectError, match="cannot be saved"):
        save_project(project, path)
    assert path.read_bytes() == before
