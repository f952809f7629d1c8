"""timm's common models that fx can trace (those offered as pretrained) import exactly (see
tests.import_helpers.check_exact), and a user's file that imports timm, which imports
torchvision when imported, loads beside a torchvision built for another torch."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import torch

from designer.importer import import_module
from designer.importer.construction import recording_constructions
from designer.importer.timm_models import COMMON
from designer.runtime.vision import import_torchvision
from tests.import_helpers import check_exact, custom_calls, scramble

# name -> the classes timm builds them of that are kept whole as custom code (its BatchNorm
# with the activation after it, given as a class; ConvNeXt's block, which scales by a tensor it
# holds; attention that moves the batch dim), and the input size
MODELS = {
    "resnet18": (set(), 64),
    "resnet34": (set(), 64),
    "resnet50": (set(), 64),
    "resnext50_32x4d": (set(), 64),
    "seresnet50": (set(), 64),
    "regnety_002": ({"ConvNormAct"}, 64),
    "densenet121": ({"BatchNormAct2d"}, 64),
    "efficientnet_b0": ({"BatchNormAct2d"}, 128),  # at 64, batch statistics of 2x2 maps
    "mobilenetv3_large_100": ({"BatchNormAct2d", "Linear"}, 64),
    "convnext_tiny": ({"ConvNeXtBlock"}, 64),
    "vit_tiny_patch16_224": ({"Attention"}, 224),  # its position embedding is for 224
}

pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def timm():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a build for another torch: said once
        import_torchvision()
    import timm

    return timm


def test_the_models_offered_are_those_tested():
    assert set(COMMON) == set(MODELS)


@pytest.mark.parametrize("name", list(MODELS))
def test_timm_model_imports_exactly(timm, name: str, tmp_path: Path):
    torch.manual_seed(0)
    with recording_constructions():  # the arguments of timm's classes kept whole
        module = scramble(timm.create_model(name, pretrained=False))
    kept, size = MODELS[name]
    result = import_module(module, [(3, size, size)], name)
    assert custom_calls(result.project.graph) == kept
    check_exact(module, result, size, tmp_path)


def test_a_file_that_imports_timm_loads(tmp_path: Path):
    """In a process that has not imported torchvision yet, as the CLI's import is."""
    path = tmp_path / "net.py"
    path.write_text(
        "import timm\n\n\ndef make():\n    return timm.create_model('resnet18', num_classes=3)\n"
    )
    check = (
        "import sys, torch\n"
        "from designer.importer import load_module\n"
        "assert 'torchvision' not in sys.modules\n"
        "module = load_module(sys.argv[1]).eval()\n"
        "print(tuple(module(torch.zeros(1, 3, 32, 32)).shape))\n"
    )
    done = subprocess.run(
        [sys.executable, "-W", "ignore::RuntimeWarning", "-c", check, f"{path}:make"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(1, 3)"
