"""Run folders are untrusted input: a config.json, split.json, model.py or metrics.jsonl that is
binary, cut short, of the wrong structure or not a regular file makes the run damaged, with a
one-line message naming the folder, the file and what is wrong; nothing else is affected."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from designer.cli import main
from designer.training import Trainer, list_runs, new_run, prepare_run
from designer.training.run_files import RunDamaged
from tests.train_helpers import example_copy

FAST = {"epochs": 1, "batch_size": 16, "baseline": False, "threads": 1}
BINARY = b"\xff\xfe\x00\x81garbage"


def edited_json(path, **entries) -> None:
    path.write_text(json.dumps({**json.loads(path.read_text()), **entries}), encoding="utf-8")


def first_line_edited(path, **entries) -> None:
    first, *rest = path.read_text().splitlines()
    lines = [json.dumps({**json.loads(first), **entries}), *rest]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def cut(path) -> None:
    path.write_bytes(path.read_bytes()[:60])


def cut_inside(path) -> None:
    """The first line cut short, the lines after it whole: no write ends this way."""
    first, *rest = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([first[:30], *rest]))


# file, damage, what the message says about it
DAMAGES = {
    "config_list": ("config.json", lambda p: p.write_text("[1, 2]"), "has the wrong structure"),
    "config_text": ("config.json", lambda p: p.write_text('"abc"'), "'abc' is not of type"),
    "config_training_list": (
        "config.json",
        lambda p: edited_json(p, training=[1]),
        "has the wrong structure at training: [1] is not of type 'object'",
    ),
    "config_sections": (
        "config.json",
        lambda p: p.write_text('{"resolved": {}}'),
        "lacks the training and dataset settings",
    ),
    "config_binary": ("config.json", lambda p: p.write_bytes(BINARY), "is not UTF-8 text"),
    "config_cut": ("config.json", cut, "is cut short or not JSON"),
    "config_settings": (
        "config.json",
        lambda p: edited_json(p, training={"epochs": "many"}),
        "holds settings that do not parse: training.epochs",
    ),
    "config_fifo": ("config.json", lambda p: (p.unlink(), os.mkfifo(p)), "is not a regular file"),
    "config_folder": ("config.json", lambda p: (p.unlink(), p.mkdir()), "is not a regular file"),
    "split_binary": ("split.json", lambda p: p.write_bytes(BINARY), "is not UTF-8 text"),
    "split_indices": (
        "split.json",
        lambda p: edited_json(p, train=["x"]),
        "has the wrong structure at train.0",
    ),
    "model_binary": ("model.py", lambda p: p.write_bytes(BINARY), "is not UTF-8 text"),
    "model_cut": ("model.py", cut, "is cut short or not Python at line"),
    "metrics_binary": ("metrics.jsonl", lambda p: p.write_bytes(BINARY), "is not UTF-8 text"),
    "metrics_cut": ("metrics.jsonl", cut_inside, "line 1 is cut short or not JSON"),
    "metrics_list": (
        "metrics.jsonl",
        lambda p: p.write_text("[1]\n"),
        "line 1 has the wrong structure: [1] is not of type 'object'",
    ),
    "metrics_loss_text": (
        "metrics.jsonl",
        lambda p: first_line_edited(p, val_loss="low"),
        "line 1 has the wrong structure at val_loss",
    ),
    "metrics_fifo": (
        "metrics.jsonl",
        lambda p: (p.unlink(), os.mkfifo(p)),
        "is not a regular file",
    ),
}


@pytest.fixture
def two_runs(tmp_path):
    """mlp_iris with two finished runs (the second a copy of the first's folder)."""
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    first = new_run(project.path)
    Trainer(prepare_run(project), first).run()
    second = first.root.with_name(first.id + "-2")
    shutil.copytree(first.root, second)
    (second / "run.json").write_text(json.dumps({"number": 2}))
    return project, list_runs(project.path)


@pytest.mark.timeout(60)  # a FIFO read would block for ever
@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_run_is_named_and_nothing_else_is_affected(two_runs, capsys, damage):
    project, (damaged, sound) = two_runs
    name, spoil, words = DAMAGES[damage]
    path = damaged.root / name
    spoil(path)

    code = main(["train", str(project.path), "--resume", damaged.id])
    output = capsys.readouterr()
    assert code == 2 and "Traceback" not in output.err
    (line,) = output.err.splitlines()
    assert line.startswith(f"{project.path}: run {damaged.id} is damaged: {path} ")
    assert words in line

    listed = {run.id: run for run in list_runs(project.path)}
    assert set(listed) == {damaged.id, sound.id}
    problem = listed[damaged.id].problem
    assert problem.startswith(f"run {damaged.id} is damaged: {path} ") and words in problem
    assert listed[damaged.id].title.startswith("Run 1")
    assert listed[sound.id].problem is None
    assert [r["epoch"] for r in listed[sound.id].records() if "epoch" in r] == [1]


def test_the_other_runs_and_the_damaged_runs_weights_stay_usable(two_runs, tmp_path, capsys):
    project, (damaged, sound) = two_runs
    (damaged.root / "metrics.jsonl").write_bytes(BINARY)
    (damaged.root / "config.json").write_text("[]")
    assert main(["train", str(project.path), "--resume", damaged.id]) == 2
    assert main(["train", str(project.path), "--resume", sound.id, "--epochs", "2"]) == 0
    assert [r["epoch"] for r in sound.records() if "epoch" in r] == [1, 2]
    # The damaged run's checkpoints are checked on their own: they can be started from.
    assert main(["train", str(project.path), "--init-from", damaged.id]) == 0
    script = tmp_path / "out.py"
    assert main(["export", str(project.path), "-o", str(script), "--weights", damaged.id]) == 0
    assert "Traceback" not in capsys.readouterr().err


def test_an_undamaged_run_reads_back_what_it_wrote(two_runs):
    _, (run, _) = two_runs
    run.check()
    assert run.config()["training"]["epochs"] == 1
    assert run.records()[-1]["final"] == "completed"


@pytest.mark.timeout(60)  # a FIFO read would block for ever
def test_the_files_that_are_not_needed_are_only_read_when_regular(two_runs):
    """run.json and title.txt add a number and a name; damaged, the run keeps its defaults."""
    project, (run, _) = two_runs
    run.metadata_path.write_bytes(BINARY)
    os.mkfifo(run.title_path)
    again = next(listed for listed in list_runs(project.path) if listed.id == run.id)
    assert again.number == 1 and again.title.startswith("Run 1") and again.problem is None


def test_records_of_a_damaged_metrics_file_raise_a_run_error(two_runs):
    _, (run, _) = two_runs
    cut_inside(run.metrics_path)
    with pytest.raises(RunDamaged) as caught:
        run.records()
    assert caught.value.path == run.metrics_path


def test_a_record_cut_short_at_the_end_is_one_a_killed_run_was_writing(two_runs):
    """Its last line has no line end: left out, and the run is not damaged."""
    _, (run, _) = two_runs
    whole = run.records()
    data = run.metrics_path.read_bytes()
    run.metrics_path.write_bytes(data[: data.rindex(b"\n", 0, len(data) - 1) + 8])
    assert run.records() == whole[:-1]
