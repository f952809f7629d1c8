"""Pretrained weights as the tests make them: a seeded torchvision ResNet-18's tensors in a
temporary torch hub cache under the file name torchvision gives them, an image folder, and a
project's network started from its weights."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from designer.compiler import Analyzer, generate, module_class
from designer.importer.head import head_node
from designer.importer.weights import layer_attributes
from designer.project import save_project
from designer.runtime.vision import import_torchvision
from designer.training.start_weights import pretrained_start

FILE = "resnet18-f37072fd.pth"  # the name torchvision's ResNet18_Weights.IMAGENET1K_V1 has


def models():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return import_torchvision().models


def write_stand_in(torch_home: Path) -> Path:
    """Seeded ResNet-18 weights where torch's hub cache under `torch_home` keeps the published
    ones, under their name: what a run finds offline instead of ImageNet's."""
    folder = torch_home / "hub" / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(7)
    torch.save(models().resnet18().state_dict(), folder / FILE)
    return folder


def seeded_hub(tmp_path: Path, monkeypatch) -> Path:
    """torch's hub cache in tmp_path, holding seeded ResNet-18 weights under their name."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return write_stand_in(tmp_path / "torch")


def image_folder(root: Path, per_class: int = 3) -> Path:
    rng = np.random.default_rng(0)
    for number, name in enumerate(("cats", "dogs")):
        (root / name).mkdir(parents=True)
        for index in range(per_class):
            pixels = rng.integers(0, 100, size=(40, 40, 3)) + 100 * number
            Image.fromarray(pixels.astype(np.uint8)).save(root / name / f"{index}.png")
    return root


def with_images(project, tmp_path: Path, epochs: int = 1):
    project.dataset |= {  # as the weights want their images: 224x224, their mean and std
        "path": str(image_folder(tmp_path / "pictures")),
        "split": {"val": 0.34, "test": 0.0},
    }
    project.training |= {"epochs": epochs, "batch_size": 4, "workers": 0, "baseline": False}
    save_project(project, tmp_path / "transfer.json")
    return project


def started_network(project, state: dict) -> torch.nn.Module:
    """The project's network, in eval mode, from its start weights read from the file the
    published one stands in for (`state`, saved there by the caller); the new head, which
    the start weights leave out, gets the reference's tensors from `state`."""
    doc = project.graph
    start = project.training["start_weights"]
    network = module_class(generate(doc, Analyzer(doc).report(), project.name))
    found = pretrained_start({"check": "", **start}, network, {})  # as the config reads it
    head = head_node(doc)
    assert (
        head not in found.state
        and not found.complete
        and head not in project.training.get("freeze", [])
    )
    left_out = [theirs for theirs in state if theirs not in start["keys"].values()]
    attribute = layer_attributes(doc)[head]
    fresh = {f"{attribute}.{theirs.rsplit('.', 1)[1]}": state[theirs] for theirs in left_out}
    assert sorted(fresh) == [f"{attribute}.bias", f"{attribute}.weight"]
    mine = network().eval()
    mine.load_state_dict({**found.state, **fresh})
    return mine
