"""`netdesigner import MODULE.py:NAME --weights FILE`: the module's state dict (.pt or
.safetensors) checked against the module, recorded with its SHA-256 as the project's start
weights, from which a run and the exported script start alike; a file that changed, went
missing or belongs to another network is refused by name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from designer.cli import main
from designer.compiler import Analyzer, generate, module_class
from designer.data import SetupError
from designer.importer import ImportProblem, import_to_project, load_module
from designer.project import load_project, save_project
from designer.training import prepare_run
from designer.training.start_weights import pretrained_start
from tests.script_helpers import PINNED, app_epochs, printed_epochs, run_script, write_script

MODELS = """
import torch
from torch import nn


class Tabular(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.hidden = nn.Linear(30, width)
        self.norm = nn.BatchNorm1d(width)
        self.out = nn.Linear(width, 2)

    def forward(self, x):
        return self.out(torch.relu(self.norm(self.hidden(x))))


class Wider(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(30, 24)
        self.norm = nn.BatchNorm1d(24)
        self.extra = nn.Linear(24, 24)

    def forward(self, x):
        return self.extra(self.norm(self.hidden(x)))
"""


@pytest.fixture
def models(tmp_path: Path) -> Path:
    path = tmp_path / "models.py"
    path.write_text(MODELS)
    return path


def trained_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Seeded weights, with batch norm statistics moved from their start."""
    torch.manual_seed(11)
    for parameter in module.parameters():
        torch.nn.init.normal_(parameter)
    module.train()
    with torch.no_grad():
        for _ in range(3):
            module(torch.randn(8, 30) * 3 + 1)
    return module.state_dict()


def save_weights(state: dict[str, torch.Tensor], path: Path) -> Path:
    if path.suffix == ".safetensors":
        save_file(state, path)
    else:
        torch.save(state, path)
    return path


def imported(models: Path, weights: Path, tmp_path: Path):
    output = tmp_path / "tabular.json"
    _, lines = import_to_project(f"{models}:Tabular", ["30"], output, weights=weights)
    return load_project(output), lines


@pytest.mark.parametrize("suffix", [".pt", ".safetensors"])
def test_the_imported_network_computes_as_the_module_with_its_weights(models, tmp_path, suffix):
    module = load_module(f"{models}:Tabular")
    weights = save_weights(trained_state(module), tmp_path / f"weights{suffix}")
    project, lines = imported(models, weights, tmp_path)
    recorded = project.training["start_weights"]
    assert recorded["path"] == str(weights.resolve()) and len(recorded["check"]) == 64
    assert f"start weights: {weights.resolve()} (9 tensors" in "\n".join(lines)
    doc = project.graph
    network = module_class(generate(doc, Analyzer(doc).report(), project.name))
    start = pretrained_start(recorded, network, {})
    assert start.complete and start.path == weights.resolve()
    rebuilt = network()
    rebuilt.load_state_dict(start.state)
    x = torch.randn(5, 30)
    with torch.no_grad():
        difference = rebuilt.eval()(x) - module.eval()(x)
    assert float(difference.abs().max()) <= 1e-6


def test_weights_of_another_network_are_refused_naming_the_tensors(models, tmp_path, capsys):
    other = save_weights(
        load_module(f"{models}:Wider").state_dict(), tmp_path / "other.safetensors"
    )
    with pytest.raises(ImportProblem) as raised:
        imported(models, other, tmp_path)
    message = str(raised.value)
    assert message.startswith(f"{other}: is not a state dict of Tabular:")
    assert "missing from the file (2): out.weight, out.bias" in message
    assert "not in the module (2): extra.bias, extra.weight" in message
    assert (
        "other shapes (6): hidden.weight is 24x30 in the file, 16x30 in the module, "
        "hidden.bias is 24 in the file, 16 in the module, norm.weight is 24 in the file"
    ) in message
    output = tmp_path / "cli.json"
    spec = f"{models}:Tabular"
    assert main(["import", spec, "--input-shape", "30", "-o", str(output), "--weights", str(other)])
    assert "other shapes (6)" in capsys.readouterr().err and not output.exists()
    not_weights = tmp_path / "module.pt"
    torch.save(torch.nn.Linear(30, 2), not_weights)  # a whole module, pickled
    with pytest.raises(ImportProblem, match="cannot be read as tensors only"):
        imported(models, not_weights, tmp_path)


def with_data(project, folder: Path):
    project.dataset = {"source": "breast_cancer", "split": {"val": 0.2, "test": 0.0}}
    project.training |= {"epochs": 1, "batch_size": 32, "workers": 0, "baseline": False}
    save_project(project, folder / "tabular.json")
    return project


def test_a_changed_or_missing_file_is_named(models, tmp_path):
    weights = save_weights(trained_state(load_module(f"{models}:Tabular")), tmp_path / "w.pt")
    project = with_data(imported(models, weights, tmp_path)[0], tmp_path)
    setup = prepare_run(project)
    assert setup.start.describe() == f"w.pt ({weights.resolve()})"
    started = setup.build_model().state_dict()
    keys = project.training["start_weights"]["keys"]
    saved = torch.load(weights, weights_only=True)
    assert all(torch.equal(started[ours], saved[theirs]) for ours, theirs in keys.items())
    torch.save({name: tensor + 1 for name, tensor in saved.items()}, weights)
    with pytest.raises(SetupError, match=rf"{weights.resolve()} has changed since") as caught:
        prepare_run(project)
    assert caught.value.place == "training.start_weights"
    weights.unlink()
    with pytest.raises(SetupError, match=rf"start weights file {weights.resolve()} is missing"):
        prepare_run(project)


@pytest.mark.slow
def test_the_exported_script_starts_from_the_file_and_trains_as_the_app(models, tmp_path):
    weights = save_weights(
        trained_state(load_module(f"{models}:Tabular")), tmp_path / "w.safetensors"
    )
    project = with_data(imported(models, weights, tmp_path)[0], tmp_path)
    app, _ = app_epochs(project, 1)
    script = write_script(project, tmp_path)
    assert "FileWeights(" in script.read_text()
    printed = printed_epochs(run_script(script, *PINNED))
    assert [record["train_loss"] for record in printed] == [f"{app[0]['train_loss']:.6g}"]
    weights.write_bytes(weights.read_bytes() + b" ")  # no longer the recorded file
    ended = subprocess.run(
        [sys.executable, script.name, *PINNED],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert ended.returncode != 0 and "has changed since it was recorded" in ended.stderr


def test_start_weights_name_a_url_or_a_path_not_both():
    from designer.training.config import parse_training

    recorded = {"name": "w.pt", "path": "/w.pt", "check": "ab12", "keys": {"a": "b"}}
    assert parse_training({"start_weights": recorded}).start_weights == recorded
    with pytest.raises(SetupError, match=r"give url .* or path .*, not both") as caught:
        parse_training({"start_weights": {**recorded, "url": "https://example.org/w.pt"}})
    assert caught.value.place == "training.start_weights.path"
