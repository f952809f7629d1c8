"""Pretrained networks as projects: torchvision's classification models, listed with their
published figures, imported as editable graphs whose head is sized for the user's classes,
and whose start weights (the published file, by URL and hash) the project records."""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.importer.construction import recording_constructions
from designer.importer.errors import ImportProblem
from designer.importer.head import MAX_CLASSES, class_param, head_node, replace_head
from designer.importer.importing import ImportResult, block_lines, import_module
from designer.importer.timm_models import (
    COMMON,
    PREFIX,
    described,
    installed,
    timm_model,
    timm_name,
    timm_weights,
)
from designer.importer.unfreezing import Unfreezing, unfreeze_settings, unfreezing_line
from designer.importer.weights import layer_attributes, map_state_dict
from designer.model import GraphDocument
from designer.project import Project, save_project
from designer.runtime.vision import import_torchvision
from nodes import Role

AUXILIARY = ("googlenet", "inception_v3")  # built with auxiliary heads unless told
HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")  # torchvision's files: name-<sha256 prefix>.pth


@dataclass(frozen=True)
class PretrainedChoice:
    """One of torchvision's classification models (or timm's, timm:NAME) with its default
    published weights."""

    model: str
    weights: str
    params: int
    image_size: int
    accuracy: float | None  # ImageNet-1K top-1, in percent
    url: str  # where the weights' file is published
    check: str  # how its SHA-256 starts
    megabytes: float | None  # the file's size

    def describe(self) -> str:
        shown = f"{self.accuracy:.1f}% top-1" if self.accuracy is not None else "no figure"
        size = f"{self.image_size}x{self.image_size}"
        figures = f"{self.params / 1e6:.1f}M parameters, {size}, {shown}"
        return f"{self.model}: {figures} ({self.weights})"


def torchvision_models() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a build for another torch: said once
        return import_torchvision().models


def pretrained_choices() -> list[PretrainedChoice]:
    """Every classification model torchvision publishes weights for, by name; then timm's
    common ones, when timm is installed."""
    models = torchvision_models()
    found = [choice(models, name) for name in sorted(models.list_models(module=models))]
    return found + ([timm_choice(name) for name in COMMON] if installed() else [])


def timm_choice(name: str) -> PretrainedChoice:
    params, weights = described(name)
    return PretrainedChoice(
        PREFIX + name, weights.name, params, weights.image_size, None, weights.url, "", None
    )


def choice(models: Any, name: str) -> PretrainedChoice:
    weights = models.get_model_weights(name).DEFAULT
    top1 = weights.meta.get("_metrics", {}).get("ImageNet-1K", {}).get("acc@1")
    crop = weights.transforms().crop_size[0]
    return PretrainedChoice(
        name,
        f"{type(weights).__name__}.{weights.name}",
        weights.meta["num_params"],
        crop,
        top1,
        weights.url,
        file_check(weights.url),
        weights.meta.get("_file_size"),
    )


def file_check(url: str) -> str:
    """How the SHA-256 of the file at `url` starts, as torchvision names its files."""
    found = HASH_IN_NAME.search(Path(url).name)
    return found.group(1) if found else ""


@dataclass(frozen=True)
class Published:
    """A model's architecture (its weights come later), its published weights and how their
    images are prepared."""

    module: Any
    weights: str  # their name
    url: str
    check: str  # how the file's SHA-256 starts ("" checks nothing)
    image_size: int
    resize: int  # the shorter side before the centre cut
    mean: tuple[float, ...]
    std: tuple[float, ...]


def torchvision_published(model: str) -> Published:
    models = torchvision_models()
    known = models.list_models(module=models)
    if model not in known:
        listed = ", ".join(known)
        raise ImportProblem(model, f"not one of torchvision's classification models ({listed})")
    weights = models.get_model_weights(model).DEFAULT
    # The architecture, as torchvision builds it for its weights: without the auxiliary
    # heads GoogLeNet and Inception train with, and ViT for the size of their images (518
    # for ViT-H/14's).
    extra = {"aux_logits": False, "init_weights": False} if model in AUXILIARY else {}
    if model.startswith("vit_"):  # built for the weights' image size, as torchvision does
        extra["image_size"] = weights.meta["min_size"][0]
    with recording_constructions():  # parts kept whole as custom code are built again
        module = models.get_model(model, weights=None, **extra).eval()
    transforms = weights.transforms()  # how the weights want their images
    return Published(
        module,
        f"{type(weights).__name__}.{weights.name}",
        weights.url,
        file_check(weights.url),  # a file named without its hash: none
        transforms.crop_size[0],
        transforms.resize_size[0],
        tuple(transforms.mean),
        tuple(transforms.std),
    )


def timm_published(name: str) -> Published:
    module = timm_model(name)
    weights = timm_weights(module)
    return Published(
        module,
        weights.name,
        weights.url,
        "",  # timm says no hash of its files
        weights.image_size,
        weights.resize,
        weights.mean,
        weights.std,
    )


def pretrained_project(
    model: str,
    classes: int,
    name: str | None = None,
    freeze_backbone: bool = False,
    unfreezing: Unfreezing | None = None,
) -> ImportResult:
    """`model`'s architecture (one of torchvision's, or timm:NAME) imported as a graph whose
    last Dense layer gives `classes` outputs (the published head when that is its size),
    starting from the published weights: the project's training.start_weights names the file
    and maps its tensors to the network's, the new head's left out. `freeze_backbone` keeps
    every layer but the head as it starts (training.freeze); `unfreezing` lets part of them
    train later."""
    if not 1 <= classes <= MAX_CLASSES:
        raise ImportProblem("classes", f"must be from 1 to {MAX_CLASSES:,}, got {classes}")
    in_timm = timm_name(model)
    published = timm_published(in_timm) if in_timm else torchvision_published(model)
    module, size = published.module, published.image_size
    result = import_module(module, [(3, size, size)], name or in_timm or model)
    doc = result.project.graph
    keys = map_state_dict(result, own_names(module))
    head = head_node(doc)
    training = {
        "start_weights": {
            "name": published.weights,
            "url": published.url,
            **({"check": published.check} if published.check else {}),  # "": none said
            "keys": keys,
        }
    }
    if freeze_backbone:
        training["freeze"] = weighted_nodes(doc, keys, exclude=head)
    if doc.node(head).params[class_param(doc, head)] != classes:
        training = replace_head(doc, training, head, classes)
    if unfreezing is not None:
        training |= unfreeze_settings(doc, training, unfreezing)
    result.project.training.update(training)
    result.project.dataset = {  # as the weights expect their images; the path comes later
        "source": "image_folder",
        "image_size": size,
        "resize": published.resize,  # the shorter side, then the centre cut
        "color": "rgb",
        "normalize": True,
        "mean": list(published.mean),
        "std": list(published.std),
    }
    return result


def class_folders(data: Path) -> int:
    """The number of class folders in an image folder; ImportProblem when it is none."""
    found = sum(1 for child in data.iterdir() if child.is_dir()) if data.is_dir() else 0
    if not found:
        raise ImportProblem(str(data), "not a folder of class folders of images")
    return found


def own_names(module: Any) -> dict[str, str]:
    """Each of the module's tensor names mapped to itself, to be renamed like its weights."""
    return {key: key for key in module.state_dict()}


def weighted_nodes(doc: GraphDocument, keys: dict[str, str], exclude: str) -> list[str]:
    """The ids of the nodes whose layers hold tensors among `keys`, but `exclude`."""
    return [
        node
        for node, attribute in layer_attributes(doc).items()
        if node != exclude and any(key.startswith(attribute + ".") for key in keys)
    ]


def pretrained_for_data(
    model: str,
    classes: int | None,
    name: str,
    freeze_backbone: bool = False,
    data: Path | None = None,
    unfreezing: Unfreezing | None = None,
) -> ImportResult:
    """`model` as a project named `name` whose head is sized for `classes`, else for the
    class folders of the image folder `data` (which it then trains on), else as published;
    `unfreezing` as pretrained_project's."""
    if data is not None:
        found = class_folders(data)
        classes = classes if classes is not None else found
    classes = classes if classes is not None else 1000  # as published
    result = pretrained_project(model, classes, name, freeze_backbone, unfreezing)
    if data is not None:
        result.project.dataset["path"] = str(data.resolve())
    start = result.project.training["start_weights"]
    library = "timm" if timm_name(model) else "torchvision"
    shown = timm_name(model) or model
    result.project.description = f"{library}'s {shown}, starting from {start['name']}"
    return result


def pretrained_to_project(
    model: str,
    classes: int | None,
    output: Path,
    freeze_backbone: bool = False,
    data: Path | None = None,
    unfreezing: Unfreezing | None = None,
) -> tuple[Project, list[str]]:
    """`netdesigner pretrained MODEL [--classes N] [--data FOLDER] -o PROJECT.json
    [--freeze-backbone [--unfreeze-from LAYER --unfreeze-epoch N]]`: import, size the head
    (for the folder's classes unless --classes says), record the start weights and the data,
    save; returns lines to print."""
    project = pretrained_for_data(
        model, classes, output.stem, freeze_backbone, data, unfreezing
    ).project
    save_project(project, output)
    start = project.training["start_weights"]
    layers = sum(1 for node in project.graph.nodes() if node.spec.role == Role.LAYER)
    doc = project.graph
    head = doc.node(head_node(doc)).params[class_param(doc, head_node(doc))]
    lines = [
        f"Imported {model}: {layers} layers, head sized for {head} classes",
        f"start weights: {start['name']} ({len(start['keys'])} tensors) from {start['url']}",
        *([f"frozen: {len(project.training['freeze'])} layers"] if freeze_backbone else []),
        *([unfreezing_line(project)] if unfreezing is not None else []),
        *block_lines(project),
        f"Saved {output}",
    ]
    return project, lines
