"""Sweeps end to end (slow): trials are runs in the runs folder, 2 at a time; the best trial
scores what a normal run with its values scores; the pruner stops a hopeless trial early; and
Ctrl+C mid-sweep followed by the same command continues the study to its count of trials."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from designer.cli import main
from designer.project import load_project, save_project
from designer.project.files import project_to_text
from designer.sweep.apply import apply_values
from designer.sweep.search import open_study, trial_values
from designer.sweep.space import read_space
from designer.sweep.sweep import Budget, Sweep, counted
from designer.sweep.trials import EPOCHS, INTERRUPTED, RUN
from designer.training import EpochDone, Trainer, prepare_run
from designer.training.runs import RunFolder, runs_root
from tests.train_helpers import example_copy

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def run_of(project, trial) -> RunFolder:
    folder = runs_root(project.path) / trial.user_attrs[RUN]
    assert (folder / "config.json").is_file() and (folder / "metrics.jsonl").is_file()
    return RunFolder(folder)


def epoch_records(run: RunFolder) -> list[dict]:
    return [record for record in run.records() if "epoch" in record]


@pytest.mark.timeout(120)
def test_a_sweep_of_eight_trials_two_at_a_time_runs_each_as_a_normal_run(tmp_path):
    project = example_copy(tmp_path, "sweep_iris", epochs=8)
    space = read_space(project)
    study, objective = open_study(project, space, None)
    heard = []
    interrupted = Sweep(project, space, study, objective, 2).run(Budget(8), heard.append)
    assert not interrupted
    trials = counted(study)
    assert len(trials) == len(heard) == 8
    assert {trial.state for trial in trials} <= {TrialState.COMPLETE, TrialState.PRUNED}
    assert len({trial.user_attrs[RUN] for trial in trials}) == 8
    for trial in trials:
        run = run_of(project, trial)
        values = trial_values(trial, space)
        rate = run.config()["training"]["optimizer"]["lr"]
        assert rate == values["training.optimizer.lr"]
        source = run.source()
        assert f"nn.Linear(4, {values['n2.units']})" in source
        assert f"nn.Linear({values['n2.units']}, {values['n4.units']})" in source
        assert len(epoch_records(run)) == trial.user_attrs[EPOCHS]

    best = study.best_trial
    used = run_of(project, best).config()["training"]
    normal = apply_values(project, space, trial_values(best, space))
    setup = prepare_run(normal, threads=used["threads"])
    scores = [
        event.val["loss"] for event in Trainer(setup).events() if isinstance(event, EpochDone)
    ]
    assert min(scores) == best.value

    # The best trial's values saved in the file: its run's weights then export with it.
    assert main(["sweep", str(project.path), "--apply", "best"]) == 0
    saved = load_project(project.path)
    assert project_to_text(apply_values(saved, space, trial_values(best, space))) == (
        project_to_text(saved)
    )
    assert saved.graph.node("n2").params["units"] == trial_values(best, space)["n2.units"]
    run_id = best.user_attrs[RUN]
    script = tmp_path / "best.py"
    assert main(["export", str(project.path), "-o", str(script), "--weights", run_id]) == 0
    assert script.is_file() and script.with_suffix(".safetensors").is_file()


@pytest.mark.timeout(120)
def test_the_median_pruner_stops_a_hopeless_trial_early(tmp_path):
    project = example_copy(tmp_path, "sweep_iris", epochs=12)
    project.sweep = {
        "pruner": {"name": "median", "startup_trials": 2, "warmup_epochs": 1},
        "params": [{"training": "optimizer.lr", "choices": [0.03, 0.01, 1e-6]}],
    }
    space = read_space(project)
    study, objective = open_study(project, space, None)
    for rate in (0.03, 0.01, 1e-6):  # two that learn, then one that cannot in 12 epochs
        study.enqueue_trial({"training.optimizer.lr": rate})
    Sweep(project, space, study, objective, 1).run(Budget(3), lambda trial: None)
    learned, learned_too, hopeless = study.trials
    assert learned.state == learned_too.state == TrialState.COMPLETE
    assert hopeless.state == TrialState.PRUNED
    assert hopeless.params == {"training.optimizer.lr": 1e-6}
    run = run_of(project, hopeless)
    assert len(epoch_records(run)) == hopeless.user_attrs[EPOCHS] < 12
    assert run.records()[-1]["final"] == "stopped"
    assert len(epoch_records(run_of(project, learned))) == 12


def sweep_command(path: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "designer.ui.launch",
        "sweep",
        str(path),
        "--trials",
        "4",
        "--jobs",
        "2",
    ]


def started(command: list[str]) -> subprocess.Popen:
    """The command in a process group of its own, as a terminal's foreground job, with Ctrl+C's
    default handling even where the test run ignores SIGINT."""
    return subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.timeout(150)
def test_ctrl_c_mid_sweep_then_the_same_command_continues_the_study(tmp_path):
    project = example_copy(tmp_path, "sweep_iris", epochs=25)
    project.training["early_stopping"] = {"patience": 0}
    project.sweep["pruner"] = {"name": "none"}
    save_project(project)
    first = started(sweep_command(project.path))
    try:
        assert first.stdout.readline().startswith("sweeping training.optimizer.lr")
        line = first.stdout.readline()  # the first trial that finished
        assert line.startswith("trial "), line + first.stderr.read()
        os.killpg(first.pid, signal.SIGINT)  # Ctrl+C in a terminal: to the whole group
        out, err = first.communicate(timeout=60)
    finally:
        first.kill()
    assert first.returncode == 130, err
    assert "Traceback" not in err and err.endswith("netdesigner: interrupted\n")
    assert "the same command continues the study" in out

    storage = f"sqlite:///{runs_root(project.path) / 'sweep.db'}"
    study = optuna.load_study(study_name="sweep_iris", storage=storage)
    done = len(counted(study))
    assert 1 <= done < 4
    cut_short = [trial for trial in study.trials if trial.user_attrs.get(INTERRUPTED)]
    assert all(trial.state == TrialState.FAIL for trial in cut_short)

    second = subprocess.run(
        sweep_command(project.path), cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith(
        f"sweeping training.optimizer.lr, hidden1.units, hidden2.units of {project.path} with "
        f"the tpe sampler, none pruner; study 'sweep_iris': {done} of 4 trials done"
    )
    study = optuna.load_study(study_name="sweep_iris", storage=storage)
    trials = counted(study)
    assert len(trials) == 4
    assert len(re.findall(r"^trial \d+ · ", second.stdout, re.MULTILINE)) == 4 - done
    retried = [json.dumps(trial.params, sort_keys=True) for trial in trials[done:]]
    for trial in cut_short:
        if trial.params:  # cut short while it ran: its values run first when the study goes on
            assert json.dumps(trial.params, sort_keys=True) in retried
    for trial in trials:
        run_of(project, trial)
