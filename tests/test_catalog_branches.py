"""The catalog kinds ConvNeXt, EfficientNet, ShuffleNet and DenseNet need compute what torch and
torchvision compute: StochasticDepth (with the same random numbers while training),
LayerScale, LayerNorm over channels, Chunk, ChannelShuffle, a one-input Concatenate and Dense
at each position; helper classes are written once, and a class that only shares a helper's
name is not taken for it."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch

from designer.compiler import Analyzer, compile_graph
from designer.importer import import_module, load_module
from designer.model import GraphDocument
from designer.model.grouping import group
from designer.runtime.vision import import_torchvision
from tests.blocks_helpers import output_shapes
from tests.helpers import chain


def torchvision():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a build for another torch: said once
        return import_torchvision()


def network(shape: list[int], layers: list[tuple[str, str, dict]], name: str = "Net"):
    """Input -> layers -> Output, built; the module and the graph."""
    doc = GraphDocument()
    last = chain(doc, doc.add_node("input", "x", {"shape": shape}), layers)
    doc.connect(last.id, "out", doc.add_node("output", "y").id, "in")
    module, code = compile_graph(doc, name)
    return module, doc, code


def only_error(doc: GraphDocument) -> str:
    (error,) = Analyzer(doc).report().errors
    return error.message


@pytest.mark.parametrize("mode", ["row", "batch"])
@pytest.mark.parametrize("p", [0.0, 0.3, 1.0])
def test_stochastic_depth_draws_what_torchvision_draws(mode: str, p: float):
    module, _, _ = network([4, 3, 3], [("stochastic_depth", "drop", {"p": p, "mode": mode})])
    theirs = torchvision().ops.StochasticDepth(p, mode)
    x = torch.randn(64, 4, 3, 3)
    for _ in range(3):  # the random state goes on the same way too
        state = torch.get_rng_state()
        ours = module.train()(x=x)
        after = torch.get_rng_state()
        torch.set_rng_state(state)
        assert torch.equal(ours, theirs.train()(x))
        assert torch.equal(torch.get_rng_state(), after)
    dropped = (ours.flatten(1) == 0).all(dim=1).float().mean()
    if mode == "row" and p == 0.3:
        assert 0.1 < float(dropped) < 0.5  # whole samples, some of them
    assert module.eval()(x=x) is x


def test_layer_scale_multiplies_each_channel_by_its_learned_factor():
    module, doc, _ = network([4, 5, 5], [("layer_scale", "scale", {"init": 0.25})])
    assert module.scale.weight.shape == (4, 1, 1)
    assert torch.equal(module.scale.weight, torch.full((4, 1, 1), 0.25))
    assert Analyzer(doc).report().total_params == 4
    factors = torch.randn(4, 1, 1)
    module.scale.weight.data.copy_(factors)
    x = torch.randn(2, 4, 5, 5)
    assert torch.equal(module(x=x), factors * x)
    last, _, _ = network([5, 5, 6], [("layer_scale", "scale", {"dim": -1})])
    assert last.scale.weight.shape == (6,)


def test_layernorm_over_channels_is_convnexts_layernorm2d():
    module, _, code = network([6, 4, 5], [("layernorm", "norm", {"dim": 0, "eps": 1e-6})])
    assert "self.norm(x.movedim(1, -1)).movedim(-1, 1)" in code.source
    theirs = torchvision().models.convnext.LayerNorm2d(6, eps=1e-6)
    with torch.no_grad():
        theirs.weight.normal_()
        theirs.bias.normal_()
    module.norm.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 6, 4, 5)
    with torch.no_grad():
        assert torch.equal(module(x=x), theirs(x))


def test_chunk_gives_the_piece_torch_chunk_gives():
    module, _, _ = network([7, 3], [("chunk", "piece", {"chunks": 3, "index": 2})])
    x = torch.randn(2, 7, 3)
    assert torch.equal(module(x=x), x.chunk(3, dim=1)[2])
    _, doc, _ = network([7, 3], [("chunk", "piece", {"chunks": 3})])
    doc.set_param(doc.find("piece").id, "chunks", 6)
    doc.set_param(doc.find("piece").id, "index", 4)
    assert only_error(doc) == (
        "Chunk 'piece': 7x3 cut into 6 along dim 0 gives 4 piece(s), so there is no piece 4 "
        "(they count from 0)"
    )


def test_channel_shuffle_interleaves_the_channels_of_its_groups():
    module, doc, _ = network([6, 2, 2], [("channel_shuffle", "shuffle", {"groups": 3})])
    x = torch.randn(2, 6, 2, 2)
    written_out = x.view(2, 3, 2, 2, 2).transpose(1, 2).reshape(2, 6, 2, 2)
    assert torch.equal(module(x=x), written_out)
    doc.set_param(doc.find("shuffle").id, "groups", 4)
    assert only_error(doc) == "ChannelShuffle 'shuffle': 6 channels do not split into 4 groups"


def test_one_input_concatenate_passes_it_through():
    module, _, code = network([3, 4], [("concatenate", "join", {})])
    assert "torch.cat([x], dim=1)" in code.source
    x = torch.randn(2, 3, 4)
    assert torch.equal(module(x=x), x)


def test_dense_works_at_each_position_only_when_told():
    _, doc, _ = network([4, 4, 8], [("dense", "fc", {"units": 3, "per_position": True})])
    report = Analyzer(doc).report()
    assert report.ok and report.nodes[doc.find("fc").id].output.shape == (4, 4, 3)
    doc.set_param(doc.find("fc").id, "per_position", False)
    assert only_error(doc) == (
        "Dense 'fc' expects features (or sequence x features) per sample but gets 4x4x8"
    )


def test_helper_classes_are_written_once_before_the_classes_that_use_them():
    doc = GraphDocument()
    layers = [
        ("stochastic_depth", "drop1", {}),
        ("layer_scale", "scale", {}),
        ("stochastic_depth", "drop2", {"p": 0.2}),
    ]
    last = chain(doc, doc.add_node("input", "x", {"shape": [4, 3, 3]}), layers)
    doc.connect(last.id, "out", doc.add_node("output", "y").id, "in")
    ids = [doc.find(name).id for name in ("scale", "drop2")]
    group(doc, ids, "Branch", "", output_shapes(doc), "branch")
    module, code = compile_graph(doc, "StochasticDepth")  # the network may not take its name
    assert code.source.count("class StochasticDepth(nn.Module):") == 1
    assert code.source.count("class LayerScale(nn.Module):") == 1
    assert code.class_name == "StochasticDepth2"
    order = [code.source.index(f"class {name}(") for name in ("LayerScale", "Branch")]
    assert order == sorted(order)
    x = torch.randn(2, 4, 3, 3)
    assert torch.equal(module.eval()(x=x), module.branch.scale.weight * x)


TAKEN_NAME = """
import torch
from torch import nn


class LayerScale(nn.Module):
    def __init__(self, size, init):
        super().__init__()
        self.weight = nn.Parameter(torch.full(size, init))

    def forward(self, x):
        return self.weight * x + 1


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = LayerScale((4, 1, 1), 0.5)

    def forward(self, x):
        return self.scale(x)
"""


def test_a_class_that_only_shares_a_helpers_name_is_traced_through(tmp_path: Path):
    path = tmp_path / "taken.py"
    path.write_text(TAKEN_NAME)
    result = import_module(load_module(f"{path}:Net"), [(4, 2, 2)], "Net")
    kinds = [node.kind for node in result.project.graph.nodes()]
    assert kinds == ["input", "layer_scale", "custom_code", "output"]  # `+ 1`: no catalog layer
    assert any("adds the constant 1" in note for note in result.notes)
    path.write_text(TAKEN_NAME.replace(" + 1", ""))
    doc = import_module(load_module(f"{path}:Net"), [(4, 2, 2)], "Net").project.graph
    (scale,) = [node for node in doc.nodes() if node.kind == "layer_scale"]
    assert scale.params == {"dim": 0, "init": 0.5}
