"""torchvision's classification models import exactly, as catalog layers (custom code only for
the window attention of Swin and MaxViT, which no catalog layer has): equal parameter counts,
the exported class computes what the model computes once the model's weights are mapped onto
it (in eval mode, and in training mode with the same random numbers), and it imports back as
the same graph."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch

from designer.importer import import_module
from designer.importer.construction import recording_constructions
from designer.runtime.vision import import_torchvision
from tests.import_helpers import check_exact, custom_calls, scramble

# builder -> (input size, builder arguments): the smallest input each model takes, and the
# heads that training alone runs (GoogLeNet's and Inception's auxiliary classifiers) left out,
# as torchvision's builders leave them out of published weights.
MODELS = {
    "squeezenet1_0": (48, {}),
    "squeezenet1_1": (48, {}),
    "mobilenet_v2": (32, {}),
    "mobilenet_v3_small": (32, {}),
    "mobilenet_v3_large": (32, {}),
    "regnet_y_400mf": (32, {}),  # squeeze-excitation, as MobileNetV3's
    "googlenet": (32, {"aux_logits": False, "init_weights": False}),
    "inception_v3": (75, {"aux_logits": False, "init_weights": False}),
    "efficientnet_b0": (32, {}),  # stochastic depth, SiLU, squeeze-excitation
    "efficientnet_v2_s": (32, {}),
    "convnext_tiny": (32, {}),  # LayerNorm over channels, layer scale, stochastic depth
    "shufflenet_v2_x0_5": (32, {}),  # chunk, channel shuffle
    "densenet121": (32, {}),  # a one-tensor torch.cat
    # a class token, a learned position embedding and the class token's output, x[:, 0]
    "vit_b_16": (32, {"image_size": 32}),
}
# builder -> (input size, builder arguments, the classes kept whole as custom code and the
# functions called as custom code): attention with a relative position bias read from tables
# it holds
CUSTOM = {
    "swin_t": (32, {}, {"ShiftedWindowAttention", "_patch_merging_pad"}),
    "swin_v2_t": (32, {}, {"ShiftedWindowAttentionV2", "_patch_merging_pad"}),
    "maxvit_t": (224, {}, {"RelativePositionalMultiHeadAttention"}),  # 7x7 windows at 1/32
}


pytestmark = pytest.mark.usefixtures("one_thread")


def torchvision_model(name: str, arguments: dict) -> torch.nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a build for another torch: said once
        models = import_torchvision().models
    torch.manual_seed(0)
    with recording_constructions():  # as pretrained_project builds it
        model = models.get_model(name, weights=None, **arguments)
    if hasattr(model, "class_token"):  # zeros as built: random, so that it counts
        model.class_token.data.normal_(generator=torch.Generator().manual_seed(0))
    return scramble(model)


SLOW = {"efficientnet_v2_s"}  # EfficientNet V2's fused blocks: B0 covers the rest quicker


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=[pytest.mark.slow] * (name in SLOW)) for name in MODELS]
)
def test_torchvision_model_imports_exactly(name: str, tmp_path: Path):
    size, arguments = MODELS[name]
    module = torchvision_model(name, arguments)
    result = import_module(module, [(3, size, size)], name)
    # catalog layers only: custom code is for what the catalog has no layer for
    assert not custom_calls(result.project.graph)
    check_exact(module, result, size, tmp_path)


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=[pytest.mark.slow] * (name == "maxvit_t")) for name in CUSTOM]
)
def test_window_attention_models_import_exactly_with_custom_code(name: str, tmp_path: Path):
    size, arguments, kept = CUSTOM[name]
    module = torchvision_model(name, arguments)
    result = import_module(module, [(3, size, size)], name)
    assert custom_calls(result.project.graph) == kept
    check_exact(module, result, size, tmp_path)
