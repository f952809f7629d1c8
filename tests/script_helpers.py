"""Helpers for the training-script tests: small projects on every data source, running an
exported script and reading back the scores it printed and saved."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from designer.export.script import training_script
from designer.model import GraphDocument
from designer.project import Project, save_project
from designer.training import EpochDone, Trainer, prepare_run
from tests.helpers import chain

# Both sides train with one torch thread, so that no reduction can split differently.
PINNED = ("--threads", "1", "--device", "cpu")
EPOCH_LINE = re.compile(r"^epoch (\d+)/\d+ (.*)$", re.MULTILINE)


def small_project(
    folder: Path,
    dataset: dict[str, Any],
    shape: tuple[int, ...],
    layers: list[tuple[str, str, dict]],
    training: dict[str, Any] | None = None,
    dtype: str = "float",
    name: str = "Small test",
) -> Project:
    """A project saved in `folder`: Input of `shape` -> `layers` -> Output."""
    doc = GraphDocument()
    start = doc.add_node("input", "samples", {"shape": shape, "dtype": dtype})
    last = chain(doc, start, layers)
    output = doc.add_node("output", "prediction")
    doc.connect(last.id, "out", output.id, "in")
    settings = {"batch_size": 16, "seed": 3, **(training or {})}
    project = Project(name, "", doc, dataset, settings)
    save_project(project, folder / "project.json")
    return project


def write_script(project: Project, folder: Path) -> Path:
    path = folder / "model.py"
    path.write_text(training_script(project).source, encoding="utf-8")
    return path


def run_script(script: Path, *arguments: str, timeout: float = 240) -> str:
    """Run the script as `python model.py ...` in its folder; its output, or a failure with
    both streams."""
    result = subprocess.run(
        [sys.executable, script.name, *arguments],
        cwd=script.parent,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def printed_epochs(output: str) -> list[dict[str, str]]:
    """Each epoch line's `name=value` pairs, values as printed."""
    return [
        dict(pair.split("=", 1) for pair in line.split()) for _, line in EPOCH_LINE.findall(output)
    ]


def saved_epochs(folder: Path) -> list[dict[str, float]]:
    """metrics.json's records without the epoch number and the time taken."""
    history = json.loads((folder / "metrics.json").read_text())
    return [
        {k: v for k, v in record.items() if k not in ("epoch", "seconds")} for record in history
    ]


def app_epochs(project: Project, epochs: int) -> tuple[list[dict[str, float]], Trainer]:
    """The in-app trainer's scores per epoch for the same project, epochs, seed and threads,
    named as the script names them; and the trainer (its model holds the kept weights)."""
    trainer = Trainer(prepare_run(project, epochs=epochs, threads=1, device="cpu"))
    records = [
        {
            **{f"train_{name}": value for name, value in event.train.items()},
            **{f"val_{name}": value for name, value in event.val.items()},
            "lr": event.lr,
        }
        for event in trainer.events()
        if isinstance(event, EpochDone)
    ]
    return records, trainer


def as_printed(record: dict[str, float]) -> dict[str, str]:
    return {name: f"{value:.6g}" for name, value in record.items()}


def dense_chain(*units: int) -> list[tuple[str, str, dict]]:
    """Dense layers with ReLUs between them."""
    layers: list[tuple[str, str, dict]] = []
    for index, count in enumerate(units):
        if layers:
            layers.append(("relu", f"relu{index}", {}))
        layers.append(("dense", f"dense{index}", {"units": count}))
    return layers


def source_projects(folder: Path) -> dict[str, Project]:
    """One small project per data source beyond the examples, each with other settings for
    the optimizer, schedule, clipping, precision and early stopping, so that together they
    cover every part of the script."""
    rng = np.random.default_rng(7)
    projects: dict[str, Project] = {}

    def make(key: str, *args: Any, **kwargs: Any) -> None:
        (folder / key).mkdir()
        projects[key] = small_project(folder / key, *args, **kwargs)

    make(
        "sine_waves",
        {"source": "sine_waves", "samples": 120, "length": 16},
        (16, 1),
        [("flatten", "flat", {}), *dense_chain(8, 3)],
        {
            "optimizer": {"name": "rmsprop", "lr": 0.01, "momentum": 0.5},
            "schedule": {"name": "plateau", "patience": 0, "factor": 0.5},
            "clip": {"value": 0.5},
            "monitor": "val_accuracy",
        },
    )
    make(
        "diabetes",
        {"source": "diabetes", "split": {"val": 0.25, "test": 0.1, "seed": 2}},
        (10,),
        dense_chain(8, 1),
        {
            "optimizer": {"name": "sgd", "lr": 0.01, "nesterov": True, "weight_decay": 0.001},
            "schedule": {"name": "step", "step_size": 1, "gamma": 0.5},
            "monitor": "val_mae",
        },
    )
    make(
        "breast_cancer",
        {"source": "breast_cancer"},
        (30,),
        dense_chain(1),
        {
            "optimizer": {"name": "adamw", "lr": 0.01, "betas": [0.8, 0.99]},
            "schedule": {"name": "cosine", "min_lr": 0.0001},
            "clip": {"norm": 1.0},
            "mixed_precision": True,
        },
    )
    counts = rng.integers(0, 6, size=(80, 6))
    np.savez(folder / "counts.npz", x=counts, y=counts.argmax(axis=1) % 4)
    make(
        "npz_integers",
        {"source": "npz", "path": "../counts.npz"},
        (6,),
        dense_chain(8, 4),
        {"optimizer": {"name": "adagrad", "lr": 0.05}, "restore_best": False},
    )
    kinds = rng.choice(["setosa", "10", "2", "virginica"], size=70)
    values = rng.normal(size=(70, 3)).round(3)
    rows = [f"{a},{b},{c},{kind}" for (a, b, c), kind in zip(values, kinds, strict=True)]
    (folder / "flowers.csv").write_text("a,b,c,kind\n" + "\n".join(rows) + "\n")
    make(
        "csv_classes",
        {"source": "csv", "path": "../flowers.csv", "features": ["c", "a"]},
        (2,),
        dense_chain(6, 4),
        {"early_stopping": {"patience": 1}, "monitor": "val_f1"},
    )
    make(
        "csv_values",
        {
            "source": "csv",
            "path": "../flowers.csv",
            "target": "b",
            "features": ["a", "c"],
            "standardize_target": False,
        },
        (2,),
        dense_chain(5, 1),
        {"schedule": {"name": "one_cycle"}, "loss": "smooth_l1"},
    )
    make(
        "tokens_sort",
        {"source": "tokens", "samples": 96, "length": 5, "vocabulary": 7},
        (5,),
        [("embedding", "embed", {"vocab_size": 7, "dim": 6}), ("dense", "head", {"units": 7})],
        dtype="long",
    )
    make(
        "tokens_majority",
        {"source": "tokens", "task": "majority", "samples": 150, "length": 6},
        (6,),
        [
            ("embedding", "embed", {"vocab_size": 10, "dim": 4}),
            ("flatten", "flat", {}),
            *dense_chain(10),
        ],
        dtype="long",
    )
    make_images(folder / "pictures", {"circle": 7, "square": 6, "wave": 6}, rng)
    make(
        "image_folder",
        {"source": "image_folder", "path": "../pictures", "image_size": [5, 6], "color": "rgb"},
        (3, 5, 6),
        [("flatten", "flat", {}), *dense_chain(3)],
    )
    make(
        "image_folder_augmented",
        {
            "source": "image_folder",
            "path": "../pictures",
            "image_size": [5, 6],
            "color": "rgb",
            "augment": {"crop": "padded", "crop_padding": 1, "flip": True, "color_jitter": 0.3},
            "normalize": True,
            "memory_budget": 1,
            "cache": False,
        },
        (3, 5, 6),
        [("flatten", "flat", {}), *dense_chain(3)],
        {"workers": 1},
    )
    features = rng.normal(size=(60, 5)).astype(np.float32)
    np.save(folder / "features.npy", features)
    np.save(folder / "labels.npy", (features[:, :3] > 0).astype(np.float32))
    make(
        "npy_multilabel",
        {
            "source": "npy",
            "path": "../features.npy",
            "targets": "../labels.npy",
            "task": "multilabel",
        },
        (5,),
        dense_chain(3),
    )
    make(
        "digits_autoencoder",
        {"source": "digits", "target": "input", "split": {"val": 0.1, "test": 0.0}},
        (1, 8, 8),
        [("flatten", "flat", {}), *dense_chain(12, 64), ("reshape", "back", {"shape": [1, 8, 8]})],
        {"batch_size": 128},
    )
    return projects


def make_images(root: Path, classes: dict[str, int], rng: np.random.Generator) -> None:
    for number, (name, count) in enumerate(classes.items()):
        (root / name).mkdir(parents=True)
        for index in range(count):
            pixels = rng.integers(0, 80, size=(9, 11, 3)) + 60 * number
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{index}.png")
        (root / name / "notes.txt").write_text("not an image")


# Runs several scripts as __main__ one after another in one Python process: each would
# otherwise spend seconds importing torch.
DRIVER = """
import os, runpy, sys
split = sys.argv.index("--")
arguments, paths = sys.argv[1:split], sys.argv[split + 1 :]
for path in paths:
    os.chdir(os.path.dirname(path))
    sys.argv = [os.path.basename(path), *arguments]
    print("=== " + path, flush=True)
    runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_scripts(scripts: list[Path], *arguments: str, timeout: float = 600) -> dict[Path, str]:
    """Each script's output, all run as `python model.py ...` would run them."""
    result = subprocess.run(
        [sys.executable, "-c", DRIVER, *arguments, "--", *map(str, scripts)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    pieces = result.stdout.split("=== ")[1:]
    return {Path(piece.split("\n", 1)[0]): piece.split("\n", 1)[1] for piece in pieces}
