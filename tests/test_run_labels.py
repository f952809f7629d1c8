"""Runs' readable names: a number kept from the start, the optimizer, the epochs and the time;
a name the user gives goes into title.txt and touches no other file of the run."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import date

from designer.training.run_labels import default_label
from designer.training.runs import list_runs, new_run, runs_root

CONFIG = {"resolved": {"epochs": 20, "optimizer": {"name": "adam", "lr": 0.003}}}


def started(project, config=CONFIG, records=()) -> object:
    """A new run of `project` as the trainer leaves it at its start (and after `records`)."""
    run = new_run(project)
    run.write_start(config, {"train": [0]}, "# the network\n")
    for record in records:
        run.append(record)
    return run


def contents(folder) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_default_label_says_what_the_run_set_out_to_do_and_when():
    today = date(2026, 12, 6)
    assert (
        default_label(3, "20261206-143205", CONFIG, 0, today)
        == "Run 3 \u00b7 Adam 0.003 \u00b7 20 epochs \u00b7 14:32"
    )
    assert default_label(3, "20261205-090000-2", CONFIG, 0, today).endswith("5 Dec 09:00")
    assert default_label(3, "20251205-090000", CONFIG, 0, today).endswith("5 Dec 2025 09:00")
    sgd = {"resolved": {"epochs": 1, "optimizer": {"name": "sgd", "lr": 1e-4}}}
    label = default_label(1, "renamed-folder", sgd, 0, today)
    assert label == "Run 1 \u00b7 SGD 0.0001 \u00b7 1 epoch"
    # A resumed run that went past its planned epochs says how many it did.
    assert "25 epochs" in default_label(3, "20261206-143205", CONFIG, 25, today)
    assert default_label(4, "x", {}, 0, today) == "Run 4"


def test_runs_are_numbered_from_their_start_and_keep_their_number(tmp_path):
    project = tmp_path / "net.json"
    first, second, third = (started(project) for _ in range(3))
    assert [run.number for run in list_runs(project)] == [1, 2, 3]
    assert first.title.startswith("Run 1 \u00b7 Adam 0.003 \u00b7 20 epochs \u00b7 ")
    shutil.rmtree(second.root)  # as Delete in the Runs tab does
    fourth = started(project)  # in the same second: it may take the deleted one's folder name
    assert [run.number for run in list_runs(project)] == [1, 3, 4]
    assert fourth.number == 4 and third.number == 3
    assert json.loads((fourth.root / "run.json").read_text()) == {"number": 4}


def test_runs_from_before_numbering_take_their_place_in_the_list(tmp_path):
    project = tmp_path / "net.json"
    for stamp in ("20260101-100000", "20260102-100000"):
        folder = runs_root(project) / stamp
        folder.mkdir(parents=True)
        (folder / "config.json").write_text(json.dumps(CONFIG))
    assert [run.number for run in list_runs(project)] == [1, 2]
    assert started(project).number == 3


def test_a_name_goes_into_title_txt_alone_and_an_empty_one_restores_the_default(tmp_path):
    project = tmp_path / "net.json"
    run = started(project, records=[{"epoch": 1, "step": 5, "val_loss": 0.5}])
    before = contents(run.root)
    run.rename("  adam   warm restart ")
    after = contents(run.root)
    assert run.title == "adam warm restart" and run.short_title == "adam warm restart"
    assert after.pop("title.txt")
    assert after == before  # config, metrics, split, model, number: untouched
    assert run.root.name == run.id and list_runs(project)[0].title == "adam warm restart"
    run.rename("")
    assert run.title.startswith("Run 1 \u00b7 ") and run.short_title == "Run 1"
    assert contents(run.root) == before
    run.rename(run.default_title)  # keeping the default is not a name of its own
    assert not run.title_path.exists()
