"""A project's search space: the sweep section read, checked against the graph and the
training settings (each bad entry refused with its place), saved in format 4, and one trial's
values applied to a copy of the project."""

from __future__ import annotations

import json

import pytest

from designer.cli import main
from designer.compiler import Analyzer
from designer.project import ProjectError, load_project, project_from_text
from designer.project.files import project_to_text
from designer.sweep.apply import apply_values
from designer.sweep.search import make_sampler
from designer.sweep.space import SweepError, read_space
from designer.training.config import parse_training
from tests.helpers import PROJECTS

SWEEP_IRIS = PROJECTS / "sweep_iris.json"


def iris_with(*params: dict, **section) -> dict:
    raw = json.loads(SWEEP_IRIS.read_text())
    raw["sweep"] = {**section, "params": list(params)}
    return raw


def space_of(raw: dict):
    project = project_from_text(json.dumps(raw), "p.json")
    return project, read_space(project)


def test_the_example_sweeps_the_learning_rate_and_both_hidden_layers():
    space = read_space(load_project(SWEEP_IRIS))
    assert [swept.label for swept in space.params] == [
        "training.optimizer.lr",
        "hidden1.units",
        "hidden2.units",
    ]
    rate, hidden1, _ = space.params
    assert (rate.kind, rate.low, rate.high, rate.log, rate.grid()) == (
        "float",
        0.001,
        0.1,
        True,
        None,
    )
    assert (hidden1.key, hidden1.grid()) == ("n2.units", [4, 8, 16, 32, 64])
    assert (space.sampler, space.pruner, space.startup_trials) == ("tpe", "median", 4)


@pytest.mark.parametrize(
    ("entry", "place", "words"),
    [
        ({"node": "n9", "param": "units", "choices": [4]}, "sweep.params[0].node", "no node 'n9'"),
        (
            {"node": "n2", "param": "unit", "choices": [4]},
            "sweep.params[0].param",
            "'hidden1' (n2) has no param 'unit' (its params: units, bias, per_position)",
        ),
        ({"node": "n2", "choices": [4]}, "sweep.params[0]", 'add "param"'),
        ({"choices": [4]}, "sweep.params[0]", "names a node"),
        (
            {"node": "n2", "param": "units", "training": "batch_size", "choices": [4]},
            "sweep.params[0]",
            "names a node",
        ),
        (
            {"node": "n2", "param": "units", "choices": [8, 0]},
            "sweep.params[0]",
            "hidden1.units cannot be 0: 0 is below the minimum 1",
        ),
        (
            {"node": "n2", "param": "units", "low": 2.5, "high": 8},
            "sweep.params[0]",
            "whole numbers",
        ),
        ({"node": "n2", "param": "units", "low": 8, "high": 8}, "sweep.params[0]", "below high"),
        (
            {"training": "optimizer.lr", "low": 0.0, "high": 0.1, "log": True},
            "sweep.params[0].low",
            "log range starts above 0",
        ),
        (
            {"training": "optimizer.lr", "low": 0.01, "high": 0.1, "step": 0.04},
            "sweep.params[0].step",
            "multiple of step",
        ),
        (
            {"node": "n2", "param": "units", "low": 4, "high": 64, "log": True, "step": 2},
            "sweep.params[0].step",
            "no step",
        ),
        (
            {"node": "n2", "param": "units", "choices": [4], "low": 1},
            "sweep.params[0]",
            "not both",
        ),
        ({"node": "n2", "param": "units"}, "sweep.params[0]", 'needs "choices"'),
        (
            {"training": "optimizer.rate", "choices": [0.1]},
            "sweep.params[0].training",
            "no training setting 'optimizer.rate'",
        ),
        (
            {"training": "optimizer.lr", "choices": [0.01, 20]},
            "sweep.params[0]",
            "training.optimizer.lr cannot be 20: training.optimizer.lr:",
        ),
        (
            {"training": "optimizer.momentum", "choices": [0.5]},
            "sweep.params[0]",
            "training.optimizer.momentum cannot be 0.5",
        ),
        (
            {"training": "optimizer.name", "low": 1, "high": 2},
            "sweep.params[0]",
            "a range needs a number",
        ),
        ({"training": "monitor", "choices": ["val_loss"]}, "sweep.params[0]", "no training"),
        ({"node": "n2", "param": "units", "choices": [4, 4]}, "sweep.params[0]", "twice"),
    ],
)
def test_a_bad_entry_is_refused_naming_its_place(entry, place, words):
    with pytest.raises(SweepError) as caught:
        space_of(iris_with(entry))
    assert caught.value.place.startswith(place) and words in caught.value.message


def test_the_same_param_swept_twice_is_refused_at_the_second():
    entry = {"node": "n2", "param": "units", "choices": [4, 8]}
    with pytest.raises(SweepError, match=r"sweeps n2\.units a second time"):
        space_of(iris_with(entry, {**entry, "choices": [16]}))


def test_a_training_section_that_cannot_train_is_named_before_the_sweep():
    raw = iris_with({"node": "n2", "param": "units", "choices": [4]})
    raw["training"]["epochs"] = 0
    with pytest.raises(SweepError) as caught:
        space_of(raw)
    assert caught.value.place == "training.epochs" and "at least 1" in caught.value.message


def test_a_project_without_a_sweep_section_says_so():
    with pytest.raises(SweepError, match="has no sweep section"):
        read_space(load_project(PROJECTS / "mlp_iris.json"))


def test_the_file_structure_of_the_section_is_checked_on_load():
    raw = iris_with({"node": "n2", "param": "units", "lowest": 3})
    with pytest.raises(ProjectError) as caught:
        project_from_text(json.dumps(raw), "p.json")
    assert caught.value.place == "sweep.params[0]" and "'lowest' was unexpected" in str(
        caught.value
    )
    raw = iris_with({"node": "n2", "param": "units", "choices": [4]}, sampler="bayes")
    with pytest.raises(ProjectError, match=r"sweep\.sampler"):
        project_from_text(json.dumps(raw), "p.json")


def test_the_grid_sampler_needs_every_value_countable():
    rate = {"training": "optimizer.lr", "low": 0.001, "high": 0.1, "log": True}
    _, space = space_of(iris_with(rate, sampler="grid"))
    with pytest.raises(SweepError, match="the grid sampler needs choices, or a step"):
        make_sampler(space, "p.json")
    stepped = {"training": "optimizer.lr", "low": 0.01, "high": 0.05, "step": 0.02}
    _, space = space_of(iris_with(stepped, {"node": "n2", "param": "units", "low": 4, "high": 6}))
    assert space.params[0].grid() == [0.01, 0.03, 0.05]
    assert space.params[1].grid() == [4, 5, 6]


def test_the_command_refuses_bad_input_in_one_line(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(iris_with({"node": "n2", "param": "units", "choices": [0]})))
    assert main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"netdesigner: {path}: sweep.params[0]: hidden1.units cannot be 0: 0 is below the "
        "minimum 1\n"
    )
    assert main(["sweep", str(PROJECTS / "mlp_iris.json")]) == 2
    assert "has no sweep section" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["sweep", str(path), "--jobs", "0"])
    assert "--jobs: must be 1 or more, got 0" in capsys.readouterr().err


def test_the_section_saves_in_format_4_and_a_project_without_one_as_before():
    project = load_project(SWEEP_IRIS)
    text = project_to_text(project)
    assert json.loads(text)["format_version"] == 4
    assert project_from_text(text).sweep == project.sweep
    plain = json.loads(project_to_text(load_project(PROJECTS / "mlp_iris.json")))
    assert plain["format_version"] == 1 and "sweep" not in plain
    older = json.loads(text) | {"format_version": 3}
    del older["sweep"]
    assert project_from_text(json.dumps(older)).sweep == {}


def test_a_trials_values_go_into_a_copy_of_the_project():
    project = load_project(SWEEP_IRIS)
    before = project_to_text(project)
    space = read_space(project)
    values = {"training.optimizer.lr": 0.05, "n2.units": 8, "n4.units": 64}
    trial = apply_values(project, space, values)
    assert project_to_text(project) == before
    assert trial.graph.node("n2").params["units"] == 8
    assert trial.graph.node("n4").params["units"] == 64
    assert parse_training(trial.training).optimizer.lr == 0.05
    assert trial.path == project.path and trial.sweep == project.sweep
    assert Analyzer(trial.graph).report().ok


def test_a_block_instances_params_and_an_optimizer_shorthand_are_swept():
    raw = json.loads((PROJECTS / "resnet_digits_blocks.json").read_text())
    raw["training"]["optimizer"] = "adam"  # the shorthand of {"name": "adam"}
    raw["format_version"] = 4
    raw["sweep"] = {
        "params": [
            {"node": "n5", "param": "repeat", "low": 1, "high": 3},
            {"node": "n6", "param": "channels", "choices": [32, 64]},
            {"training": "optimizer.name", "choices": ["adam", "sgd"]},
        ]
    }
    project, space = space_of(raw)
    trial = apply_values(
        project, space, {"n5.repeat": 2, "n6.channels": 64, "training.optimizer.name": "sgd"}
    )
    assert trial.graph.node("n5").params["repeat"] == 2
    assert trial.graph.node("n6").params["channels"] == 64
    assert trial.training["optimizer"] == {"name": "sgd"}
    assert project.training["optimizer"] == "adam"
    assert Analyzer(trial.graph).report().ok


def test_a_value_a_param_refuses_when_applied_is_named():
    project = load_project(SWEEP_IRIS)
    space = read_space(project)
    values = {"training.optimizer.lr": 0.05, "n2.units": -1, "n4.units": 64}
    with pytest.raises(SweepError, match=r"sweep.params\[1\]: hidden1.units cannot be -1"):
        apply_values(project, space, values)
    missing = {"training.optimizer.lr": 0.05, "n2.units": 8}
    with pytest.raises(SweepError, match=r"the trial has no value for hidden2\.units"):
        apply_values(project, space, missing)
