"""Safe loading: pickled code in a checkpoint or data file is refused; project files stay data."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

from designer.cli import main
from designer.data import DataError
from designer.project import load_project
from designer.training import (
    CheckpointError,
    Trainer,
    load_checkpoint,
    prepare_run,
)
from tests.payload_helpers import FAST, Payload, trained_iris
from tests.train_helpers import example_copy, with_dataset


def test_the_payload_is_real(tmp_path):
    """Without weights_only, loading runs it: what the checks below must prevent."""
    pickle.loads(pickle.dumps(Payload(tmp_path / "ran"))).close()
    assert (tmp_path / "ran").exists()


@pytest.fixture
def trained(tmp_path):
    return trained_iris(tmp_path)


def poison(path, sentinel, inside: bool) -> None:
    """Replace a checkpoint with the payload alone, or hide it inside a real checkpoint."""
    state = torch.load(path, weights_only=True) if inside else {}
    state["payload"] = Payload(sentinel)
    torch.save(state if inside else Payload(sentinel), path)


@pytest.mark.parametrize("inside", [False, True], ids=["alone", "inside"])
def test_a_pickled_payload_as_a_checkpoint_is_refused(trained, tmp_path, inside):
    project, run = trained
    sentinel = tmp_path / "pwned"
    poison(run.checkpoint("last"), sentinel, inside)
    with pytest.raises(CheckpointError) as caught:
        load_checkpoint(run.checkpoint("last"))
    assert str(caught.value).startswith(
        f"{run.checkpoint('last')} is damaged or not a NetDesigner checkpoint (Weights only load"
    )
    with pytest.raises(CheckpointError, match="is damaged or not a NetDesigner checkpoint"):
        list(Trainer(prepare_run(project), run, resume=True).events())
    assert not sentinel.exists()


def test_exporting_the_weights_of_a_poisoned_run_is_refused(trained, tmp_path, capsys):
    project, run = trained
    sentinel = tmp_path / "pwned"
    poison(run.checkpoint("best"), sentinel, inside=True)
    script = tmp_path / "out" / "iris.py"
    script.parent.mkdir()
    code = main(["export", str(project.path), "-o", str(script), "--weights", run.id])
    output = capsys.readouterr()
    assert code != 0
    assert f"{run.checkpoint('best')} is damaged or not a NetDesigner checkpoint" in output.err
    assert "Traceback" not in output.err + output.out
    assert not sentinel.exists()
    assert not (tmp_path / "out" / "iris.safetensors").exists()


def test_a_data_file_with_pickled_objects_is_refused(tmp_path):
    sentinel = tmp_path / "pwned"
    samples = np.empty(10, dtype=object)
    samples[:] = [Payload(sentinel)] * 10
    np.save(tmp_path / "x.npy", samples, allow_pickle=True)
    np.save(tmp_path / "y.npy", np.zeros(10, dtype=np.int64))
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    with_dataset(project, {"source": "npy", "path": "x.npy", "targets": "y.npy"})
    with pytest.raises(DataError, match=r"x\.npy holds Python objects \(object\), which are never"):
        prepare_run(load_project(project.path))
    assert not sentinel.exists()


@pytest.mark.parametrize(
    "hostile",
    [
        {"py/object": "os.system", "py/reduce": [{"py/function": "os.system"}, ["touch pwned"]]},
        "!!python/object/apply:os.system ['touch pwned']",
        {"__reduce__": ["os.system", ["touch pwned"]], "__class__": "os._wrap_close"},
        "cos\nsystem\n(S'touch pwned'\ntR.",
    ],
    ids=["jsonpickle", "yaml", "dunder", "pickle_text"],
)
def test_a_project_file_is_only_data(tmp_path, monkeypatch, hostile):
    """Payloads in the styles of jsonpickle, YAML and pickle, wherever a file holds free data,
    stay plain values: the file loads and runs nothing."""
    monkeypatch.chdir(tmp_path)
    raw = json.loads(example_copy(tmp_path, "mlp_iris").path.read_text(encoding="utf-8"))
    raw["name"] = raw["description"] = json.dumps(hostile)
    raw["dataset"]["extra"] = raw["training"]["extra"] = hostile
    raw["graph"]["nodes"][0]["name"] = json.dumps(hostile)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    project = load_project(path)
    assert project.dataset["extra"] == hostile and project.training["extra"] == hostile
    assert not (tmp_path / "pwned").exists()
