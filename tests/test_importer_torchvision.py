"""torchvision's classification models import exactly, as catalog layers (custom code only for
the window attention of Swin and MaxViT, which no catalog layer has): equal parameter counts,
the exported class computes what the model computes once the model's weights are mapped onto
it (in eval mode, and in training mode with the same random numbers), and it imports back as
the same graph."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import networkx as nx
import pytest
import torch

from designer.compiler import Analyzer, generate
from designer.importer import import_module, load_module, map_state_dict
from designer.importer.construction import recording_constructions
from designer.model import GraphDocument
from designer.runtime.vision import import_torchvision
from tests.blocks_helpers import flattened
from tests.import_helpers import scramble

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


def graph_hash(doc: GraphDocument) -> str:
    """A hash of the graph's layers (kind and params) and wires (with each wire's place among
    its target's inputs) that does not depend on ids, names or the order of parallel branches,
    which a graph and its exported code's import may list differently."""
    report = Analyzer(doc).report()
    graph = nx.DiGraph()
    for node in doc.nodes():
        params = node.spec.params_to_json(node.params)
        if node.kind == "reshape":
            params["shape"] = list(report.nodes[node.id].output.shape)
        graph.add_node(node.id, label=json.dumps([node.kind, params], sort_keys=True))
    for edge in doc.edges():
        place = doc.in_edges(edge.target).index(edge)
        graph.add_edge(edge.source, edge.target, place=str(place))
    with warnings.catch_warnings():  # that its hashes of directed graphs changed in 3.5
        warnings.simplefilter("ignore", UserWarning)
        return nx.weisfeiler_lehman_graph_hash(
            graph, node_attr="label", edge_attr="place", iterations=8
        )


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


def custom_calls(doc: GraphDocument) -> set[str]:
    """What the graph's custom-code nodes build or call, by name."""
    return {
        node.params["target"].rpartition(":")[2]
        for node in flattened(doc).nodes()
        if node.kind == "custom_code"
    }


def check_exact(module: torch.nn.Module, result, size: int, tmp_path: Path) -> None:
    """The graph has the module's parameters; its exported class computes what the module
    computes with the module's weights, in eval and training mode; it imports back alike."""
    name = result.project.name
    doc = result.project.graph
    report = Analyzer(doc).report()
    assert report.ok, [diagnostic.message for diagnostic in report.diagnostics]
    own = sum(parameter.numel() for parameter in module.parameters())
    assert report.total_params == result.params == own

    code = generate(doc, report, name)
    path = tmp_path / f"{name}.py"
    path.write_text(code.source)
    exported = load_module(f"{path}:{code.class_name}")
    exported.load_state_dict(map_state_dict(result, module.state_dict()))
    exported.eval()
    images = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected, found = module(images), exported(images)
    assert found.shape == expected.shape == (2, 1000)
    assert float((found - expected).abs().max()) <= 1e-5
    # Training mode too: stochastic depth and dropout draw the same random numbers.
    module.train()
    exported.train()
    with torch.no_grad():
        torch.manual_seed(2)
        expected = module(images)
        torch.manual_seed(2)
        found = exported(images)
    assert float((found - expected).abs().max()) <= 1e-5

    again = import_module(exported, [(3, size, size)], name, flat=True).project.graph
    assert len(again) == len(flattened(doc))
    assert graph_hash(again) == graph_hash(flattened(doc))
