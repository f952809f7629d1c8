"""A run started from another run's best checkpoint (training.init_from): the weights it starts
with, and the one clear message when the run, its checkpoint or the shapes do not fit."""

from __future__ import annotations

import ast
import pickle
import shutil

import pytest
import torch

from designer.cli import main as cli_main
from designer.compiler import Analyzer, generate, module_class
from designer.project import load_project, save_project
from designer.training import (
    ConfigError,
    RunStarted,
    Trainer,
    load_checkpoint,
    new_run,
    open_run,
    parse_training,
    prepare_run,
)
from designer.training.resume import resume_setup
from designer.training.settings_check import check_settings
from designer.training.settings_spec import SETTINGS, current, updated
from designer.training.start_weights import expected_state
from tests.helpers import EXAMPLES
from tests.script_helpers import (
    PINNED,
    app_epochs,
    as_printed,
    printed_epochs,
    run_script,
    saved_epochs,
    write_script,
)
from tests.train_helpers import example_copy

FAST = {"epochs": 2, "baseline": False}


def trained_run(project, **training):
    """A stored run of `project` (2 epochs unless told), returning its folder."""
    run = new_run(project.path)
    Trainer(prepare_run(project, **{**FAST, **training}), run).run()
    return run


def first_step_weights(setup) -> dict[str, torch.Tensor]:
    """The model's state as the run starts, before its first step."""
    seen = {}

    def listener(event):
        if isinstance(event, RunStarted):
            seen.update({k: v.clone() for k, v in trainer.model.state_dict().items()})

    trainer = Trainer(setup, listeners=[listener])
    trainer.run()
    return seen


def test_a_run_starts_from_the_best_checkpoint_of_the_run_named(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project, epochs=1)
    best = load_checkpoint(first.checkpoint("best"))["model"]
    project.training = {**project.training, "init_from": first.id}
    setup = prepare_run(project, **FAST)
    assert setup.start.source == f"run {first.id}'s best weights"
    weights = first_step_weights(setup)
    assert weights.keys() == best.keys()
    assert all(torch.equal(weights[name], best[name]) for name in best)


def test_the_best_checkpoint_goes_before_the_last(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    other = trained_run(project, epochs=1)
    run = trained_run(project, epochs=3)
    shutil.copy(other.checkpoint("best"), run.checkpoint("best"))
    project.training = {**project.training, "init_from": run.id}
    weights = first_step_weights(prepare_run(project, **FAST))
    best = load_checkpoint(other.checkpoint("best"))["model"]
    last = load_checkpoint(run.checkpoint("last"))["model"]
    assert all(torch.equal(weights[name], best[name]) for name in best)
    assert not all(torch.equal(weights[name], last[name]) for name in last)


def test_fresh_weights_without_init_from_and_the_last_checkpoint_without_a_best(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project)
    fresh = first_step_weights(prepare_run(project, **FAST))
    best = load_checkpoint(first.checkpoint("best"))["model"]
    assert not all(torch.equal(fresh[name], best[name]) for name in best)
    first.checkpoint("best").unlink()
    project.training = {**project.training, "init_from": first.id}
    setup = prepare_run(project, **FAST)
    last = load_checkpoint(first.checkpoint("last"))["model"]
    assert setup.start.source.endswith("last weights")
    weights = first_step_weights(setup)
    assert all(torch.equal(weights[name], last[name]) for name in last)


def test_the_new_run_records_where_it_started(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project)
    project.training = {**project.training, "init_from": first.id}
    second = trained_run(project)
    config = second.config()
    assert config["training"]["init_from"] == first.id
    assert config["started_from"] == str(first.checkpoint("best"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.stem)
def test_the_shapes_checked_on_the_meta_device_are_the_networks_own(path):
    project = load_project(path)
    network = module_class(generate(project.graph, Analyzer(project.graph).report(), "n"))
    meta = {name: tensor.shape for name, tensor in expected_state(network).items()}
    assert meta == {name: tensor.shape for name, tensor in network().state_dict().items()}


def test_a_missing_run_is_named_with_the_runs_there_are(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project)
    project.training = {**project.training, "init_from": "20000101-000000"}
    with pytest.raises(ConfigError) as caught:
        prepare_run(project, **FAST)
    assert caught.value.place == "training.init_from"
    assert "'20000101-000000' to start from is not among" in caught.value.message
    assert first.id in caught.value.message


def test_a_run_without_checkpoints_is_refused(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project)
    for kind in ("best", "last"):
        first.checkpoint(kind).unlink()
    project.training = {**project.training, "init_from": first.id}
    with pytest.raises(ConfigError, match="has no checkpoint to start from"):
        prepare_run(project, **FAST)


def test_changed_shapes_and_layers_are_named(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project)
    hidden = project.graph.find("hidden1")
    project.graph.set_param(hidden.id, "units", 32)
    project.training = {**project.training, "init_from": first.id}
    with pytest.raises(ConfigError) as caught:
        prepare_run(project, **FAST)
    message = caught.value.message
    assert f"the weights of run {first.id} no longer fit the network" in message
    assert "layer 'hidden1' (hidden1.weight) is 16x4 in the run, 32x4 now" in message
    assert "layer 'hidden2' (hidden2.weight) is 16x16 in the run, 16x32 now" in message
    assert "hidden1.bias" in message


def test_a_pickle_that_runs_code_is_refused(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project)
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    state = torch.load(first.checkpoint("best"), weights_only=True)
    torch.save({**state, "payload": Payload()}, first.checkpoint("best"))
    pickle.loads(pickle.dumps(Payload())).close()  # unpickled freely, it runs
    assert marker.exists()
    marker.unlink()
    project.training = {**project.training, "init_from": first.id}
    with pytest.raises(ConfigError, match="damaged or not a NetDesigner checkpoint"):
        prepare_run(project, **FAST)
    assert not marker.exists()


def test_init_from_must_be_a_text_and_the_settings_form_keeps_it():
    assert parse_training({"init_from": "20250101-120000"}).init_from == "20250101-120000"
    assert parse_training({}).init_from == ""
    with pytest.raises(ConfigError, match=r"training\.init_from: must be a non-empty text"):
        parse_training({"init_from": 3})
    sections = {"dataset": {"source": "iris"}, "training": {"init_from": "20250101-120000"}}
    values = {setting.place: current(setting, sections) for setting in SETTINGS}
    values["training.epochs"] = 6
    training = updated(sections, values)["training"]
    assert training == {"epochs": 6, "init_from": "20250101-120000"}
    check_settings(sections["dataset"], training, None)


def test_resuming_does_not_need_the_first_run_again(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    first = trained_run(project)
    project.training = {**project.training, "init_from": first.id}
    second = trained_run(project)
    first.checkpoint("best").unlink()
    first.checkpoint("last").unlink()
    setup = resume_setup(project, open_run(project.path, second.id), epochs=3)
    assert setup.start is None
    assert Trainer(setup, second, resume=True).run().reason == "completed"


def test_the_command_line_starts_from_the_project_setting_or_its_flag(tmp_path, capsys):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    first = trained_run(project)
    project.training = {**project.training, "init_from": first.id}
    save_project(project)
    assert cli_main(["train", str(project.path), "--epochs", "1"]) == 0
    assert f"starting from run {first.id}'s best weights" in capsys.readouterr().out
    project = load_project(project.path)
    project.training = {k: v for k, v in project.training.items() if k != "init_from"}
    save_project(project)
    assert cli_main(["train", str(project.path), "--epochs", "1", "--init-from", "nope"]) == 2
    assert "the run 'nope' to start from is not among" in capsys.readouterr().err


def test_the_exported_script_starts_from_the_same_checkpoint_and_trains_like_the_app(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    first = trained_run(project)
    project.training = {**project.training, "init_from": first.id}
    script = write_script(project, tmp_path)
    (settings,) = (
        node.value
        for node in ast.parse(script.read_text()).body
        if isinstance(node, ast.Assign) and node.targets[0].id == "TRAINING_SETTINGS"
    )
    defaults = {item.arg: item.value for item in settings.keywords}
    assert ast.literal_eval(defaults["init_weights"]) == str(first.checkpoint("best"))
    output = run_script(script, "--epochs", "2", *PINNED, "--output", "out")
    app, _ = app_epochs(project, 2)
    assert printed_epochs(output) == [as_printed(record) for record in app]
    assert saved_epochs(tmp_path / "out") == app
    fresh = run_script(script, "--epochs", "2", *PINNED, "--output", "fresh", "--init-weights", "")
    assert printed_epochs(fresh) != printed_epochs(output)
