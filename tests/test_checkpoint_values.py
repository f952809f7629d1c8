"""Checkpoints whose values are wrong (not tensors, not finite, entries of the wrong type) or that
hold pickled objects: a one-line message naming the file and the first wrong entries, on export,
resume, init-from and in the exported script; nothing is marked failed and no code runs."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import torch

from designer.cli import main
from tests.payload_helpers import Payload, trained_iris
from tests.script_helpers import write_script


@pytest.fixture
def trained(tmp_path):
    return trained_iris(tmp_path)


def change(path, **entries) -> None:
    state = torch.load(path, weights_only=True)
    state.update(entries)
    torch.save(state, path)


def model_of(path) -> dict[str, torch.Tensor]:
    return torch.load(path, weights_only=True)["model"]


def failure(capsys, code: int) -> str:
    """The one line a failed command printed, with no traceback."""
    output = capsys.readouterr()
    assert code != 0, output.out
    assert "Traceback" not in output.err + output.out
    (line,) = output.err.splitlines()
    return line


def export(project, run, tmp_path) -> int:
    script = tmp_path / "out" / "iris.py"
    script.parent.mkdir(exist_ok=True)
    return main(["export", str(project.path), "-o", str(script), "--weights", run.id])


def test_export_refuses_weights_that_are_not_tensors(trained, tmp_path, capsys):
    project, run = trained
    best = run.checkpoint("best")
    change(best, model={name: 1 for name in model_of(best)})
    line = failure(capsys, export(project, run, tmp_path))
    assert f"{best}'s model holds entries that are not tensors: 'hidden1.weight' (int)" in line
    assert "and 1 more" in line  # six tensors, five named
    assert not (tmp_path / "out" / "iris.safetensors").exists()


def test_export_refuses_a_model_that_is_not_a_mapping(trained, tmp_path, capsys):
    project, run = trained
    best = run.checkpoint("best")
    change(best, model=[1, 2])
    line = failure(capsys, export(project, run, tmp_path))
    assert f"{best}'s model is not a set of tensors by name (it is a list)" in line


def test_export_refuses_weights_that_are_not_finite(trained, tmp_path, capsys):
    project, run = trained
    best = run.checkpoint("best")
    model = model_of(best)
    model["hidden2.bias"][0] = math.nan
    change(best, model=model)
    line = failure(capsys, export(project, run, tmp_path))
    assert f"{best}'s model holds values that are not finite (NaN or infinite) in" in line
    assert line.endswith("in hidden2.bias")


def test_export_names_the_tensors_that_do_not_fit(trained, tmp_path, capsys):
    project, run = trained
    best = run.checkpoint("best")
    model = model_of(best)
    model["hidden1.weight"] = torch.zeros(2, 2)
    del model["classes.bias"]
    change(best, model=model)
    line = failure(capsys, export(project, run, tmp_path))
    assert f"{best}: the weights do not fit this network: missing classes.bias" in line
    assert "hidden1.weight (2x2 in the file, 16x4 in the network)" in line


@pytest.mark.parametrize(
    ("entry", "value", "words"),
    [
        ("epoch", "two", "'epoch' is not a whole number from 1"),
        ("totals", [1, 2], "'totals' is not four running totals"),
        ("rng", {"torch": 1}, "'rng' is not random number generator states"),
        ("optimizer", {"state": {0: {"step": "x"}}, "param_groups": []}, "optimizer's state"),
        ("format", torch.ones(3), "has checkpoint format"),
    ],
)
def test_resume_refuses_a_checkpoint_with_entries_of_the_wrong_type(
    trained, capsys, entry, value, words
):
    project, run = trained
    last = run.checkpoint("last")
    change(last, **{entry: value})
    records = run.metrics_path.read_text(encoding="utf-8")
    line = failure(capsys, main(["train", str(project.path), "--resume", run.id]))
    assert str(last) in line and words in line
    assert run.metrics_path.read_text(encoding="utf-8") == records  # not marked failed


def test_resume_refuses_best_weights_that_are_not_tensors_before_training(trained, capsys):
    """The best weights come back at the end of the run: they are checked at its start."""
    project, run = trained
    best = run.checkpoint("best")
    change(best, model={name: 0 for name in model_of(best)})
    records = run.metrics_path.read_text(encoding="utf-8")
    code = main(["train", str(project.path), "--resume", run.id, "--epochs", "2"])
    line = failure(capsys, code)
    assert f"{best}'s model holds entries that are not tensors" in line
    assert run.metrics_path.read_text(encoding="utf-8") == records


def test_init_from_refuses_weights_that_are_not_tensors(trained, capsys):
    project, run = trained
    best = run.checkpoint("best")
    change(best, model={name: 0 for name in model_of(best)})
    code = main(["train", str(project.path), "--init-from", run.id])
    line = failure(capsys, code)
    assert "training.init_from: cannot start from run" in line
    assert f"{best}'s model holds entries that are not tensors" in line


def run_failing_script(script, *arguments: str) -> str:
    """The script's one-line complaint; it must end without a traceback."""
    result = subprocess.run(
        [sys.executable, script.name, *arguments],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    return line


def test_the_exported_script_refuses_a_pickled_payload_in_one_line(trained, tmp_path):
    project, _ = trained
    script = write_script(project, tmp_path)
    sentinel, payload = tmp_path / "pwned", tmp_path / "payload.pt"
    torch.save({"model": Payload(sentinel)}, payload)
    line = run_failing_script(script, "--epochs", "1", "--init-weights", str(payload))
    assert line.startswith(f"{payload} is damaged or not a NetDesigner checkpoint (")
    assert "never objects that could run code" in line
    assert not sentinel.exists()


def test_the_exported_script_names_weights_that_do_not_fit(trained, tmp_path):
    project, run = trained
    script = write_script(project, tmp_path)
    odd = tmp_path / "odd.pt"
    model = model_of(run.checkpoint("best"))
    model["classes.weight"] = torch.zeros(5, 16)
    torch.save({"model": model}, odd)
    line = run_failing_script(script, "--epochs", "1", "--init-weights", str(odd))
    assert line == (
        f"{odd}: the weights do not fit this network: other shapes: classes.weight "
        "(5x16 in the file, 3x16 in the network)"
    )
    torch.save({"model": {**model, "classes.weight": "x"}}, odd)
    line = run_failing_script(script, "--epochs", "1", "--init-weights", str(odd))
    assert line == f"{odd}'s model holds entries that are not tensors: 'classes.weight' (str)"
