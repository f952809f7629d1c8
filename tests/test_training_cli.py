"""The train and lr-find commands: progress, final scores, metrics JSON, resume, bad data."""

from __future__ import annotations

import io
import json

from designer.cli import main
from designer.project import load_project, save_project
from designer.training import Trainer, list_runs, prepare_run
from designer.training.progress import ProgressPrinter
from tests.train_helpers import example_copy


def test_train_prints_progress_and_writes_the_final_scores(tmp_path, capsys):
    project = example_copy(tmp_path, "mlp_iris")
    scores_path = tmp_path / "scores.json"
    code = main(
        [
            "train",
            str(project.path),
            "--epochs",
            "2",
            "--seed",
            "1",
            "--threads",
            "1",
            "--metrics-json",
            str(scores_path),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "iris: 90 train / 30 val / 30 test samples of 4, 3 classes" in out
    assert "epoch 2/2: train loss" in out and "baseline (gradient boosting) val: accuracy" in out
    scores = json.loads(scores_path.read_text())
    assert {"loss", "accuracy"} <= set(scores["val"]) and "accuracy" in scores["test"]
    assert scores["baseline"]["model"] == "gradient boosting"
    assert "accuracy" in scores["baseline"]["val"]
    runs = list_runs(project.path)
    assert len(runs) == 1 and runs[0].id == scores["run"]
    resolved = json.loads(runs[0].config_path.read_text())["resolved"]
    assert resolved["seed"] == 1 and resolved["threads"] == 1

    code = main(["train", str(project.path), "--epochs", "3", "--resume", runs[0].id])
    out = capsys.readouterr().out
    assert code == 0 and "resuming after step 12" in out and "epoch 3/3" in out
    assert [r["epoch"] for r in runs[0].records() if "epoch" in r] == [1, 2, 3]


def test_train_reports_bad_data_and_bad_devices_without_a_traceback(tmp_path, capsys):
    project = example_copy(tmp_path, "mlp_iris")
    (tmp_path / "flowers.csv").write_text("a,b,c,d,kind\n1,2,3,4,x\n1,2,3\n")
    project.dataset = {"source": "csv", "path": "flowers.csv"}
    save_project(project)
    assert main(["train", str(project.path)]) == 2
    error = capsys.readouterr().err
    assert "flowers.csv line 3: 3 values but the header has 5 columns (ragged row)" in error
    assert "Traceback" not in error
    assert main(["train", str(project.path), "--device", "quantum"]) == 2
    assert "training.device: unknown device 'quantum'" in capsys.readouterr().err
    assert main(["train", str(project.path), "--resume", "nope"]) == 2
    assert "--resume: no run 'nope' for mlp_iris.json (runs: none yet)" in capsys.readouterr().err
    project.dataset = {"source": "iris"}
    save_project(project)
    (tmp_path / "runs").write_text("a file where the runs folder goes")
    assert main(["train", str(project.path)]) == 2
    error = capsys.readouterr().err
    assert f"the run's folder: cannot write {tmp_path / 'runs' / 'mlp_iris'} (Not a dir" in error
    assert "Traceback" not in error


def test_lr_find_proposes_and_can_save_a_rate(tmp_path, capsys):
    project = example_copy(tmp_path, "mlp_iris")
    save_project(project)
    assert main(["lr-find", str(project.path), "--steps", "50", "--apply"]) == 0
    out = capsys.readouterr().out
    assert "suggested learning rate:" in out
    lr = load_project(project.path).training["optimizer"]["lr"]
    assert out.split("suggested learning rate: ")[1].startswith(f"{lr:.2e}")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_each_epoch_has_a_tqdm_bar_above_its_line(tmp_path):
    setup = prepare_run(example_copy(tmp_path, "mlp_iris", epochs=2, batch_size=16))
    screen = Terminal()
    Trainer(setup, listeners=[ProgressPrinter(screen)]).run()
    text = screen.getvalue()
    steps = -(-len(setup.data.train) // 16)
    for epoch in (1, 2):
        assert f"\repoch {epoch}/2:   0%|          | 0/{steps} [" in text  # its bar, drawn
        assert f"epoch {epoch}/2: train loss" in text  # the epoch's line, kept
    assert "batch/s]" in text
    plain = io.StringIO()  # not a terminal: the lines alone
    Trainer(setup, listeners=[ProgressPrinter(plain)]).run()
    assert "%|" not in plain.getvalue() and "epoch 2/2: train" in plain.getvalue()
