"""Importing nn.Modules: hand-written models, exported scripts, every layer kind, refusals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from torch import nn

from designer.compiler import Analyzer, compile_graph, generate
from designer.importer import (
    ImportProblem,
    UnsupportedModule,
    import_module,
    import_to_project,
    load_module,
    map_state_dict,
    parse_shape,
)
from designer.model import GraphDocument
from designer.project import ProjectError, load_project
from designer.project.files import project_to_dict
from tests.blocks_helpers import flattened
from tests.helpers import EXAMPLES
from tests.import_helpers import scramble
from tests.test_catalog import CASES, build

MODELS = """
import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 16)
        self.drop = nn.Dropout(0.2)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return F.log_softmax(self.out(self.drop(torch.relu(self.hidden(x)))), dim=1)


def make_mlp():
    return MLP()


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, 5), nn.Tanh(), nn.MaxPool2d(2, 2),
        )
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding="same", bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out = out + self.shortcut(x)
        return F.relu(out)


class ResidualCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=True))
        self.blocks = nn.ModuleList([Block(8, 8, 1), Block(8, 16, 2)])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(16, 10)

    def forward(self, image):
        x = self.stem(image)
        for block in self.blocks:
            x = block(x)
        return self.head(torch.flatten(self.pool(x), 1))


class LSTMClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.lstm = nn.LSTM(16, 24, num_layers=2, batch_first=True, dropout=0.1)
        self.head = nn.Linear(24, 5)

    def forward(self, tokens):
        out, _ = self.lstm(self.embed(tokens))
        return self.head(out[:, -1])


class BiGRUClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(8, 12, batch_first=True, bidirectional=True)
        self.head = nn.Linear(24, 4)

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(torch.cat([h[-2], h[-1]], dim=1))


class SelfAttention(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, 4, batch_first=True)
        self.norm = nn.LayerNorm(width)

    def forward(self, x):
        attended, _ = self.attn(x, x, x)
        return self.norm(x + attended)


class TransformerClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 32)
        self.attention = SelfAttention(32)
        layer = nn.TransformerEncoderLayer(32, 4, 64, batch_first=True, activation="gelu")
        self.encoder = nn.TransformerEncoder(
            layer, 2, norm=nn.LayerNorm(32), enable_nested_tensor=False
        )
        self.head = nn.Linear(32, 3)

    def forward(self, tokens):
        x = self.encoder(self.attention(self.embed(tokens)))
        return self.head(x.mean(dim=1))


class Functional(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, 3, padding=1)

    def forward(self, x):
        y = F.max_pool1d(F.gelu(self.conv(x.transpose(1, 2))), 2)
        peak = y.amax(dim=-1, keepdim=True)
        top = y.max(dim=2)[0].unsqueeze(-1)
        z = torch.cat([peak * top, torch.sigmoid(peak)], dim=1)
        rows = F.leaky_relu(y.permute(0, 2, 1), 0.2).sum(dim=1)
        return F.softmax(z.flatten(1), dim=-1), rows


class MobileParts(nn.Module):
    # What MobileNet, Inception and SqueezeNet use: per-side kernels, the hard activations
    # (in place too), pooling that rounds up, and a squeeze-excitation gate that broadcasts.
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 8, (1, 5), padding=(0, 2)), nn.BatchNorm2d(8), nn.ReLU6(inplace=True)
        )
        self.tall = nn.Conv2d(8, 8, (3, 1), padding="same", bias=False)
        self.act = nn.SiLU(inplace=True)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.squeeze = nn.Conv2d(8, 4, 1)
        self.excite = nn.Conv2d(4, 8, 1)
        self.gate = nn.Hardsigmoid()
        self.head = nn.Sequential(nn.Linear(8, 6), nn.Hardswish(inplace=True), nn.Linear(6, 5))

    def forward(self, x):
        x = F.hardswish(self.pool(self.act(self.tall(self.stem(x)))), inplace=True)
        scale = F.silu(self.squeeze(F.adaptive_avg_pool2d(x, 1)), inplace=True)
        x = F.relu6(x * F.hardsigmoid(self.excite(scale), inplace=True), inplace=True)
        x = self.gate(F.avg_pool2d(x, (3, 1), (2, 1), padding=(1, 0), ceil_mode=True))
        return self.head(x.mean(dim=(2, 3)))


class LayerNorm2d(nn.LayerNorm):
    def forward(self, x):
        x = x.permute(0, 2, 3, 1)
        x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
        return x.permute(0, 3, 1, 2)


def channel_shuffle(x, groups):
    batch, channels, height, width = x.size()
    x = x.view(batch, groups, channels // groups, height, width)
    return torch.transpose(x, 1, 2).contiguous().view(batch, -1, height, width)


class BranchParts(nn.Module):
    # What ConvNeXt, ShuffleNet and DenseNet use: a LayerNorm over channels, learned layer
    # scales (channels x 1 x 1, and channels last), chunks and splits, a channel shuffle
    # written out, a Linear at each position of a channels-last image, a one-tensor cat.
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.norm = LayerNorm2d(8, eps=1e-6)
        self.conv = nn.Conv2d(4, 4, 1)
        self.gamma = nn.Parameter(torch.full((4, 1, 1), 0.5))
        self.mix = nn.Linear(8, 8)
        self.last = nn.Parameter(torch.full((8,), 1e-6))
        self.shuffle = nn.ChannelShuffle(4)
        self.head = nn.Linear(5, 5)

    def forward(self, x):
        x = self.norm(self.stem(x))
        left, right = x.chunk(2, dim=1)
        x = channel_shuffle(torch.cat((left, self.gamma * self.conv(right)), dim=1), 2)
        x = torch.cat([x], 1)
        y = self.mix(x.movedim(1, -1)) * self.last
        x = self.shuffle(x + y.movedim(-1, 1))
        first, _, third = torch.split(x, 3, dim=1)
        return self.head(torch.cat([third, first], dim=1).mean(dim=(2, 3)))


class Shift(nn.Module):
    def forward(self, x):
        return torch.roll(x, 1, dims=1)


class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.pos = nn.Parameter(torch.zeros(1, 8))
        self.fc = nn.Linear(8, 8)
        self.shift = Shift()
        self.norm = nn.GroupNorm(2, 8)

    def forward(self, x):
        x = self.shift(self.fc(x) + self.pos)
        return torch.sigmoid(self.norm(x)) + 2


class Shared(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.unused = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(torch.relu(self.fc(x)))


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)

    def forward(self, x):
        if x.sum() > 0:
            return self.fc(x)
        return x


class NotAModule:
    pass


def make_number():
    return 3


class NeedsWidth(nn.Module):
    def __init__(self, width):
        super().__init__()


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        raise ValueError("no weights here\\nsecond line")


CONSTANT = 7
"""

# Model name -> input shapes; a token input's ids stay below its Embedding's vocabulary.
HAND_WRITTEN = {
    "MLP": [(4,)],
    "make_mlp": [(4,)],
    "LeNet5": [(1, 28, 28)],
    "ResidualCNN": [(3, 16, 16)],
    "LSTMClassifier": [(7,)],
    "BiGRUClassifier": [(6, 8)],
    "TransformerClassifier": [(10,)],
    "Functional": [(10, 4)],
    "MobileParts": [(3, 10, 13)],
    "BranchParts": [(3, 6, 5)],
}


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("models") / "models.py"
    path.write_text(MODELS)
    return path


def random_inputs(module: nn.Module, shapes: list[tuple[int, ...]]) -> list[torch.Tensor]:
    embeddings = [layer for layer in module.modules() if isinstance(layer, nn.Embedding)]
    if embeddings:
        return [torch.randint(0, embeddings[0].num_embeddings, (5, *shape)) for shape in shapes]
    return [torch.randn(5, *shape) for shape in shapes]


def as_tuple(value: torch.Tensor | tuple) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def project_to_dict_of(doc: GraphDocument) -> dict:
    from designer.project import Project

    return project_to_dict(Project(graph=doc))["graph"]


def structure(doc: GraphDocument) -> tuple[list, list]:
    """Kinds and params in forward order, and wires as (from, to, place among the target's
    inputs) by that order: the same for graphs that differ only in ids, names and positions.
    Reshape params are compared as the shape they make (-1 resolved)."""
    report = Analyzer(doc).report()
    index = {node_id: number for number, node_id in enumerate(report.order)}
    nodes = []
    for node_id in report.order:
        node = doc.node(node_id)
        params = node.spec.params_to_json(node.params)
        if node.kind == "reshape":
            params["shape"] = list(report.nodes[node_id].output.shape)
        nodes.append((node.kind, params))
    wires = sorted(
        (index[edge.source], index[edge.target], doc.in_edges(edge.target).index(edge))
        for edge in doc.edges()
    )
    return nodes, wires


def reimport(doc: GraphDocument, shapes: list, folder: Path, name: str) -> GraphDocument:
    """Generate the graph's code into a file, load its class and import it again."""
    code = generate(doc, Analyzer(doc).report(), name)
    path = folder / f"{code.class_name.lower()}.py"
    path.write_text(code.source)
    return import_module(load_module(f"{path}:{code.class_name}"), shapes, name).project.graph


@pytest.mark.parametrize("name", list(HAND_WRITTEN))
def test_hand_written_models_import_with_their_weights(name: str, models: Path, tmp_path: Path):
    shapes = HAND_WRITTEN[name]
    module = scramble(load_module(f"{models}:{name}"))
    result = import_module(module, shapes, name)
    doc = result.project.graph
    report = Analyzer(doc).report()
    assert report.ok, [diagnostic.message for diagnostic in report.diagnostics]
    own = sum(parameter.numel() for parameter in module.parameters())
    assert report.total_params == result.params == own
    assert len({node.position for node in doc.nodes()}) == len(doc), "not laid out"

    generated, _ = compile_graph(doc, name)
    generated.load_state_dict(map_state_dict(result, module.state_dict()))
    generated.eval()
    inputs = random_inputs(module, shapes)
    with torch.no_grad():
        expected, found = module(*inputs), generated(*inputs)
    for want, got in zip(as_tuple(expected), as_tuple(found), strict=True):
        assert torch.allclose(got, want, atol=1e-6)

    # The same graph but for ids and names: calls folded into one layer (a channel shuffle
    # written out as view, transpose and view) come back as that layer's one call.
    again = reimport(doc, shapes, tmp_path, name)
    assert structure(again) == structure(doc)


def test_nested_blocks_flatten_into_named_layers(models: Path):
    result = import_module(load_module(f"{models}:ResidualCNN"), [(3, 16, 16)], "ResidualCNN")
    doc = result.project.graph
    names = {node.name: node for node in doc.nodes()}
    assert {"blocks_1_shortcut_0", "blocks_1_shortcut_1", "blocks_0_add", "pool"} <= set(names)
    shortcut = names["blocks_1_shortcut_0"]
    assert (shortcut.kind, shortcut.params["kernel_size"], shortcut.params["stride"]) == (
        "conv2d",
        1,
        2,
    )
    add = names["blocks_1_add"]
    sources = [doc.node(edge.source).name for edge in doc.in_edges(add.id)]
    assert sources == ["blocks_1_bn2", "blocks_1_shortcut_1"]
    assert result.sources[shortcut.id] == "blocks.1.shortcut.0"

    lstm = load_module(f"{models}:LSTMClassifier")
    doc = import_module(lstm, [(7,)], "LSTM").project.graph
    kinds = {node.name: (node.kind, node.params) for node in doc.nodes()}
    assert kinds["tokens"][1]["dtype"] == "long"
    assert kinds["lstm"] == (
        "lstm",
        {
            "hidden_size": 24,
            "num_layers": 2,
            "bidirectional": False,
            "dropout": 0.1,
            "returns": "last",
        },
    )


def test_per_side_windows_rounding_pools_and_gates_keep_their_settings(models: Path):
    doc = import_module(load_module(f"{models}:MobileParts"), [(3, 10, 13)], "M").project.graph
    params = {node.name: node.params for node in doc.nodes()}
    windows = ("kernel_size", "stride", "padding")
    assert [params["stem_0"][name] for name in windows] == [(1, 5), 1, (0, 2)]
    assert [params["tall"][name] for name in windows] == [(3, 1), 1, (1, 0)]
    assert params["pool"] == {"kernel_size": 3, "stride": 2, "padding": 0, "ceil_mode": True}
    (average,) = [node for node in doc.nodes() if node.kind == "avgpool2d"]
    assert average.params == {
        "kernel_size": (3, 1),
        "stride": (2, 1),
        "padding": (1, 0),
        "ceil_mode": True,
    }
    kinds = {node.kind for node in doc.nodes()}
    assert {"relu6", "silu", "hardswish", "hardsigmoid", "multiply"} <= kinds
    (gate,) = [node for node in doc.nodes() if node.kind == "multiply"]
    report = Analyzer(doc).report()
    # 10x13 pooled 3 by 2, rounding up: 5x6 (4x6 rounding down)
    assert [info.shape for info in report.nodes[gate.id].inputs] == [(8, 5, 6), (8, 1, 1)]


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_exported_projects_import_back(path: Path, tmp_path: Path):
    project = load_project(path)
    shapes = [node.params["shape"] for node in project.graph.nodes() if node.kind == "input"]
    again = reimport(project.graph, shapes, tmp_path, project.name)
    # Blocks come back inline, or as blocks where the code repeats a module (ResNet-18's).
    assert structure(flattened(again)) == structure(flattened(project.graph))


# Custom code whose call is what a catalog layer does comes back as that layer: on import the
# catalog goes first.
AS_CATALOG = {
    "operator:mul": ("layer_scale", {"dim": -1, "init": 0.0}),  # by a learned tensor of zeros
    "torch:chunk": ("chunk", {"chunks": 2, "index": 1, "dim": -1}),
}


def comes_back_as(doc: GraphDocument) -> tuple[list, list]:
    """The structure the graph's code imports as: its own, custom code of AS_CATALOG aside."""
    nodes, wires = structure(doc)
    back = [
        AS_CATALOG.get(params["target"], (kind, params))
        if kind == "custom_code"
        else (kind, params)
        for kind, params in nodes
    ]
    return back, wires


def test_every_layer_kind_comes_back_from_its_code(tmp_path: Path):
    """Each kind's generated code imports as the same kind and params (custom code that is a
    catalog layer's call as that layer). Token-id inputs that no Embedding reads cannot be told
    from float ones, so those cases are left out."""
    checked = set()
    for kind, cases in CASES.items():
        for number, layer_case in enumerate(cases):
            if kind != "embedding" and any(info.dtype == "long" for info in layer_case.inputs):
                continue
            doc, _, inputs = build(kind, layer_case)
            shapes = [info.shape for info in inputs.values()]
            again = reimport(doc, shapes, tmp_path, f"{kind} {number}")
            assert structure(again) == comes_back_as(doc), kind
            checked.add(kind)
    assert checked == set(CASES)


def test_unsupported_calls_are_listed_by_name(models: Path):
    with pytest.raises(UnsupportedModule) as raised:
        import_module(load_module(f"{models}:Odd"), [(8,)], "Odd", custom_code=False)
    problems = raised.value.problems
    assert any(p.startswith("pos (a tensor attribute): is used directly") for p in problems)
    assert any(p.startswith("torch.roll in shift: no catalog layer") for p in problems)
    assert any(p.startswith("norm (GroupNorm): no catalog layer") for p in problems)
    assert any(p.startswith("operator + in forward: adds the constant 2") for p in problems)
    assert len(problems) == 4, problems
    assert "4 problem(s)" in str(raised.value)


def test_shared_and_unused_weights_are_refused(models: Path):
    with pytest.raises(UnsupportedModule) as raised:
        import_module(load_module(f"{models}:Shared"), [(8,)], "Shared")
    (problem,) = raised.value.problems
    assert problem.startswith("fc (Linear): is called more than once")


def test_weights_left_over_and_counts_are_checked(models: Path):
    module = load_module(f"{models}:MLP")
    module.spare = nn.Linear(3, 3)
    with pytest.raises(UnsupportedModule) as raised:
        import_module(module, [(4,)], "MLP")
    assert raised.value.problems == [
        "weights that no layer holds (unused, or used directly): spare.weight, spare.bias",
        "the graph has 131 parameters but the module has 143",
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("models.py", "is not FILE.py:NAME"),
        ("{dir}/missing.py:Net", "missing.py: no such file"),
        ("{dir}:Net", "is a folder, not a regular file"),
        ("{models}:Nope", "defines no 'Nope' (its nn.Module classes: BiGRUClassifier, Block"),
        ("{models}:NotAModule", "NotAModule is a class but not an nn.Module subclass"),
        ("{models}:CONSTANT", "CONSTANT is a int, not an nn.Module class or a function"),
        ("{models}:make_number", "make_number() returned a int, not an nn.Module"),
        ("{models}:NeedsWidth", "NeedsWidth() fails: TypeError: NeedsWidth.__init__() missing"),
        ("{models}:Broken", ": line {broken}: Broken() fails: ValueError: no weights here"),
        ("{dir}/syntax.py:Net", "syntax.py: line 2: has a syntax error: "),
        ("{dir}/crash.py:Net", "crash.py: line 1: fails when run: ZeroDivisionError: division"),
    ],
)
def test_bad_specs_say_what_is_wrong(spec: str, message: str, models: Path):
    (models.parent / "syntax.py").write_text("import torch\ndef broken(:\n")
    (models.parent / "crash.py").write_text("ratio = 1 / 0\n")
    spec = spec.format(dir=models.parent, models=models)
    lines = enumerate(MODELS.splitlines(), start=1)
    broken = next(number for number, line in lines if "raise ValueError" in line)
    with pytest.raises(ImportProblem) as raised:
        load_module(spec)
    assert message.format(broken=broken) in str(raised.value)
    assert "second line" not in str(raised.value)
    assert isinstance(raised.value, ProjectError)


def test_loading_leaves_no_module_and_no_cache(models: Path):
    before = set(sys.modules)
    path = list(sys.path)
    load_module(f"{models}:MLP")
    assert set(sys.modules) == before
    assert sys.path == path
    assert not (models.parent / "__pycache__").exists()


def test_shapes_parse_or_say_why():
    assert parse_shape("3x224x224") == (3, 224, 224)
    assert parse_shape(" 7 ") == (7,)
    assert parse_shape("10 X 4") == (10, 4)
    for text, message in [
        ("", "is not a shape: give whole sizes joined by x"),
        ("3x", "is not a shape"),
        ("3,224", "is not a shape"),
        ("-1x4", "is not a shape"),
        ("3x0", "cannot be an input shape: 0 is below the minimum 1"),
        ("1x1x1x1x1x1x1x1x1", "cannot be an input shape: expected 1 to 8 numbers, got 9"),
    ]:
        with pytest.raises(ImportProblem, match=message):
            parse_shape(text)


def test_inputs_that_do_not_fit_the_module_say_so(models: Path):
    module = load_module(f"{models}:MLP")
    with pytest.raises(ImportProblem, match=r"forward\(x\) takes 1 input\(s\) but 2 input"):
        import_module(module, [(4,), (4,)], "MLP")
    with pytest.raises(
        ImportProblem, match=r"fails at hidden on inputs of shape 2x5 \(batch first\): "
    ):
        import_module(module, [(5,)], "MLP")
    with pytest.raises(ImportProblem, match=r"cannot be traced with torch\.fx: `if "):
        import_module(load_module(f"{models}:Branchy"), [(8,)], "Branchy")


def test_import_to_project_saves_a_project(models: Path, tmp_path: Path):
    output = tmp_path / "lenet.json"
    project, lines = import_to_project(f"{models}:LeNet5", ["1x28x28"], output)
    assert lines[0] == (
        f"Imported LeNet5 from {models}: 12 layers, 61,706 parameters (the module's own count)"
    )
    assert lines[-1] == f"Saved {output}"
    loaded = load_project(output)
    assert loaded.name == "LeNet5" and loaded.description == f"Imported from {models}:LeNet5"
    assert project_to_dict_of(loaded.graph) == project_to_dict_of(project.graph)
    with pytest.raises(ImportProblem, match="is not a shape"):
        import_to_project(f"{models}:LeNet5", ["1x28x"], output)
