"""Importing modules whose classes repeat: block definitions and instances, weights, --flat."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from designer.cli import main
from designer.compiler import Analyzer, compile_graph, generate
from designer.importer import (
    ImportResult,
    UnsupportedModule,
    import_module,
    load_module,
    map_state_dict,
)
from designer.project import load_project, save_project
from tests.helpers import PROJECTS
from tests.import_helpers import scramble

MODELS = """
import torch
import torch.nn.functional as F
from torch import nn


class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + x)


class ProjectedBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
        )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class Head(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.fc = nn.Linear(channels, 10)

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class SameChannels(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.blocks = nn.Sequential(ResidualBlock(8), ResidualBlock(8), ResidualBlock(8))
        self.head = Head(8)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


class ChangingChannels(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.layer1 = ProjectedBlock(8, 16, 1)
        self.layer2 = ProjectedBlock(16, 32, 2)
        self.layer3 = ProjectedBlock(32, 32, 1)
        self.head = Head(32)

    def forward(self, x):
        return self.head(self.layer3(self.layer2(self.layer1(self.stem(x)))))


class Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = ResidualBlock(3)
        self.down = ProjectedBlock(3, 8, 2)
        self.second = ResidualBlock(8)
        self.between = nn.ReLU()
        self.third = ResidualBlock(8)
        self.head = Head(8)

    def forward(self, x):
        x = self.second(self.down(self.first(x)))
        return self.head(self.third(self.between(x)))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class Shortcuts(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList(
            [Block(3, 3, 1), Block(3, 16, 2), Block(16, 16, 1), Block(16, 16, 1)]
        )
        self.head = Head(16)

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(x)


class TwoKinds(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(
            Block(4, 8, 2), Block(8, 8, 1), Block(8, 16, 2), Block(16, 16, 1)
        )
        self.head = Head(16)

    def forward(self, x):
        return self.head(self.blocks(x))


class Stage(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.down = ProjectedBlock(cin, cout, 2)
        self.blocks = nn.Sequential(ResidualBlock(cout), ResidualBlock(cout))

    def forward(self, x):
        return self.blocks(self.down(x))


class Stages(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.stage1 = Stage(8, 16)
        self.stage2 = Stage(16, 32)
        self.head = Head(32)

    def forward(self, x):
        return self.head(self.stage2(self.stage1(self.stem(x))))


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.stages = nn.ModuleList([ResidualBlock(4), ResidualBlock(4)])

    def forward(self, x):
        for stage in self.stages:
            x = stage(x)
        return x


class Wrapped(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = Backbone()
        self.head = Head(4)

    def forward(self, x):
        return self.head(self.backbone(x))


class TransformerLayer(nn.Module):
    def __init__(self, width, hidden, dropout=0.1):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, 4, dropout=dropout, batch_first=True)
        self.norm1 = nn.LayerNorm(width)
        self.ff = nn.Sequential(
            nn.Linear(width, hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(hidden, width)
        )
        self.norm2 = nn.LayerNorm(width)

    def forward(self, x):
        attended, _ = self.attn(x, x, x, need_weights=False)
        x = self.norm1(x + attended)
        return self.norm2(x + self.ff(x))


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 32)
        self.layers = nn.ModuleList(
            [TransformerLayer(32, 64), TransformerLayer(32, 64), TransformerLayer(32, 128, 0.2)]
        )
        self.head = nn.Linear(32, 5)

    def forward(self, tokens):
        x = self.embed(tokens)
        for layer in self.layers:
            x = layer(x)
        return self.head(x.mean(dim=1))


class Reused(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = ResidualBlock(4)
        self.second = ResidualBlock(4)

    def forward(self, x):
        return self.second(self.first(self.first(x)))


class Mix(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)

    def forward(self, x, skip):
        return self.norm(self.fc(x) + skip)


class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.mix1 = Mix(6)
        self.mix2 = Mix(6)

    def forward(self, x, skip):
        return self.mix2(self.mix1(x, skip), skip)
"""


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "blocks_models.py"
    path.write_text(MODELS)
    return path


def assert_same_network(module: nn.Module, result: ImportResult, inputs: list[torch.Tensor]):
    """The import validates, has the module's parameter count, and gives its outputs once the
    module's weights are mapped onto the generated module."""
    doc = result.project.graph
    report = Analyzer(doc).report()
    assert report.ok, [diagnostic.message for diagnostic in report.diagnostics]
    own = sum(parameter.numel() for parameter in module.parameters())
    assert report.total_params == result.params == own
    generated, _ = compile_graph(doc, result.project.name, report)
    generated.load_state_dict(map_state_dict(result, module.state_dict()))
    generated.eval()
    module.eval()
    with torch.no_grad():
        torch.testing.assert_close(generated(*inputs), module(*inputs), rtol=0, atol=1e-6)


def instances(result: ImportResult) -> dict[str, dict]:
    """Block instance name -> params."""
    return {node.name: node.params for node in result.project.graph.nodes() if node.kind == "block"}


def image(channels: int = 3, size: int = 8) -> list[torch.Tensor]:
    return [torch.randn(5, channels, size, size, generator=torch.Generator().manual_seed(1))]


def test_three_identical_blocks_become_one_definition_repeated(models: Path):
    module = scramble(load_module(f"{models}:SameChannels"))
    result = import_module(module, [(3, 8, 8)], "SameChannels")
    library = result.project.graph.blocks
    assert [definition.name for definition in library] == ["ResidualBlock"]
    definition = library.get("ResidualBlock")
    assert definition.params == ()
    assert [node.name for node in definition.ports("input")] == ["x"]
    assert len(definition.ports("output")) == 1
    kinds = [node.kind for node in definition.graph.nodes()]
    assert kinds.count("conv2d") == 2 and kinds.count("batchnorm2d") == 2 and "add" in kinds
    # blocks.0 -> blocks.1 -> blocks.2 are one instance, named after their Sequential
    assert instances(result) == {"blocks": {"block": "ResidualBlock", "repeat": 3}}
    assert [copy.path for copy in result.blocks[result.project.graph.find("blocks").id]] == [
        "blocks.0",
        "blocks.1",
        "blocks.2",
    ]
    assert_same_network(module, result, image())


def test_changing_channels_and_stride_become_block_params(models: Path):
    module = scramble(load_module(f"{models}:ChangingChannels"))
    result = import_module(module, [(3, 8, 8)], "ChangingChannels")
    library = result.project.graph.blocks
    assert [definition.name for definition in library] == ["ProjectedBlock"]
    definition = library.get("ProjectedBlock")
    inner = definition.graph
    params = {param.name: param for param in definition.params}
    assert set(params) == {"filters", "stride"}
    assert params["filters"].default == 16 and params["stride"].default == 1  # layer1's
    targets = {
        name: {inner.node(node_id).name for node_id, _ in param.targets}
        for name, param in params.items()
    }
    assert targets == {
        "filters": {"conv1", "conv2", "shortcut_0"},
        "stride": {"conv1", "shortcut_0"},
    }
    assert instances(result) == {
        "layer1": {"block": "ProjectedBlock", "filters": 16, "stride": 1, "repeat": 1},
        "layer2": {"block": "ProjectedBlock", "filters": 32, "stride": 2, "repeat": 1},
        "layer3": {"block": "ProjectedBlock", "filters": 32, "stride": 1, "repeat": 1},
    }
    assert_same_network(module, result, image())
    code = generate(result.project.graph, Analyzer(result.project.graph).report(), "Net").source
    assert code.count("class ProjectedBlock(nn.Module):") == 1
    assert "self.layer2 = ProjectedBlock(" in code


def test_a_class_used_once_stays_flat_and_params_differ_per_instance(models: Path):
    module = scramble(load_module(f"{models}:Mixed"))
    result = import_module(module, [(3, 8, 8)], "Mixed")
    doc = result.project.graph
    assert [definition.name for definition in doc.blocks] == ["ResidualBlock"]
    definition = doc.blocks.get("ResidualBlock")
    assert [(param.name, param.default) for param in definition.params] == [("filters", 3)]
    assert instances(result) == {  # second and third are not wired one after the other
        "first": {"block": "ResidualBlock", "filters": 3, "repeat": 1},
        "second": {"block": "ResidualBlock", "filters": 8, "repeat": 1},
        "third": {"block": "ResidualBlock", "filters": 8, "repeat": 1},
    }
    names = {node.name for node in doc.nodes()}
    assert {"down_conv1", "down_shortcut_0", "head_fc"} <= names  # used once: flattened
    assert_same_network(module, result, image())


def test_an_instance_of_another_structure_stays_flat(models: Path):
    module = scramble(load_module(f"{models}:Shortcuts"))
    result = import_module(module, [(3, 8, 8)], "Shortcuts")
    doc = result.project.graph
    assert [definition.name for definition in doc.blocks] == ["Block"]
    assert instances(result) == {
        "blocks_0": {"block": "Block", "filters": 3, "repeat": 1},
        "blocks_2": {"block": "Block", "filters": 16, "repeat": 2},  # blocks.2 and blocks.3
    }
    assert doc.find("blocks_1_shortcut_0").kind == "conv2d"  # the one with a projection
    assert_same_network(module, result, image())


def test_two_structures_of_a_class_make_two_definitions(models: Path):
    module = scramble(load_module(f"{models}:TwoKinds"))
    result = import_module(module, [(4, 8, 8)], "TwoKinds")
    library = result.project.graph.blocks
    assert [definition.name for definition in library] == ["Block", "Block2"]
    assert any(node.name == "shortcut_0" for node in library.get("Block").graph.nodes())
    assert not any(node.name == "shortcut_0" for node in library.get("Block2").graph.nodes())
    assert [param.name for param in library.get("Block").params] == ["filters"]  # stride: 2, 2
    assert instances(result) == {
        "blocks_0": {"block": "Block", "filters": 8, "repeat": 1},
        "blocks_1": {"block": "Block2", "filters": 8, "repeat": 1},
        "blocks_2": {"block": "Block", "filters": 16, "repeat": 1},
        "blocks_3": {"block": "Block2", "filters": 16, "repeat": 1},
    }
    assert_same_network(module, result, image(4))


def test_repeated_classes_inside_repeated_classes_are_blocks_inside_blocks(models: Path):
    module = scramble(load_module(f"{models}:Stages"))
    result = import_module(module, [(3, 8, 8)], "Stages")
    library = result.project.graph.blocks
    assert [definition.name for definition in library] == [
        "ProjectedBlock",
        "ResidualBlock",
        "Stage",
    ]
    stage = library.get("Stage")
    inner = {node.name: node.params for node in stage.graph.nodes() if node.kind == "block"}
    assert inner == {
        "down": {"block": "ProjectedBlock", "filters": 16, "repeat": 1},
        "blocks": {"block": "ResidualBlock", "filters": 16, "repeat": 2},
    }
    # the two stages' filters differ in lockstep on both blocks inside: one param
    (param,) = stage.params
    assert param.name == "filters" and len(param.targets) == 2
    assert instances(result) == {
        "stage1": {"block": "Stage", "filters": 16, "repeat": 1},
        "stage2": {"block": "Stage", "filters": 32, "repeat": 1},
    }
    assert_same_network(module, result, image())


def test_repeated_classes_inside_a_class_used_once_become_blocks(models: Path):
    module = scramble(load_module(f"{models}:Wrapped"))
    result = import_module(module, [(4, 6, 6)], "Wrapped")
    assert instances(result) == {"backbone_stages": {"block": "ResidualBlock", "repeat": 2}}
    assert_same_network(module, result, image(4, 6))


def test_transformer_layers_of_ones_own_share_a_definition(models: Path):
    module = scramble(load_module(f"{models}:Transformer"))
    result = import_module(module, [(10,)], "Transformer")
    definition = result.project.graph.blocks.get("TransformerLayer")
    kinds = [node.kind for node in definition.graph.nodes()]
    assert kinds[:2] == ["input", "multihead_attention"] and kinds.count("layernorm") == 2
    first = {"dropout": 0.1, "units": 64, "p": 0.1}  # the attention's, ff.0's, ff.2's
    assert {param.name: param.default for param in definition.params} == first
    assert instances(result) == {  # layers.0 and layers.1 are alike, but not all of `layers`
        "layers_0": {"block": "TransformerLayer", **first, "repeat": 2},
        "layers_2": {
            "block": "TransformerLayer",
            "dropout": 0.2,
            "units": 128,
            "p": 0.2,
            "repeat": 1,
        },
    }
    tokens = torch.randint(0, 50, (5, 10), generator=torch.Generator().manual_seed(3))
    assert_same_network(module, result, [tokens])


def test_blocks_with_two_inputs_get_a_port_for_each(models: Path):
    module = scramble(load_module(f"{models}:TwoInputs"))
    result = import_module(module, [(6,), (6,)], "TwoInputs")
    doc = result.project.graph
    definition = doc.blocks.get("Mix")
    assert [node.name for node in definition.ports("input")] == ["x", "skip"]
    assert set(instances(result)) == {"mix1", "mix2"}  # two inputs: not chained
    mix2 = doc.find("mix2")
    ports = {edge.target_port: doc.node(edge.source).name for edge in doc.in_edges(mix2.id)}
    assert ports == {"x": "mix1", "skip": "skip"}
    generator = torch.Generator().manual_seed(2)
    inputs = [torch.randn(5, 6, generator=generator) for _ in range(2)]
    assert_same_network(module, result, inputs)


def test_an_instance_called_twice_stays_flat_and_is_refused(models: Path):
    with pytest.raises(UnsupportedModule) as raised:
        import_module(load_module(f"{models}:Reused"), [(4, 6, 6)], "Reused")
    assert all("is called more than once" in problem for problem in raised.value.problems)
    assert raised.value.problems[0].startswith("first.conv1 (Conv2d)")


@pytest.mark.parametrize("name", ["SameChannels", "ChangingChannels", "Shortcuts"])
def test_flat_gives_no_blocks_and_the_same_network(name: str, models: Path):
    module = scramble(load_module(f"{models}:{name}"))
    result = import_module(module, [(3, 8, 8)], name, flat=True)
    doc = result.project.graph
    assert len(doc.blocks) == 0 and not result.blocks
    assert all(node.kind != "block" for node in doc.nodes())
    assert_same_network(module, result, image())


def test_saved_blocks_load_back(models: Path, tmp_path: Path):
    result = import_module(load_module(f"{models}:ChangingChannels"), [(3, 8, 8)], "Net")
    path = tmp_path / "net.json"
    save_project(result.project, path)
    loaded = load_project(path).graph
    assert [definition.name for definition in loaded.blocks] == ["ProjectedBlock"]
    assert Analyzer(loaded).report().total_params == result.params


@pytest.mark.parametrize("flat", [False, True])
def test_the_cli_imports_blocks_unless_flat(flat: bool, models: Path, tmp_path: Path, capsys):
    output = tmp_path / "same.json"
    arguments = ["import", f"{models}:SameChannels", "--input-shape", "3x8x8", "-o", str(output)]
    assert main(arguments + (["--flat"] if flat else [])) == 0
    out = capsys.readouterr().out
    blocks = load_project(output).graph.blocks
    if flat:
        assert len(blocks) == 0 and "block " not in out
    else:
        assert [definition.name for definition in blocks] == ["ResidualBlock"]
        assert "block ResidualBlock: 3 submodules as 1 instance(s); params: none" in out


EXAMPLE_BLOCKS = [
    ("resnet_digits_blocks", "block1", "ResidualBlock"),
    ("attention_sequences_blocks", "encoder", "EncoderBlock"),
]


@pytest.mark.parametrize(("stem", "instance", "block"), EXAMPLE_BLOCKS)
def test_the_block_examples_code_imports_back_as_blocks(stem, instance, block, tmp_path: Path):
    """Each example uses each of its blocks once, and a class used once is flattened; with the
    block repeated twice (so its class is used twice) its code imports as that block again."""
    project = load_project(PROJECTS / f"{stem}.json")
    doc = project.graph
    doc.set_param(doc.find(instance).id, "repeat", 2)
    report = Analyzer(doc).report()
    code = generate(doc, report, "Example")
    path = tmp_path / f"{stem}.py"
    path.write_text(code.source)
    module = scramble(load_module(f"{path}:Example"))
    shapes = [node.params["shape"] for node in doc.nodes() if node.kind == "input"]
    result = import_module(module, shapes, "Example")
    assert instances(result) == {instance: {"block": block, "repeat": 2}}
    original, imported = doc.blocks.get(block), result.project.graph.blocks.get(block)
    kinds = sorted(node.kind for node in original.graph.nodes())
    assert sorted(node.kind for node in imported.graph.nodes()) == kinds
    assert result.params == report.total_params
    if shapes == [(1, 8, 8)]:
        inputs = image(1)
    else:  # token ids below the embedding's vocabulary of 8
        inputs = [torch.randint(0, 8, (5, 24), generator=torch.Generator().manual_seed(1))]
    assert_same_network(module, result, inputs)
