"""Discriminative fine-tuning and gradual unfreezing: frozen layers keep their weights and
statistics until their epoch and train after it at the backbone's rate, every schedule scales
both rates, the exported script trains exactly as the app does, a run resumed across the
unfreezing continues as if it never stopped, and bad settings say what is wrong."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from designer.data import SetupError
from designer.project import load_project, save_project
from designer.runtime.schedules import Schedule
from designer.runtime.settings import make_optimizer
from designer.training import (
    EpochDone,
    RunControl,
    RunStarted,
    StepDone,
    Trainer,
    new_run,
    parse_training,
    prepare_run,
)
from designer.training.lr_finder import find_lr
from tests.script_helpers import (
    PINNED,
    app_epochs,
    as_printed,
    printed_epochs,
    run_script,
    saved_epochs,
    small_project,
    write_script,
)

LAYERS = [
    ("conv2d", "conv", {"filters": 4, "kernel_size": 3}),
    ("batchnorm2d", "norm", {}),
    ("relu", "relu1", {}),
    ("flatten", "flat", {}),
    ("dense", "hidden", {"units": 16}),
    ("relu", "relu2", {}),
    ("dense", "head", {"units": 10}),
]
BACKBONE = ("conv", "norm", "hidden")
CONV = ("conv.weight", "conv.bias", "norm.weight", "norm.bias")
STATISTICS = ("norm.running_mean", "norm.running_var")


def frozen_project(folder: Path, **training):
    """8x8 digits through conv, batch norm and a hidden layer (all frozen) to a trained head,
    with AdamW (its weight decay must not touch a frozen weight either); `hidden` unfreezes at
    epoch 2 and the rest at epoch 3, at a tenth of the rate."""
    project = small_project(
        folder,
        {"source": "digits"},
        (1, 8, 8),
        LAYERS,
        {
            "epochs": 3,
            "batch_size": 64,
            "optimizer": {"name": "adamw", "lr": 0.01, "weight_decay": 0.01},
        },
    )
    node = {node.name: node.id for node in project.graph.nodes()}
    project.training |= {
        "freeze": [node[name] for name in BACKBONE],
        "unfreeze": [{"from": node["hidden"], "epoch": 2}, {"from": node["conv"], "epoch": 3}],
        "backbone_lr_factor": 0.1,
        "baseline": False,
        **training,
    }
    return project


def node_id(project, name: str) -> str:
    return next(node.id for node in project.graph.nodes() if node.name == name)


def snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


def test_frozen_layers_keep_their_weights_and_statistics_until_their_epoch(tmp_path):
    trainer = Trainer(prepare_run(frozen_project(tmp_path), threads=1))
    states, seen = [], {}
    for event in trainer.events():
        if isinstance(event, RunStarted | EpochDone):
            states.append(snapshot(trainer.model))  # before epoch 1, after each epoch
        if isinstance(event, StepDone):
            model = trainer.model
            seen.setdefault(event.epoch, set()).add(
                (
                    model.conv.weight.requires_grad,
                    model.hidden.weight.requires_grad,
                    model.norm.training,
                )
            )

    def changed(key: str) -> list[bool]:
        return [not torch.equal(states[e][key], states[e + 1][key]) for e in range(3)]

    for key in (*CONV, *STATISTICS):
        assert changed(key) == [False, False, True], key  # bit for bit until epoch 3
    for key in ("hidden.weight", "hidden.bias"):
        assert changed(key) == [False, True, True], key
    assert changed("head.weight") == [True, True, True]
    # (conv trains, hidden trains, batch norm in training mode) within each epoch
    assert seen == {1: {(False, False, False)}, 2: {(False, True, False)}, 3: {(True, True, True)}}
    head, backbone = trainer.optimizer.param_groups
    assert (head["lr"], backbone["lr"]) == (0.01, 0.01 * 0.1)
    assert len(head["params"]) == 2 and len(backbone["params"]) == 6


def test_the_backbone_group_is_there_from_the_start_and_every_schedule_scales_both(tmp_path):
    schedules = [
        {"name": "none"},
        {"name": "step", "step_size": 1, "gamma": 0.5},
        {"name": "cosine"},
        {"name": "one_cycle"},
        {"name": "plateau", "patience": 0, "factor": 0.5, "min_lr": 0.004},  # 3rd floored
    ]
    for kind in schedules:
        setup = prepare_run(frozen_project(tmp_path, schedule=kind))
        model, settings = setup.build_model(), setup.settings
        optimizer = make_optimizer(model, settings, settings.lr)
        schedule = Schedule(settings.schedule, optimizer, 3, 5, settings.lr)
        rates = []
        for _ in range(3):
            for _ in range(5):
                optimizer.step()  # no gradients: changes nothing
                if schedule.per_step:
                    schedule.after_step()
            schedule.after_epoch(1.0, lower_is_better=True)
            rates.append([group["lr"] for group in optimizer.param_groups])
        assert all(b == pytest.approx(a * 0.1, rel=1e-12) for a, b in rates), kind
        assert len({a for a, _ in rates}) == (1 if kind["name"] == "none" else 3), kind
    assert rates[-1] == pytest.approx([0.004, 0.0004])  # the plateau's floor, and a tenth
    # The finder sweeps both rates alike, keeping the backbone's share.
    swept = []
    original = torch.optim.AdamW.step

    def step(optimizer, *args, **kwargs):
        swept.append([group["lr"] for group in optimizer.param_groups])
        return original(optimizer, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(torch.optim.AdamW, "step", step)
        find_lr(setup, steps=4)
    assert len(swept) == 4 and all(b == pytest.approx(a * 0.1) for a, b in swept)


def test_layers_unfrozen_from_the_first_epoch_train_at_the_backbone_rate_only(tmp_path):
    """Discriminative fine-tuning without a frozen phase: unfreezing at epoch 1."""
    project = frozen_project(tmp_path, epochs=1)
    project.training["unfreeze"] = {"from": node_id(project, "conv"), "epoch": 1}
    project.training["freeze"].append(node_id(project, "head"))  # everything frozen at first
    trainer = Trainer(prepare_run(project))
    before = snapshot(trainer.setup.build_model())
    trainer.run()
    after = trainer.model.state_dict()
    assert not any(torch.equal(before[key], after[key]) for key in (*CONV, "head.weight"))
    (trained, backbone) = trainer.optimizer.param_groups
    assert trained["params"] == [] and len(backbone["params"]) == 8
    assert backbone["lr"] == trained["lr"] * 0.1


def test_a_project_file_keeps_the_settings(tmp_path):
    project = frozen_project(tmp_path)
    save_project(project, tmp_path / "saved.json")
    training = load_project(tmp_path / "saved.json").training
    assert training["unfreeze"] == project.training["unfreeze"]
    config = parse_training(training)
    hidden, conv = node_id(project, "hidden"), node_id(project, "conv")
    assert config.unfreeze == ((hidden, 2), (conv, 3)) and config.backbone_lr_factor == 0.1
    assert parse_training({"unfreeze": {"from": conv, "epoch": 1}}).unfreeze == ((conv, 1),)
    assert parse_training({}).unfreeze == () and parse_training({}).backbone_lr_factor == 1


def epochs_of(run) -> list[dict]:
    return [
        {key: value for key, value in record.items() if key != "seconds"}
        for record in run.records()
        if "epoch" in record
    ]


@pytest.mark.parametrize("stop_step", [5, 17, 20])
def test_a_run_resumed_across_the_unfreezing_continues_as_one_that_never_stopped(
    tmp_path, stop_step
):
    """Stopped within epoch 1 (before any unfreezing), at its end (epoch 2's unfreezing
    done, no step taken) or within epoch 2, and resumed: the same epochs and weights."""
    project = frozen_project(tmp_path, schedule="one_cycle")  # 17 steps an epoch
    whole_run = new_run(project.path)
    whole = Trainer(prepare_run(project, threads=1), whole_run)
    whole.run()

    broken_run = new_run(project.path)
    control = RunControl()

    def stop(event) -> None:
        if isinstance(event, StepDone) and event.step == stop_step:
            control.stop()

    stopped = Trainer(prepare_run(project, threads=1), broken_run, control, [stop]).run()
    assert stopped.reason == "stopped" and stopped.step == stop_step
    resumed = Trainer(prepare_run(project, threads=1), broken_run, resume=True)
    resumed.run()
    assert epochs_of(broken_run) == epochs_of(whole_run) and len(epochs_of(whole_run)) == 3
    kept, again = whole.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(kept[key], again[key]) for key in kept)
    assert [len(group["params"]) for group in resumed.optimizer.param_groups] == [2, 6]


def test_the_exported_script_trains_exactly_like_the_app(tmp_path):
    project = frozen_project(
        tmp_path, schedule={"name": "step", "step_size": 1, "gamma": 0.5}, restore_best=False
    )
    script = write_script(project, tmp_path)
    assert "backbone_lr_factor=0.1" in script.read_text()
    output = run_script(script, *PINNED, "--output", "out")
    app, trainer = app_epochs(project, 3)
    assert printed_epochs(output) == [as_printed(record) for record in app]
    assert saved_epochs(tmp_path / "out") == app  # bit for bit
    saved = torch.load(tmp_path / "out" / "last.pt", weights_only=True)
    rates = [group["lr"] for group in saved["optimizer"]["param_groups"]]
    assert rates == pytest.approx([0.01 / 8, 0.001 / 8])  # halved after each of 3 epochs
    # The same final weights, bit for bit: the layers unfrozen at epochs 2 and 3 trained in
    # the script as in the app.
    final, start = trainer.model.state_dict(), snapshot(trainer.setup.build_model())
    assert all(torch.equal(saved["model"][key], final[key]) for key in final)
    assert not any(torch.equal(saved["model"][key], start[key]) for key in (*CONV, *STATISTICS))


@pytest.mark.slow
def test_the_script_keeps_its_processes_in_step_when_layers_unfreeze(tmp_path):
    """Under torchrun, DDP is made again when layers unfreeze: otherwise the newly trained
    layers' gradients would not be averaged and the processes' weights would part."""
    project = frozen_project(tmp_path)
    script = write_script(project, tmp_path)
    anchor = '        print(f"checkpoints and metrics.json in {output_folder}", flush=True)\n'
    source = script.read_text()
    assert anchor in source
    save = '    torch.save(network.state_dict(), f"rank{rank}.pt")\n'  # each process's weights
    script.write_text(source.replace(anchor, anchor + save))
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc-per-node=2", "--log-dir", "logs", "--redirects", "3", script.name]
    command += [*PINNED, "--output", "out"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    first, second = (torch.load(tmp_path / f"rank{rank}.pt") for rank in (0, 1))
    trained = [key for key in first if "running" not in key and "batches" not in key]
    assert all(torch.equal(first[key], second[key]) for key in trained)
    history = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert len(history) == 3


def test_bad_settings_say_what_is_wrong(tmp_path):
    def refused(training: dict, place: str, message: str) -> None:
        with pytest.raises(SetupError, match=message) as caught:
            parse_training({"epochs": 5, **training})
        assert caught.value.place == place

    refused({"unfreeze": {"from": "n2", "epoch": 0}}, "training.unfreeze.epoch", "at least 1")
    refused(
        {"unfreeze": [{"from": "n2", "epoch": 2}, {"from": "n3", "epoch": 3, "at": 1}]},
        "training.unfreeze[1].at",
        "unknown setting",
    )
    refused({"unfreeze": [{"epoch": 2}]}, "training.unfreeze.from", "is required")
    refused({"unfreeze": "n2"}, "training.unfreeze", "must be an object")
    refused({"backbone_lr_factor": 0}, "training.backbone_lr_factor", "greater than 0")
    refused({"backbone_lr_factor": 2}, "training.backbone_lr_factor", "at most 1.0")

    project = frozen_project(tmp_path)
    steps = project.training["unfreeze"]

    def refused_run(unfreeze, place: str, message: str) -> None:
        project.training["unfreeze"] = unfreeze
        with pytest.raises(SetupError, match=message) as caught:
            prepare_run(project)
        assert caught.value.place == place

    refused_run(
        [steps[0], {"from": "n99", "epoch": 3}],
        "training.unfreeze[1].from",
        r"no node 'n99' in the network \(removed\?\)",
    )
    head = node_id(project, "head")
    refused_run(
        {"from": head, "epoch": 2},
        "training.unfreeze.from",
        rf"'head' \({head}\) is not frozen \(training.freeze\): only frozen layers unfreeze",
    )
    refused_run(
        [
            {"from": node_id(project, "conv"), "epoch": 2},
            {"from": node_id(project, "norm"), "epoch": 3},
        ],
        "training.unfreeze[1]",
        "unfreezes no layer with weights beyond those the other steps unfreeze by epoch 3",
    )
    project.training["unfreeze"] = steps
    assert prepare_run(project).warnings == ()
    project.training["schedule"] = {"name": "cosine", "min_lr": 0.002}
    assert prepare_run(project).warnings == (
        "the backbone's rate (0.001, training.backbone_lr_factor times the rate) is below "
        "training.schedule.min_lr (0.002): the cosine schedule raises it to that",
    )
    project.training["schedule"] = {"name": "cosine", "min_lr": 0.001}
    assert prepare_run(project).warnings == ()
    project.training["unfreeze"] = {"from": steps[0]["from"], "epoch": 9}  # a run cut short
    name = project.graph.node(steps[0]["from"]).name
    assert prepare_run(project).warnings == (
        f"training.unfreeze: epoch 9 comes after the run's last ({project.training['epochs']}, "
        f"training.epochs): the layers from {name!r} on stay frozen",
    )
    del project.training["unfreeze"]
    assert prepare_run(project).warnings == (
        "training.backbone_lr_factor is not used: no frozen layer is unfrozen (training.unfreeze)",
    )
