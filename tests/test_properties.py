"""Property tests: built modules match inference; analysis of any graph never crashes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from designer.compiler import Analyzer, CompileError, compile_graph, generate
from designer.compiler.fixes import apply_fix
from designer.model import GraphDocument, Node
from nodes import REGISTRY, TensorInfo
from nodes.params import (
    BoolParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    IntsParam,
    PairParam,
    ParamSpec,
    TextParam,
)

BATCH = 3
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Layer = tuple[str, dict[str, Any]]


# -- helpers -------------------------------------------------------------------------------


def chain_doc(shape: tuple[int, ...], layers: list[Layer]) -> GraphDocument:
    doc = GraphDocument()
    previous = doc.add_node("input", "x", {"shape": list(shape)})
    for kind, params in layers:
        node = doc.add_node(kind, params=params)
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    doc.connect(previous.id, "out", doc.add_node("output", "y").id, "in")
    return doc


def sample(info: TensorInfo) -> torch.Tensor:
    if info.dtype == "long":
        return torch.zeros((BATCH, *info.shape), dtype=torch.int64)
    return torch.randn((BATCH, *info.shape))


def check_module_matches_report(doc: GraphDocument, report) -> None:
    """Build the module and run it on a real batch: shapes, dtypes and params as inferred."""
    assert report.ok, [str(diagnostic) for diagnostic in report.errors]
    module, code = compile_graph(doc, report=report)
    compile(code.source, "<property>", "exec")
    nodes = [doc.node(node_id) for node_id in report.order]
    inputs = [sample(report.nodes[n.id].output) for n in nodes if n.spec.role == "input"]
    expected = [report.nodes[n.id].output for n in nodes if n.spec.role == "output"]
    for training in (True, False):
        module.train(training)
        with torch.no_grad():
            result = module(*inputs)
        results = list(result) if isinstance(result, tuple) else [result]
        assert len(results) == len(expected)
        for tensor, info in zip(results, expected, strict=True):
            assert tuple(tensor.shape) == (BATCH, *info.shape), code.source
            assert (tensor.dtype == torch.int64) == (info.dtype == "long"), code.source
    assert sum(parameter.numel() for parameter in module.parameters()) == report.total_params


# -- (a) random valid chains ---------------------------------------------------------------

ELEMENTWISE = ["relu", "tanh", "sigmoid", "gelu", "leaky_relu", "elu", "identity", "dropout"]


@st.composite
def elementwise(draw) -> Layer:
    kind = draw(st.sampled_from(ELEMENTWISE))
    if kind == "dropout":
        return kind, {"p": draw(st.floats(0.0, 1.0))}
    if kind == "leaky_relu":
        return kind, {"negative_slope": draw(st.floats(0.0, 1.0))}
    return kind, {}


@st.composite
def vector_chains(draw) -> tuple[tuple[int, ...], list[Layer]]:
    features = draw(st.integers(1, 12))
    shape = (features,)
    layers: list[Layer] = []
    for _ in range(draw(st.integers(0, 6))):
        choice = draw(st.sampled_from(["dense", "norm", "elementwise", "softmax"]))
        if choice == "dense":
            layers.append(
                ("dense", {"units": draw(st.integers(1, 12)), "bias": draw(st.booleans())})
            )
        elif choice == "norm":
            kind = draw(st.sampled_from(["layernorm", "batchnorm1d"]))
            layers.append((kind, {"eps": draw(st.floats(1e-8, 1e-2))}))
        elif choice == "softmax":
            layers.append((draw(st.sampled_from(["softmax", "log_softmax"])), {"dim": -1}))
        else:
            layers.append(draw(elementwise()))
    layers.append(("dense", {"units": draw(st.integers(1, 6))}))
    return shape, layers


def out_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


@st.composite
def image_chains(draw) -> tuple[tuple[int, ...], list[Layer]]:
    channels = draw(st.integers(1, 4))
    height, width = draw(st.integers(1, 14)), draw(st.integers(1, 14))
    shape = (channels, height, width)
    layers: list[Layer] = []
    for _ in range(draw(st.integers(0, 5))):
        choice = draw(st.sampled_from(["conv", "pool", "bn", "elementwise", "adaptive"]))
        if choice == "conv":
            padding, dilation = draw(st.integers(0, 2)), draw(st.integers(1, 2))
            room = min(height, width) + 2 * padding
            kernel = draw(st.integers(1, max(1, min(5, (room - 1) // dilation + 1))))
            if dilation * (kernel - 1) + 1 > room:
                continue
            stride = draw(st.integers(1, 3))
            groups = draw(st.sampled_from([g for g in range(1, channels + 1) if channels % g == 0]))
            filters = groups * draw(st.integers(1, 3))
            layers.append(
                (
                    "conv2d",
                    {
                        "filters": filters,
                        "kernel_size": kernel,
                        "stride": stride,
                        "padding": padding,
                        "dilation": dilation,
                        "groups": groups,
                        "bias": draw(st.booleans()),
                    },
                )
            )
            channels = filters
            height = out_size(height, kernel, stride, padding, dilation)
            width = out_size(width, kernel, stride, padding, dilation)
        elif choice == "pool":
            kernel = draw(st.integers(1, min(4, height, width)))
            stride, padding = draw(st.integers(1, 3)), draw(st.integers(0, kernel // 2))
            kind = draw(st.sampled_from(["maxpool2d", "avgpool2d"]))
            layers.append((kind, {"kernel_size": kernel, "stride": stride, "padding": padding}))
            height = out_size(height, kernel, stride, padding)
            width = out_size(width, kernel, stride, padding)
        elif choice == "bn":
            layers.append(("batchnorm2d", {"momentum": draw(st.floats(0.0, 1.0))}))
        elif choice == "adaptive":
            size = draw(st.integers(1, 3))
            layers.append(("adaptive_avgpool2d", {"output_size": size}))
            height = width = size
        else:
            layers.append(draw(elementwise()))
        assert height >= 1 and width >= 1
    layers.append(("flatten", {}))
    layers.append(("dense", {"units": draw(st.integers(1, 6))}))
    return shape, layers


@st.composite
def sequence_chains(draw) -> tuple[tuple[int, ...], list[Layer]]:
    length, features = draw(st.integers(1, 6)), draw(st.integers(1, 8))
    shape = (length, features)
    layers: list[Layer] = []
    for _ in range(draw(st.integers(0, 4))):
        choice = draw(st.sampled_from(["dense", "layernorm", "rnn", "attention", "conv", "act"]))
        divisors = [h for h in range(1, features + 1) if features % h == 0]
        if choice == "dense":
            features = draw(st.integers(1, 8))
            layers.append(("dense", {"units": features}))
        elif choice == "layernorm":
            layers.append(("layernorm", {}))
        elif choice == "rnn":
            kind = draw(st.sampled_from(["rnn", "lstm", "gru"]))
            hidden, bidirectional = draw(st.integers(1, 5)), draw(st.booleans())
            layers.append(
                (
                    kind,
                    {
                        "hidden_size": hidden,
                        "num_layers": draw(st.integers(1, 2)),
                        "bidirectional": bidirectional,
                    },
                )
            )
            features = hidden * (2 if bidirectional else 1)
        elif choice == "attention":
            if draw(st.booleans()):
                layers.append(
                    ("multihead_attention", {"num_heads": draw(st.sampled_from(divisors))})
                )
            else:
                layers.append(
                    (
                        "transformer_encoder_layer",
                        {
                            "nhead": draw(st.sampled_from(divisors)),
                            "dim_feedforward": draw(st.integers(1, 8)),
                            "dropout": 0.0,
                            "norm_first": draw(st.booleans()),
                        },
                    )
                )
        elif choice == "conv":
            kernel = draw(st.integers(1, length))
            filters = draw(st.integers(1, 6))
            layers.append(("permute", {"dims": [1, 0]}))
            layers.append(("conv1d", {"filters": filters, "kernel_size": kernel}))
            layers.append(("permute", {"dims": [1, 0]}))
            length, features = length - kernel + 1, filters
        else:
            layers.append(draw(elementwise()))
    if draw(st.booleans()):
        layers.append(("reduce", {"op": draw(st.sampled_from(["mean", "max", "sum"])), "dim": 0}))
    else:
        kind = draw(st.sampled_from(["rnn", "lstm", "gru"]))
        layers.append((kind, {"hidden_size": 3, "returns": "last"}))
    layers.append(("dense", {"units": draw(st.integers(1, 6))}))
    return shape, layers


@SETTINGS
@given(st.one_of(vector_chains(), image_chains(), sequence_chains()))
def test_random_valid_chain_builds_as_inferred(chain):
    shape, layers = chain
    doc = chain_doc(shape, layers)
    report = Analyzer(doc).report()
    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    check_module_matches_report(doc, report)


# -- (b) residual blocks -------------------------------------------------------------------


@dataclass
class Block:
    filters: int
    stride: int
    batchnorm: bool
    projection: bool  # a 1x1 conv on the shortcut even where it is not needed
    shortcut_first: bool


blocks = st.builds(
    Block,
    filters=st.integers(1, 6),
    stride=st.sampled_from([1, 2]),
    batchnorm=st.booleans(),
    projection=st.booleans(),
    shortcut_first=st.booleans(),
)


def residual_doc(shape: tuple[int, int, int], plan: list[Block], omit: int | None = None):
    """A stem of residual blocks; block `omit` leaves out a projection that it needs."""
    doc = GraphDocument()
    previous: Node = doc.add_node("input", "x", {"shape": list(shape)})
    channels, height, width = shape
    joins = []

    def link(source: Node, kind: str, params: dict[str, Any] | None = None) -> Node:
        node = doc.add_node(kind, params=params)
        doc.connect(source.id, "out", node.id, "in")
        return node

    for index, block in enumerate(plan):
        conv = {"filters": block.filters, "kernel_size": 3, "padding": 1}
        main = link(previous, "conv2d", {**conv, "stride": block.stride})
        if block.batchnorm:
            main = link(main, "batchnorm2d")
        main = link(main, "relu")
        main = link(main, "conv2d", conv)
        needed = block.stride != 1 or block.filters != channels
        shortcut = previous
        if (needed or block.projection) and index != omit:
            projection = {"filters": block.filters, "kernel_size": 1, "stride": block.stride}
            shortcut = link(previous, "conv2d", projection)
        join = doc.add_node("add")
        for source in (shortcut, main) if block.shortcut_first else (main, shortcut):
            doc.connect(source.id, "out", join.id, "in")
        joins.append(join)
        previous = link(join, "relu")
        channels = block.filters
        height, width = -(-height // block.stride), -(-width // block.stride)
    head = link(link(link(previous, "adaptive_avgpool2d"), "flatten"), "dense", {"units": 3})
    doc.connect(head.id, "out", doc.add_node("output", "y").id, "in")
    return doc, joins, (channels, height, width)


@SETTINGS
@given(
    shape=st.tuples(st.integers(1, 4), st.integers(1, 9), st.integers(1, 9)),
    plan=st.lists(blocks, min_size=1, max_size=3),
)
def test_residual_blocks_build_as_inferred(shape, plan):
    doc, joins, last = residual_doc(shape, plan)
    report = Analyzer(doc).report()
    assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
    assert report.nodes[joins[-1].id].output == TensorInfo(last)
    check_module_matches_report(doc, report)


@SETTINGS
@given(
    shape=st.tuples(st.integers(1, 4), st.integers(2, 9), st.integers(2, 9)),
    plan=st.lists(blocks, min_size=1, max_size=3),
    data=st.data(),
)
def test_missing_projection_is_diagnosed_and_its_fix_works(shape, plan, data):
    sizes = [shape]
    for block in plan:
        _, height, width = sizes[-1]
        sizes.append((block.filters, -(-height // block.stride), -(-width // block.stride)))
    channels = [size[0] for size in sizes]
    needy = [index for index in range(len(plan)) if sizes[index] != sizes[index + 1]]
    assume(needy)
    omit = data.draw(st.sampled_from(needy))
    doc, joins, _ = residual_doc(shape, plan, omit)
    analyzer = Analyzer(doc)
    report = analyzer.report()
    assert not report.ok
    errors = [d for d in report.nodes[joins[omit].id].diagnostics if d.is_error]
    assert len(errors) == 1 and errors[0].message.startswith("Add 'add")
    block = plan[omit]
    with pytest.raises(CompileError):
        generate(doc, report)
    if block.stride == 1 and block.filters > channels[omit]:
        assert errors[0].fix is not None, errors[0].message
    fix = errors[0].fix
    if fix is None:
        return
    assert fix.action == "add_projection"
    added = apply_fix(doc, fix)
    assert len(added) == len(fix.args["inputs"])
    fixed = analyzer.report()
    assert not [d for d in fixed.nodes[joins[omit].id].diagnostics if d.is_error]
    if fixed.ok:
        check_module_matches_report(doc, fixed)


# -- (c) random, mostly invalid graphs ---------------------------------------------------

KINDS = sorted(spec.kind for spec in REGISTRY)
# Names that clash, are keywords or reserved, or are no identifiers at all.
NAMES = ["x", "x", "y", "class", "self", "forward", "torch", "training"]
NAMES += ["1st", "été", "", "a b", "_"]
JUNK = st.sampled_from([-5, 0, 1.5, "x", None, True, [1], [], float("nan")])


def valid_value(param: ParamSpec) -> st.SearchStrategy:
    if isinstance(param, BoolParam):
        return st.booleans()
    if isinstance(param, ChoiceParam):
        return st.sampled_from(param.choices)
    if isinstance(param, IntParam):
        low = param.min if param.min is not None else -3
        high = min(param.max if param.max is not None else low + 8, low + 8)
        return st.integers(low, high)
    if isinstance(param, FloatParam):
        low = param.min if param.min is not None else -1.0
        high = param.max if param.max is not None else low + 2.0
        return st.floats(low, high)
    if isinstance(param, IntsParam):
        low = max(param.min if param.min is not None else -1, -1)
        item = st.integers(low, max(low, 1) + 4)
        return st.lists(item, min_size=param.min_len, max_size=min(param.max_len, 3))
    if isinstance(param, PairParam):
        side = st.integers(param.min, param.min + 8)
        return side | st.lists(side, min_size=2, max_size=2)
    if isinstance(param, TextParam):
        return st.sampled_from([param.default, "x0", "torch:cumsum", "x0, dim=1", "", "(("])
    raise AssertionError(f"no strategy for {type(param).__name__}")


def param_value(param: ParamSpec) -> st.SearchStrategy:
    outside = []
    if isinstance(param, IntParam | FloatParam):
        if param.min is not None:
            outside.append(st.just(param.min - 1))
        if param.max is not None:
            outside.append(st.just(param.max + 1))
    return st.one_of(valid_value(param), valid_value(param), JUNK, *outside)


@st.composite
def random_nodes(draw) -> tuple[str, str | None, dict[str, Any]]:
    kind = draw(st.sampled_from(KINDS))
    spec = REGISTRY.get(kind)
    params = {}
    for param in spec.params:
        if draw(st.booleans()):
            params[param.name] = draw(param_value(param))
    name = draw(st.none() | st.sampled_from(NAMES))
    return kind, name, params


def connectable(doc: GraphDocument) -> tuple[list[Node], list[Node]]:
    nodes = doc.nodes()
    return [n for n in nodes if n.spec.outputs], [n for n in nodes if n.spec.inputs]


@st.composite
def random_graphs(draw) -> GraphDocument:
    doc = GraphDocument()
    for kind, name, params in draw(st.lists(random_nodes(), min_size=1, max_size=8)):
        doc.add_node(kind, name, params)
    sources, targets = connectable(doc)
    if sources and targets:
        wires = st.tuples(st.sampled_from(sources), st.sampled_from(targets))
        for source, target in draw(st.lists(wires, max_size=12)):
            doc.connect(source.id, "out", target.id, "in")
    return doc


@st.composite
def random_dags(draw) -> GraphDocument:
    """Nodes wired mostly forward from earlier ones, so that many graphs are nearly valid."""
    doc = GraphDocument()
    shape = draw(st.lists(st.integers(1, 6), min_size=1, max_size=3))
    dtype = draw(st.sampled_from(["float", "float", "long"]))
    made = [doc.add_node("input", "x", {"shape": shape, "dtype": dtype})]
    layer_kinds = [spec.kind for spec in REGISTRY if spec.role == "layer"]
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(layer_kinds))
        spec = REGISTRY.get(kind)
        params = {}
        for param in spec.params:
            if draw(st.integers(0, 3)) == 0:
                params[param.name] = draw(param_value(param))
        node = doc.add_node(kind, params=params)
        wires = draw(st.integers(spec.min_inputs, 3)) if spec.inputs[0].many else 1
        for _ in range(wires):
            source = draw(st.sampled_from(made[-3:]))
            doc.connect(source.id, "out", node.id, "in")
        made.append(node)
    doc.connect(made[-1].id, "out", doc.add_node("output", "y").id, "in")
    if draw(st.integers(0, 4)) == 0:
        source, target = draw(st.sampled_from(made[1:])), draw(st.sampled_from(made[1:]))
        doc.connect(source.id, "out", target.id, "in")
    return doc


@SETTINGS
@given(st.one_of(random_graphs(), random_dags()))
def test_analysis_of_any_graph_never_raises(doc):
    report = Analyzer(doc).report()
    assert set(report.nodes) == {node.id for node in doc.nodes()}
    for diagnostic in report.diagnostics:
        assert diagnostic.message and diagnostic.severity in ("error", "warning")
        if diagnostic.node_id is not None:
            node = doc.node(diagnostic.node_id)
            assert f"{node.spec.name} {node.name!r}" in diagnostic.message
    if not report.ok:
        assert report.errors
        with pytest.raises(CompileError) as caught:
            generate(doc, report)
        assert caught.value.diagnostics == report.errors
    else:
        check_module_matches_report(doc, report)


# Input ranks that the layers which need one expect; the rest get any rank.
RANKS = {
    **dict.fromkeys(["conv1d", "maxpool1d", "avgpool1d", "rnn", "lstm", "gru"], 2),
    **dict.fromkeys(["multihead_attention", "transformer_encoder_layer"], 2),
    **dict.fromkeys(["conv2d", "conv_transpose2d", "maxpool2d", "avgpool2d", "batchnorm2d"], 3),
    "adaptive_avgpool2d": 3,
}
LAYER_KINDS = sorted(spec.kind for spec in REGISTRY if spec.role == "layer")


@SETTINGS
@given(kind=st.sampled_from(LAYER_KINDS), data=st.data())
def test_any_single_layer_that_analysis_accepts_runs_as_inferred(kind, data):
    spec = REGISTRY.get(kind)
    params = {
        param.name: data.draw(valid_value(param), label=param.name)
        for param in spec.params
        if data.draw(st.booleans())
    }
    rank = RANKS.get(kind)
    shape = data.draw(st.lists(st.integers(1, 9), min_size=rank or 1, max_size=rank or 4))
    heads = params.get("num_heads", params.get("nhead"))
    if isinstance(heads, int) and heads > 0:
        shape[-1] = heads * data.draw(st.integers(1, 3))
    dtype = data.draw(st.sampled_from(spec.dtypes))
    doc = GraphDocument()
    layer = doc.add_node(kind, "layer", params)
    wires = data.draw(st.integers(2, 3)) if spec.inputs[0].many else 1
    for index in range(wires):
        size = data.draw(st.sampled_from([shape, shape, [*shape[:-1], shape[-1] + 1]]))
        source = doc.add_node("input", f"x{index}", {"shape": size, "dtype": dtype})
        doc.connect(source.id, "out", layer.id, "in")
    doc.connect(layer.id, "out", doc.add_node("output", "y").id, "in")
    report = Analyzer(doc).report()
    if report.ok:
        check_module_matches_report(doc, report)


# -- (d) incremental analysis equals a fresh one -------------------------------------------


ACTIONS = ["add", "add", "connect", "connect", "disconnect", "param", "rename", "remove"]


@dataclass
class Editor:
    doc: GraphDocument = field(default_factory=GraphDocument)

    def step(self, data) -> None:
        doc = self.doc
        nodes = doc.nodes()
        action = data.draw(st.sampled_from(ACTIONS))
        if action == "add" or not nodes:
            kind, name, params = data.draw(random_nodes())
            doc.add_node(kind, name, params)
        elif action == "connect":
            sources, targets = connectable(doc)
            if sources and targets:
                source = data.draw(st.sampled_from(sources))
                target = data.draw(st.sampled_from(targets))
                doc.connect(source.id, "out", target.id, "in")
        elif action == "disconnect":
            if doc.edges():
                doc.disconnect(data.draw(st.sampled_from(doc.edges())).id)
        elif action == "param":
            node = data.draw(st.sampled_from([n for n in nodes if n.spec.params] or nodes))
            if node.spec.params:
                param = data.draw(st.sampled_from(node.spec.params))
                doc.set_param(node.id, param.name, data.draw(param_value(param)))
        elif action == "rename":
            doc.rename(data.draw(st.sampled_from(nodes)).id, data.draw(st.sampled_from(NAMES)))
        else:
            doc.remove_node(data.draw(st.sampled_from(nodes)).id)


@SETTINGS
@given(st.data())
def test_incremental_analysis_equals_a_fresh_one(data):
    editor = Editor()
    analyzer = Analyzer(editor.doc)
    for _ in range(data.draw(st.integers(1, 14))):
        editor.step(data)
        if data.draw(st.booleans()):
            analyzer.report()
    incremental, fresh = analyzer.report(), Analyzer(editor.doc).report()
    for node_id, expected in fresh.nodes.items():
        assert incremental.nodes[node_id] == expected, editor.doc.node(node_id)
    assert incremental == fresh


def test_layernorm_on_a_reduced_scalar_is_diagnosed():
    doc = chain_doc((4,), [("reduce", {"dim": 0}), ("layernorm", {})])
    report = Analyzer(doc).report()
    layernorm = next(node for node in doc.nodes() if node.kind == "layernorm")
    assert report.nodes[layernorm.id].has_errors


def test_transposed_conv_output_padding_is_checked():
    doc = chain_doc((2, 4, 4), [("conv_transpose2d", {"output_padding": 2, "stride": 1})])
    report = Analyzer(doc).report()
    if report.ok:
        module, _ = compile_graph(doc, report=report)
        module(torch.randn(BATCH, 2, 4, 4))
