"""Every registered layer kind: analysis, codegen and the real module agree; params and registry."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.compiler import Analyzer, compile_graph
from designer.compiler.probe import _probe, freeze, probe
from designer.model import GraphDocument, GraphError
from nodes import REGISTRY, LayerSpec, ParamError, TensorInfo, UnknownKindError
from nodes.params import BoolParam, ChoiceParam, FloatParam, IntParam, IntsParam, PairParam
from nodes.registry import Registry

BATCH = 3
TORCH_DTYPES = {"float": torch.float32, "long": torch.int64}


def f(*shape: int) -> TensorInfo:
    return TensorInfo(tuple(shape))


def i64(*shape: int) -> TensorInfo:
    return TensorInfo(tuple(shape), "long")


@dataclass(frozen=True)
class Case:
    """Inputs of one layer (one Input node each, or one Input fanned out when `branch`)."""

    inputs: tuple[TensorInfo, ...]
    params: dict[str, Any] = field(default_factory=dict)
    branch: bool = False
    high: int = 10  # token ids are drawn from [0, high)


def case(*inputs: TensorInfo, branch: bool = False, high: int = 10, **params: Any) -> Case:
    return Case(tuple(inputs), params, branch, high)


# Every layer kind needs at least one entry here: a new kind must say how to test it.
CASES: dict[str, list[Case]] = {
    "relu": [case(f(4, 6)), case(f(2, 3, 5))],
    "sigmoid": [case(f(7))],
    "tanh": [case(f(2, 3, 5))],
    "relu6": [case(f(4, 6)), case(f(2, 3, 5))],
    "silu": [case(f(7))],
    "hardswish": [case(f(4, 6))],
    "hardsigmoid": [case(f(3, 1, 1))],
    "leaky_relu": [case(f(4, 6), negative_slope=0.2)],
    "elu": [case(f(9), alpha=0.5)],
    "gelu": [case(f(4, 6)), case(f(5), approximate="tanh")],
    "softmax": [case(f(4, 6), dim=0), case(f(10))],
    "log_softmax": [case(f(2, 3, 5), dim=-1), case(f(2, 3, 5), dim=1)],
    "identity": [case(f(5)), case(i64(3, 4))],
    "multihead_attention": [
        case(f(5, 8), num_heads=2),
        case(f(4, 6), num_heads=3, dropout=0.1, bias=False),
    ],
    "transformer_encoder_layer": [
        case(f(5, 8), nhead=2, dim_feedforward=16),
        case(f(3, 6), nhead=3, dim_feedforward=8, activation="gelu", norm_first=True),
        case(f(5, 8), nhead=2, dim_feedforward=16, causal=True),
    ],
    "conv1d": [case(f(3, 10), filters=4, kernel_size=3, stride=2, padding=1)],
    "conv2d": [
        case(f(3, 9, 9), filters=4, kernel_size=3, stride=2, padding=1, bias=False),
        case(f(4, 8, 8), filters=6, kernel_size=3, groups=2, dilation=2),
        case(f(3, 9, 12), filters=4, kernel_size=[1, 7], stride=[2, 1], padding=[0, 3]),
    ],
    "conv_transpose2d": [
        case(f(3, 5, 5), filters=2, kernel_size=3, stride=2, padding=1, output_padding=1),
        case(f(2, 4, 4)),
        case(f(2, 4, 5), filters=3, kernel_size=[3, 2], stride=[2, 3], padding=[1, 0]),
    ],
    "dense": [case(f(10), units=7), case(f(5, 10), units=3, bias=False)],
    "embedding": [
        case(i64(6), vocab_size=20, dim=8, high=20),
        case(i64(2, 3), vocab_size=5, dim=4, high=5),
    ],
    "dropout": [case(f(4, 5), p=0.3), case(f(6), p=0.0)],
    "stochastic_depth": [
        case(f(4, 5, 5)),
        case(f(6), p=0.5, mode="batch"),
        case(f(3, 4), p=0.0),
        case(f(2, 3), p=1.0),
    ],
    "layer_scale": [case(f(4, 5, 5)), case(f(5, 6), dim=-1, init=0.5), case(f(3, 2, 4), dim=1)],
    "add": [case(f(4, 6, 6), f(4, 6, 6)), case(f(8), f(8), f(8), branch=True)],
    "multiply": [
        case(f(8), f(8), f(8)),
        case(f(2, 5), f(2, 5), branch=True),
        case(f(4, 5, 5), f(4, 1, 1)),
        case(f(3, 1, 6), f(3, 4, 1)),
    ],
    "concatenate": [
        case(f(3, 4, 4)),
        case(f(2, 4, 4), f(3, 4, 4), f(1, 4, 4)),
        case(f(5, 2), f(5, 3), dim=-1),
        case(i64(3), i64(4)),
        case(f(6), f(6), branch=True),
    ],
    "custom_code": [
        case(f(4, 6), target="torch:cumsum", arguments="x0, dim=1"),
        case(f(3, 4), target="operator:mul", arguments="x0, weight", weight_shape=[4]),
        case(f(5), f(5), target="torch:maximum", arguments="x0, x1", inputs=2),
        case(f(6), call="module", target="torch.nn:Softplus", init="beta=2.0"),
        case(f(2, 6), target="torch:chunk", arguments="x0, 2, dim=-1", item=1),
        case(
            f(3, 5),
            target="operator:getitem",
            arguments="x0, (slice(None, None, None), slice(1, None, None))",
        ),
    ],
    "batchnorm1d": [case(f(6)), case(f(4, 10), eps=1e-3, momentum=0.2)],
    "batchnorm2d": [case(f(3, 5, 5))],
    "layernorm": [
        case(f(7)),
        case(f(4, 7), eps=1e-6),
        case(f(6, 3, 3), eps=1e-6, dim=0),
        case(f(4, 5, 3), dim=1),
    ],
    "maxpool1d": [
        case(f(3, 10)),
        case(f(2, 9), kernel_size=3, stride=1, padding=1),
        case(f(2, 9), ceil_mode=True),
    ],
    "maxpool2d": [
        case(f(2, 8, 8), kernel_size=3, stride=2, padding=1),
        case(f(2, 8, 8), kernel_size=3, stride=2, ceil_mode=True),
        case(f(2, 6, 9), kernel_size=[1, 3], stride=[1, 2], padding=[0, 1]),
    ],
    "avgpool1d": [case(f(3, 9)), case(f(3, 9), ceil_mode=True)],
    "avgpool2d": [
        case(f(2, 7, 7)),
        case(f(1, 6, 6), kernel_size=3, stride=3),
        case(f(2, 7, 7), kernel_size=3, stride=2, padding=1, ceil_mode=True),
        case(f(2, 7, 9), kernel_size=[3, 1], stride=[1, 2]),
    ],
    "adaptive_avgpool2d": [case(f(3, 7, 7), output_size=2), case(f(3, 4, 4))],
    "reduce": [
        case(f(4, 6)),
        case(f(4, 6), op="max", dim=-1),
        case(f(2, 3, 4), op="sum", dim=1),
    ],
    "rnn": [case(f(5, 4), hidden_size=6, nonlinearity="relu")],
    "lstm": [
        case(f(5, 4), hidden_size=6),
        case(f(5, 4), hidden_size=3, num_layers=2, dropout=0.1, bidirectional=True, returns="last"),
    ],
    "gru": [case(f(6, 3), hidden_size=4, returns="last"), case(f(6, 3), bidirectional=True)],
    "flatten": [case(f(2, 3, 4)), case(i64(2, 3))],
    "reshape": [case(f(2, 3, 4), shape=[4, -1]), case(i64(6), shape=[2, 3])],
    "permute": [case(f(2, 3, 4), dims=[2, 0, 1]), case(i64(2, 5))],
    "chunk": [
        case(f(6, 4, 4)),
        case(f(5, 3), chunks=3, index=2, dim=-1),
        case(i64(7), chunks=4, index=3),
        case(f(4, 2), chunks=1),
    ],
    "channel_shuffle": [case(f(6, 4, 4), groups=3), case(f(8, 5)), case(i64(4, 3))],
    "class_token": [case(f(4, 6))],
    "position_embedding": [case(f(5, 8))],
    "scale": [case(f(4, 6), factor=4.0), case(f(3), factor=-0.125)],
    "sinusoidal_position_encoding": [case(f(5, 8)), case(f(3, 2))],
    "select": [case(f(4, 6)), case(f(2, 3, 5), dim=-1, index=-2), case(i64(3, 4), dim=1, index=3)],
}

LAYER_KINDS = sorted(spec.kind for spec in REGISTRY if spec.role == "layer")
PER_STEP_KINDS = sorted(spec.kind for spec in REGISTRY if spec.per_step)
PASSTHROUGH_KINDS = sorted(spec.kind for spec in REGISTRY if spec.passthrough)


def build(kind: str, layer_case: Case) -> tuple[GraphDocument, Any, dict[str, TensorInfo]]:
    """Input(s) -> layer -> Output; returns the document, the layer node and the inputs by name."""
    doc = GraphDocument()
    layer = doc.add_node(kind, "layer", layer_case.params)
    inputs: dict[str, TensorInfo] = {}
    if layer_case.branch:
        info = layer_case.inputs[0]
        source = doc.add_node("input", "x0", {"shape": list(info.shape), "dtype": info.dtype})
        inputs["x0"] = info
        for index in range(len(layer_case.inputs)):
            arm = doc.add_node("identity" if index % 2 else "relu", f"arm{index}")
            doc.connect(source.id, "out", arm.id, "in")
            doc.connect(arm.id, "out", layer.id, "in")
    else:
        for index, info in enumerate(layer_case.inputs):
            name = f"x{index}"
            source = doc.add_node("input", name, {"shape": list(info.shape), "dtype": info.dtype})
            inputs[name] = info
            doc.connect(source.id, "out", layer.id, "in")
    out = doc.add_node("output", "y")
    doc.connect(layer.id, "out", out.id, "in")
    return doc, layer, inputs


def sample(info: TensorInfo, high: int = 10) -> torch.Tensor:
    shape = (BATCH, *info.shape)
    if info.dtype == "long":
        return torch.randint(0, high, shape)
    return torch.randn(shape)


def dtype_name(tensor: torch.Tensor) -> str:
    return "long" if tensor.dtype == torch.int64 else "float"


def test_every_case_names_a_registered_kind():
    assert set(CASES) <= {spec.kind for spec in REGISTRY}, set(CASES) - set(LAYER_KINDS)


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_layer_kind(kind: str):
    if kind not in CASES:
        pytest.fail(f"layer kind {kind!r} has no entry in CASES; add a sensible input for it")
    spec = REGISTRY.get(kind)
    for layer_case in CASES[kind]:
        doc, layer, inputs = build(kind, layer_case)
        report = Analyzer(doc).report()
        assert report.ok, [str(diagnostic) for diagnostic in report.diagnostics]
        assert not report.diagnostics, [str(diagnostic) for diagnostic in report.diagnostics]
        expected = report.nodes[layer.id].output
        assert expected is not None

        module, code = compile_graph(doc, f"Test {kind}", report)
        compile(code.source, f"<generated {kind}>", "exec")
        assert code.lines[layer.id], "the layer wrote no line of code"

        batch = {name: sample(info, layer_case.high) for name, info in inputs.items()}
        for training in (True, False):
            module.train(training)
            with torch.no_grad():
                result = module(**batch)
            assert isinstance(result, torch.Tensor)
            assert tuple(result.shape) == (BATCH, *expected.shape), (layer_case, code.source)
            assert dtype_name(result) == expected.dtype

        real_params = sum(parameter.numel() for parameter in module.parameters())
        assert report.nodes[layer.id].params == real_params
        assert report.total_params == real_params

        params = spec.coerce_params(layer_case.params)
        assert {name: doc.node(layer.id).params[name] for name in params} == params
        assert spec.coerce_params(json.loads(json.dumps(spec.params_to_json(params)))) == params


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("returns", ["sequence", "last"])
@pytest.mark.parametrize("kind", PER_STEP_KINDS)
def test_per_step_probe_equals_full_run(kind: str, returns: str, bidirectional: bool):
    spec = REGISTRY.get(kind)
    for num_layers, steps in ((1, 7), (2, 5)):
        params = spec.coerce_params(
            {
                "hidden_size": 6,
                "num_layers": num_layers,
                "returns": returns,
                "bidirectional": bidirectional,
            }
        )
        inputs = (TensorInfo((steps, 4)),)
        key = tuple(sorted((name, freeze(value)) for name, value in params.items()))
        scaled = probe(spec, params, inputs)
        full = _probe(spec, key, inputs)
        assert scaled.output == full.output
        assert scaled.macs == full.macs
        assert scaled.params == full.params
        width = 6 * (2 if bidirectional else 1)
        assert full.output.shape == ((steps, width) if returns == "sequence" else (width,))


@pytest.mark.parametrize("kind", PASSTHROUGH_KINDS)
def test_passthrough_rule_equals_the_meta_run(kind: str):
    spec = REGISTRY.get(kind)
    for layer_case in CASES[kind]:
        params = spec.coerce_params(layer_case.params)
        key = tuple(sorted((name, freeze(value)) for name, value in params.items()))
        measured = _probe(spec, key, layer_case.inputs, True)
        assert probe(spec, params, layer_case.inputs) == replace(measured, warnings=())
        assert measured.output == layer_case.inputs[0]


# -- input and output ------------------------------------------------------------------------


@pytest.mark.parametrize("info", [f(1, 28, 28), f(5), i64(4, 3)], ids=str)
def test_input_passes_straight_to_output(info: TensorInfo):
    doc = GraphDocument()
    source = doc.add_node("input", "image", {"shape": list(info.shape), "dtype": info.dtype})
    out = doc.add_node("output", "out")
    doc.connect(source.id, "out", out.id, "in")
    report = Analyzer(doc).report()
    assert report.ok and not report.diagnostics
    assert report.nodes[source.id].output == info
    assert report.nodes[out.id].output == info
    assert report.total_params == 0
    module, code = compile_graph(doc, "Passthrough", report)
    compile(code.source, "<passthrough>", "exec")
    batch = sample(info)
    assert torch.equal(module(image=batch), batch)


def test_input_params_round_trip_and_default():
    spec = REGISTRY.get("input")
    assert spec.role == "input" and spec.inputs == ()
    params = spec.coerce_params({"shape": [3, 32, 32], "dtype": "long"})
    assert params == {"shape": (3, 32, 32), "dtype": "long"}
    assert spec.coerce_params(json.loads(json.dumps(spec.params_to_json(params)))) == params
    default = spec.default_params()
    assert spec.coerce_params(json.loads(json.dumps(spec.params_to_json(default)))) == default


def test_two_outputs_return_a_tuple_in_order():
    doc = GraphDocument()
    source = doc.add_node("input", "x", {"shape": [6]})
    dense = doc.add_node("dense", "fc", {"units": 2})
    first = doc.add_node("output", "logits")
    second = doc.add_node("output", "features")
    doc.connect(source.id, "out", dense.id, "in")
    doc.connect(dense.id, "out", first.id, "in")
    doc.connect(source.id, "out", second.id, "in")
    report = Analyzer(doc).report()
    assert report.ok
    assert report.nodes[first.id].output == f(2)
    assert report.nodes[second.id].output == f(6)
    module, code = compile_graph(doc, "Two heads", report)
    assert "tuple[torch.Tensor, torch.Tensor]" in code.source
    result = module(x=torch.randn(BATCH, 6))
    assert isinstance(result, tuple) and len(result) == 2
    shapes = {tuple(tensor.shape) for tensor in result}
    assert shapes == {(BATCH, 2), (BATCH, 6)}


def test_output_accepts_token_ids_and_has_no_outputs():
    spec = REGISTRY.get("output")
    assert spec.role == "output" and spec.outputs == ()
    assert "long" in spec.dtypes


# -- registry ------------------------------------------------------------------------------


def make_spec(kind: str, renamed_from: tuple[str, ...] = ()) -> LayerSpec:
    return LayerSpec(
        kind=kind, name=kind.title(), category="Test", help="", renamed_from=renamed_from
    )


def test_registering_an_id_twice_raises():
    registry = Registry()
    registry.register(make_spec("thing"))
    with pytest.raises(ValueError, match="'thing' is registered twice"):
        registry.register(make_spec("thing"))
    assert len(registry) == 1


def test_registering_a_taken_old_id_raises():
    registry = Registry()
    registry.register(make_spec("new_thing", renamed_from=("old_thing",)))
    with pytest.raises(ValueError, match="'old_thing' is registered twice"):
        registry.register(make_spec("old_thing"))
    with pytest.raises(ValueError, match="'new_thing' is registered twice"):
        registry.register(make_spec("other", renamed_from=("new_thing",)))
    assert "other" not in registry, "a refused spec must leave no trace"
    assert len(registry) == 1


def test_renamed_ids_resolve():
    registry = Registry()
    spec = registry.register(make_spec("dense2", renamed_from=("linear", "fc")))
    assert registry.resolve("linear") == "dense2"
    assert registry.resolve("fc") == "dense2"
    assert registry.resolve("dense2") == "dense2"
    assert registry.get("linear") is spec
    assert "linear" in registry and "fc" in registry
    assert list(registry) == [spec], "old ids are not listed as kinds of their own"


def test_unknown_kind_raises():
    registry = Registry()
    with pytest.raises(UnknownKindError) as caught:
        registry.get("nope")
    assert str(caught.value) == "unknown layer kind 'nope'"
    assert isinstance(caught.value, KeyError)
    with pytest.raises(UnknownKindError):
        REGISTRY.resolve("no_such_layer")
    assert "no_such_layer" not in REGISTRY
    with pytest.raises(GraphError, match="unknown layer kind 'no_such_layer'"):
        GraphDocument().add_node("no_such_layer")


def test_global_registry_is_consistent():
    kinds = [spec.kind for spec in REGISTRY]
    assert len(kinds) == len(set(kinds)) == len(REGISTRY)
    for spec in REGISTRY:
        assert REGISTRY.get(spec.kind) is spec
        for old in spec.renamed_from:
            assert REGISTRY.get(old) is spec
        defaults = spec.default_params()
        assert spec.coerce_params(defaults) == defaults
        assert spec.coerce_params(json.loads(json.dumps(spec.params_to_json(defaults)))) == defaults


# -- params --------------------------------------------------------------------------------

INT = IntParam("units", 4, "", min=1, max=10)
FLOAT = FloatParam("rate", 0.5, "", min=0.0, max=1.0)
BOOL = BoolParam("bias", True, "")
CHOICE = ChoiceParam("mode", "a", "", ("a", "b"))
INTS = IntsParam("shape", (1,), "", min=1, max=9, min_len=1, max_len=3)
PAIR = PairParam("kernel_size", 3, "", min=1, max=9)


@pytest.mark.parametrize(
    ("param", "value", "why"),
    [
        (INT, "3", "expected a whole number, got '3'"),
        (INT, 3.0, "expected a whole number, got 3.0"),
        (INT, True, "expected a whole number, got True"),
        (INT, None, "expected a whole number, got None"),
        (INT, 0, "0 is below the minimum 1"),
        (INT, 11, "11 is above the maximum 10"),
        (FLOAT, "0.5", "expected a number, got '0.5'"),
        (FLOAT, False, "expected a number, got False"),
        (FLOAT, [0.5], "expected a number, got [0.5]"),
        (FLOAT, math.nan, "expected a finite number, got nan"),
        (FLOAT, math.inf, "expected a finite number, got inf"),
        (FLOAT, -0.1, "-0.1 is below the minimum 0.0"),
        (FLOAT, 2, "2.0 is above the maximum 1.0"),
        (BOOL, 1, "expected true or false, got 1"),
        (BOOL, "true", "expected true or false, got 'true'"),
        (BOOL, None, "expected true or false, got None"),
        (CHOICE, "c", "expected one of a, b, got 'c'"),
        (CHOICE, 1, "expected one of a, b, got 1"),
        (CHOICE, ["a"], "expected one of a, b, got ['a']"),
        (INTS, "12", "expected a list of whole numbers, got '12'"),
        (INTS, 1.5, "expected a list of whole numbers, got 1.5"),
        (INTS, None, "expected a list of whole numbers, got None"),
        (INTS, [], "expected 1 to 3 numbers, got 0"),
        (INTS, [1, 2, 3, 4], "expected 1 to 3 numbers, got 4"),
        (INTS, [1, "2"], "expected a whole number, got '2'"),
        (INTS, [1, True], "expected a whole number, got True"),
        (INTS, [1, 0], "0 is below the minimum 1"),
        (INTS, [10], "10 is above the maximum 9"),
        (PAIR, "3", "expected a whole number or a (height, width) pair, got '3'"),
        (PAIR, None, "expected a whole number or a (height, width) pair, got None"),
        (PAIR, [], "expected a whole number or a (height, width) pair, got []"),
        (PAIR, [1, 2, 3], "expected a whole number or a (height, width) pair, got [1, 2, 3]"),
        (PAIR, [1, True], "expected a whole number, got True"),
        (PAIR, [1.0, 7], "expected a whole number, got 1.0"),
        (PAIR, [0, 7], "0 is below the minimum 1"),
        (PAIR, 10, "10 is above the maximum 9"),
    ],
)
def test_param_coerce_rejects_with_reason(param, value, why):
    with pytest.raises(ParamError) as caught:
        param.coerce(value)
    assert str(caught.value) == why


@pytest.mark.parametrize(
    ("param", "value", "expected"),
    [
        (INT, 10, 10),
        (FLOAT, 1, 1.0),
        (FLOAT, 0.25, 0.25),
        (BOOL, False, False),
        (CHOICE, "b", "b"),
        (INTS, 3, (3,)),
        (INTS, [1, 2], (1, 2)),
        (INTS, (9, 9, 9), (9, 9, 9)),
        (PAIR, 3, 3),
        (PAIR, [3], 3),
        (PAIR, [3, 3], 3),  # square windows keep the form of one number
        (PAIR, [1, 7], (1, 7)),
        (PAIR, (7, 1), (7, 1)),
    ],
)
def test_param_coerce_accepts_canonical(param, value, expected):
    result = param.coerce(value)
    assert result == expected and type(result) is type(expected)
    assert param.coerce(json.loads(json.dumps(param.to_json(result)))) == result


def test_coerce_params_names_the_param_and_unknown_names():
    spec = REGISTRY.get("dense")
    with pytest.raises(ParamError, match=r"^param 'units': 0 is below the minimum 1$"):
        spec.coerce_params({"units": 0})
    with pytest.raises(ParamError, match=r"^param 'bias': expected true or false, got 'yes'$"):
        spec.coerce_params({"bias": "yes"})
    with pytest.raises(ParamError, match=r"^Dense has no param 'width'$"):
        spec.coerce_params({"width": 3})


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**300), max_value=10**300)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4),
    max_leaves=6,
)
ALL_PARAMS = [param for spec in REGISTRY for param in spec.params]


@settings(max_examples=200, deadline=None)
@given(param=st.sampled_from(ALL_PARAMS), value=JSON_VALUES)
def test_any_json_value_is_coerced_or_refused_with_a_param_error(param, value):
    try:
        result = param.coerce(value)
    except ParamError as error:
        assert str(error)
        return
    assert param.coerce(result) == result
    assert param.coerce(json.loads(json.dumps(param.to_json(result)))) == result


def test_float_param_refuses_a_huge_whole_number():
    with pytest.raises(ParamError):
        FLOAT.coerce(10**400)


def test_sinusoidal_position_encoding_adds_sines_and_cosines_and_needs_even_features():
    doc, _, _ = build("sinusoidal_position_encoding", case(f(6, 4)))
    module, _ = compile_graph(doc, "Positions")
    added = module(torch.zeros(2, 6, 4))[0]
    for position in range(6):
        for pair in range(2):
            angle = position / 10000 ** (2 * pair / 4)
            assert added[position, 2 * pair].item() == pytest.approx(math.sin(angle), abs=1e-6)
            assert added[position, 2 * pair + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    assert not module.state_dict()  # a fixed table: nothing to load or learn

    odd, _, _ = build("sinusoidal_position_encoding", case(f(6, 5)))
    messages = [diagnostic.message for diagnostic in Analyzer(odd).report().errors]
    assert messages == [
        "SinusoidalPositionEncoding 'layer' pairs a sine and a cosine per rate, so it needs an "
        "even number of features, not 5"
    ]


def test_a_causal_encoder_layer_hides_later_positions():
    doc, _, _ = build("transformer_encoder_layer", case(f(5, 8), nhead=2, causal=True))
    module, _ = compile_graph(doc, "Causal")
    module.eval()
    x = torch.randn(2, 5, 8)
    changed = x.clone()
    changed[:, 3:] = torch.randn(2, 2, 8)
    with torch.no_grad():
        before, after = module(x), module(changed)
    assert torch.allclose(before[:, :3], after[:, :3], atol=1e-6)
    assert not torch.allclose(before[:, 3:], after[:, 3:])
