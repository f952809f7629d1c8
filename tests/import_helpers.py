"""Shared by the importer tests: modules whose normalization state counts in comparisons, and
the check that an imported module is exact."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import networkx as nx
import torch
from torch import nn

from designer.compiler import Analyzer, generate
from designer.importer import ImportResult, import_module, load_module, map_state_dict
from designer.model import GraphDocument
from tests.blocks_helpers import flattened


def scramble(module: nn.Module) -> nn.Module:
    """Random normalization statistics and affine params, and layer scales near 1 (they start
    at 1e-6, which hides the branch they scale), so that they count in comparisons."""
    generator = torch.Generator().manual_seed(0)
    for layer in module.modules():
        if isinstance(layer, nn.BatchNorm2d):
            layer.running_mean.uniform_(-1, 1, generator=generator)
            layer.running_var.uniform_(0.5, 2, generator=generator)
        if isinstance(layer, nn.BatchNorm2d | nn.LayerNorm):
            layer.weight.data.normal_(generator=generator)
            layer.bias.data.normal_(generator=generator)
    for name, parameter in module.named_parameters():
        if name.rpartition(".")[2] == "layer_scale":
            parameter.data.uniform_(0.5, 1.5, generator=generator)
    return module.eval()


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


def custom_calls(doc: GraphDocument) -> set[str]:
    """What the graph's custom-code nodes build or call, by name."""
    return {
        node.params["target"].rpartition(":")[2]
        for node in flattened(doc).nodes()
        if node.kind == "custom_code"
    }


def check_exact(module: nn.Module, result: ImportResult, size: int, tmp_path: Path) -> None:
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
