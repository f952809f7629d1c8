"""timm's pretrained models, when timm is installed: the common ones whose architecture the
importer takes (tests/test_importer_timm.py), named timm:NAME, with their default weights on
the Hugging Face hub and the image preparation those weights expect."""

from __future__ import annotations

import importlib.util
import math
import warnings
from dataclasses import dataclass
from functools import cache
from typing import Any

import torch
from torch import nn

from designer.importer.construction import recording_constructions
from designer.importer.errors import ImportProblem
from designer.runtime.vision import import_torchvision

PREFIX = "timm:"
# Families the importer takes: as catalog layers, with timm's parts that neither a catalog
# layer nor a call of their own takes kept whole as custom code (its BatchNorm with the
# activation after it, ConvNeXt's block, ViT's attention).
COMMON = (
    "resnet18",
    "resnet34",
    "resnet50",
    "resnext50_32x4d",
    "seresnet50",
    "densenet121",
    "regnety_002",
    "efficientnet_b0",
    "mobilenetv3_large_100",
    "convnext_tiny",
    "vit_tiny_patch16_224",
)
HUB = "https://huggingface.co/{repository}/resolve/main/{file}"


@dataclass(frozen=True)
class TimmWeights:
    """A timm model's default published weights and how its images are prepared."""

    name: str  # the weights' tag, as timm names them: resnet18.a1_in1k
    url: str
    image_size: int
    resize: int  # the shorter side before the centre cut
    mean: tuple[float, ...]
    std: tuple[float, ...]


def installed() -> bool:
    return importlib.util.find_spec("timm") is not None


def import_timm() -> Any:
    """timm, imported after torchvision (which it imports) the way that works beside any
    torch build; ImportProblem when it is not installed."""
    if not installed():
        raise ImportProblem("timm", "is not installed: pip install timm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a build for another torch: said once
        import_torchvision()
    import timm

    return timm


def timm_name(model: str) -> str | None:
    """NAME for timm:NAME, else None."""
    return model.removeprefix(PREFIX) if model.startswith(PREFIX) else None


def check_known(name: str) -> None:
    if name not in COMMON:
        listed = ", ".join(PREFIX + known for known in COMMON)
        raise ImportProblem(PREFIX + name, f"not one of timm's models NetDesigner takes ({listed})")


def timm_model(name: str) -> nn.Module:
    """The architecture, in eval mode, its parts' constructor arguments recorded (so that
    those kept whole as custom code are built again); its weights come later."""
    check_known(name)
    timm = import_timm()
    with recording_constructions():
        return timm.create_model(name, pretrained=False).eval()


def timm_weights(module: nn.Module) -> TimmWeights:
    """The default weights of a model timm built, from its pretrained_cfg."""
    config = module.pretrained_cfg
    repository = config.get("hf_hub_id")
    if not repository:
        raise ImportProblem(config["architecture"], "timm publishes no weights for it")
    file = config.get("hf_hub_filename") or "model.safetensors"
    size = config["input_size"][1]
    return TimmWeights(
        repository.rpartition("/")[2],
        HUB.format(repository=repository, file=file),
        size,
        math.floor(size / config.get("crop_pct", 0.875)),  # as timm's eval transforms do
        tuple(config["mean"]),
        tuple(config["std"]),
    )


@cache
def described(name: str) -> tuple[int, TimmWeights]:
    """The model's parameter count and default weights, from the model built on the meta
    device (no memory, no weights); once a process, as listing them is slow."""
    timm = import_timm()
    with torch.device("meta"):
        module = timm.create_model(name, pretrained=False)
    return sum(parameter.numel() for parameter in module.parameters()), timm_weights(module)
