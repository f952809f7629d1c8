"""Each diagnostic names its node and says what is wrong; fixes apply; analysis is incremental."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from designer.compiler import Analyzer, CompileError, Diagnostic, compile_graph, generate
from designer.compiler.fixes import apply_fix
from designer.model import GraphDocument, Node
from nodes import TensorInfo

Layer = tuple[str, str, dict[str, Any]]


def chain(shape: list[int], *layers: Layer, dtype: str = "float") -> GraphDocument:
    """Input 'x' -> layers -> Output 'y'."""
    doc = GraphDocument()
    previous = doc.add_node("input", "x", {"shape": shape, "dtype": dtype})
    for kind, name, params in layers:
        node = doc.add_node(kind, name, params)
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    out = doc.add_node("output", "y")
    doc.connect(previous.id, "out", out.id, "in")
    return doc


def wire(doc: GraphDocument, source: Node, target: Node) -> None:
    doc.connect(source.id, "out", target.id, "in")


def errors_of(report, node: Node) -> list[Diagnostic]:
    return [d for d in report.nodes[node.id].diagnostics if d.is_error]


def only_error(report, node: Node) -> Diagnostic:
    errors = errors_of(report, node)
    assert len(errors) == 1, [str(error) for error in report.errors]
    return errors[0]


def messages(report) -> list[str]:
    return [diagnostic.message for diagnostic in report.diagnostics]


def assert_refused(doc: GraphDocument, report) -> None:
    assert not report.ok
    with pytest.raises(CompileError) as caught:
        generate(doc, report)
    assert caught.value.diagnostics == report.errors


def apply(doc: GraphDocument, diagnostic: Diagnostic) -> list[str]:
    """Carry out a diagnostic's fix the way the editor does."""
    assert diagnostic.fix is not None
    return apply_fix(doc, diagnostic.fix)


def run(doc: GraphDocument, **inputs: torch.Tensor) -> torch.Tensor:
    module, _ = compile_graph(doc)
    with torch.no_grad():
        return module.eval()(**inputs)


# -- wiring ------------------------------------------------------------------------------


def cyclic_doc() -> tuple[GraphDocument, dict[str, Node]]:
    """x -> join(Add) <-> loop(ReLU); join -> head(Dense) -> y."""
    doc = GraphDocument()
    nodes = {
        "x": doc.add_node("input", "x", {"shape": [8]}),
        "join": doc.add_node("add", "join"),
        "loop": doc.add_node("relu", "loop"),
        "head": doc.add_node("dense", "head", {"units": 4}),
        "y": doc.add_node("output", "y"),
    }
    wire(doc, nodes["x"], nodes["join"])
    wire(doc, nodes["join"], nodes["loop"])
    wire(doc, nodes["loop"], nodes["join"])
    wire(doc, nodes["join"], nodes["head"])
    wire(doc, nodes["head"], nodes["y"])
    return doc, nodes


def test_cycle_names_every_node_in_it_and_blocks_downstream():
    doc, nodes = cyclic_doc()
    report = Analyzer(doc).report()
    join, loop = only_error(report, nodes["join"]), only_error(report, nodes["loop"])
    assert join.message.startswith("Add 'join' is in a cycle ")
    assert loop.message.startswith("ReLU 'loop' is in a cycle ")
    for diagnostic in (join, loop):
        assert diagnostic.message.endswith("; remove one of its wires")
        assert "'join' -> 'loop' -> 'join'" in diagnostic.message or (
            "'loop' -> 'join' -> 'loop'" in diagnostic.message
        )
    for name in ("join", "loop", "head", "y"):
        assert report.nodes[nodes[name].id].output is None, name
    assert report.nodes[nodes["x"].id].output == TensorInfo((8,))
    assert nodes["head"].id not in report.order
    assert_refused(doc, report)


def test_self_loop_is_a_cycle():
    doc = chain([4], ("relu", "act", {}))
    act = doc.find("act")
    wire(doc, act, act)
    report = Analyzer(doc).report()
    found = messages(report)
    assert "ReLU 'act' is in a cycle 'act' -> 'act'; remove one of its wires" in found
    assert any(m.startswith("ReLU 'act' has 2 wires into its one input") for m in found)
    assert_refused(doc, report)


def test_removing_a_cycle_gives_blocked_nodes_shapes_again():
    doc, nodes = cyclic_doc()
    analyzer = Analyzer(doc)
    assert not analyzer.report().ok
    back = next(e for e in doc.in_edges(nodes["join"].id) if e.source == nodes["loop"].id)
    doc.disconnect(back.id)
    other = doc.add_node("input", "x2", {"shape": [8]})
    wire(doc, other, nodes["join"])
    report = analyzer.report()
    assert report.ok, messages(report)
    assert not any("cycle" in message for message in messages(report))
    assert report.nodes[nodes["join"].id].output == TensorInfo((8,))
    assert report.nodes[nodes["loop"].id].output == TensorInfo((8,))
    assert report.nodes[nodes["head"].id].output == TensorInfo((4,))
    assert report.nodes[nodes["y"].id].output == TensorInfo((4,))
    assert report.nodes[nodes["head"].id].params == 8 * 4 + 4
    assert "The output of ReLU 'loop' is not used" in messages(report)
    assert report == Analyzer(doc).report()


def test_unconnected_input_port():
    doc = chain([4], ("relu", "act", {}))
    lonely = doc.add_node("tanh", "lonely")
    wire(doc, lonely, doc.add_node("output", "y2"))
    report = Analyzer(doc).report()
    assert only_error(report, lonely).message == "Tanh 'lonely' has nothing wired into its input"
    assert report.nodes[lonely.id].output is None
    assert_refused(doc, report)


def test_unconnected_output_node_and_underfull_merge():
    doc = GraphDocument()
    source = doc.add_node("input", "x", {"shape": [4]})
    join = doc.add_node("add", "join")
    wire(doc, source, join)
    wire(doc, join, doc.add_node("output", "y"))
    idle = doc.add_node("output", "idle")
    report = Analyzer(doc).report()
    assert only_error(report, join).message == "Add 'join' needs at least 2 inputs but has 1"
    assert only_error(report, idle).message == "Output 'idle' has nothing wired into its input"
    assert_refused(doc, report)


def test_missing_input():
    doc = GraphDocument()
    act = doc.add_node("relu", "act")
    wire(doc, act, doc.add_node("output", "y"))
    report = Analyzer(doc).report()
    graph_level = [d for d in report.errors if d.node_id is None]
    assert [d.message for d in graph_level] == [
        "The network has no Input node; add one from Input / Output"
    ]
    assert only_error(report, act).message == "ReLU 'act' has nothing wired into its input"
    assert_refused(doc, report)


def test_missing_output():
    doc = GraphDocument()
    source = doc.add_node("input", "x", {"shape": [4]})
    act = doc.add_node("relu", "act")
    wire(doc, source, act)
    report = Analyzer(doc).report()
    assert [d.message for d in report.errors] == [
        "The network has no Output node; add one from Input / Output"
    ]
    assert report.errors[0].node_id is None
    warnings = [d for d in report.nodes[act.id].diagnostics if not d.is_error]
    assert [d.message for d in warnings] == ["The output of ReLU 'act' is not used"]
    assert_refused(doc, report)


def test_empty_document_lacks_input_and_output():
    report = Analyzer(GraphDocument()).report()
    assert messages(report) == [
        "The network has no Input node; add one from Input / Output",
        "The network has no Output node; add one from Input / Output",
    ]


def test_too_many_wires_into_one_input():
    doc = GraphDocument()
    first = doc.add_node("input", "a", {"shape": [4]})
    second = doc.add_node("input", "b", {"shape": [4]})
    act = doc.add_node("relu", "act")
    wire(doc, first, act)
    wire(doc, second, act)
    wire(doc, act, doc.add_node("output", "y"))
    report = Analyzer(doc).report()
    assert only_error(report, act).message == (
        "ReLU 'act' has 2 wires into its one input; remove all but one "
        "or join them with an Add or Concatenate"
    )
    assert report.nodes[act.id].output is None
    assert_refused(doc, report)


# -- shapes --------------------------------------------------------------------------------


def test_rank_mismatch_suggests_flatten():
    doc = chain([3, 8, 8], ("conv2d", "conv1", {"filters": 16}), ("dense", "fc1", {"units": 10}))
    fc1 = doc.find("fc1")
    report = Analyzer(doc).report()
    error = only_error(report, fc1)
    assert error.message == (
        "Dense 'fc1' expects features (or sequence x features) per sample but gets 16x6x6"
    )
    assert error.node_id == fc1.id
    assert error.fix is not None
    assert error.fix.action == "insert_before"
    assert error.fix.args["kind"] == "flatten"
    assert error.fix.args["node"] == fc1.id
    assert error.fix.args["edges"] == [edge.id for edge in doc.in_edges(fc1.id)]
    assert error.fix.label == "Insert Flatten before Dense 'fc1'"
    assert_refused(doc, report)

    apply(doc, error)
    fixed = Analyzer(doc).report()
    assert fixed.ok, messages(fixed)
    assert fixed.nodes[fc1.id].inputs == (TensorInfo((16 * 6 * 6,)),)
    assert run(doc, x=torch.randn(2, 3, 8, 8)).shape == (2, 10)


def residual(shortcut_first: bool, main: Layer) -> tuple[GraphDocument, Node]:
    doc = GraphDocument()
    source = doc.add_node("input", "x", {"shape": [16, 8, 8]})
    kind, name, params = main
    branch = doc.add_node(kind, name, params)
    join = doc.add_node("add", "join")
    wire(doc, source, branch)
    for node in (source, branch) if shortcut_first else (branch, source):
        wire(doc, node, join)
    wire(doc, join, doc.add_node("output", "y"))
    return doc, join


def test_size_mismatch_at_add_suggests_a_projection():
    doc, join = residual(True, ("conv2d", "widen", {"filters": 32, "kernel_size": 1}))
    report = Analyzer(doc).report()
    error = only_error(report, join)
    assert error.message == ("Add 'join' gets 16x8x8 and 32x8x8: add a 1x1 Conv on the shortcut")
    assert "add a 1x1 Conv on the shortcut" in error.message
    assert error.fix is not None
    assert error.fix.action == "add_projection"
    assert error.fix.args["inputs"] == [{"input": 0, "out_channels": 32, "stride": 1}]
    assert error.fix.args["node"] == join.id
    assert_refused(doc, report)

    apply(doc, error)
    fixed = Analyzer(doc).report()
    assert fixed.ok, messages(fixed)
    assert fixed.nodes[join.id].output == TensorInfo((32, 8, 8))
    assert run(doc, x=torch.randn(2, 16, 8, 8)).shape == (2, 32, 8, 8)


@pytest.mark.parametrize("shortcut_first", [True, False])
def test_strided_mismatch_suggests_a_strided_projection(shortcut_first: bool):
    down = ("conv2d", "down", {"filters": 32, "kernel_size": 3, "stride": 2, "padding": 1})
    doc, join = residual(shortcut_first, down)
    error = only_error(Analyzer(doc).report(), join)
    assert error.message.startswith("Add 'join' gets ")
    assert error.message.endswith(": add a 1x1 Conv on the shortcut")
    assert error.fix is not None and error.fix.action == "add_projection"
    shortcut = 0 if shortcut_first else 1
    assert error.fix.args["inputs"] == [{"input": shortcut, "out_channels": 32, "stride": 2}]
    apply(doc, error)
    assert Analyzer(doc).report().ok
    assert run(doc, x=torch.randn(2, 16, 8, 8)).shape == (2, 32, 4, 4)


def test_mismatch_without_a_projection_says_shapes_must_be_equal():
    doc = GraphDocument()
    first = doc.add_node("input", "a", {"shape": [5]})
    second = doc.add_node("input", "b", {"shape": [6]})
    join = doc.add_node("add", "join")
    wire(doc, first, join)
    wire(doc, second, join)
    wire(doc, join, doc.add_node("output", "y"))
    error = only_error(Analyzer(doc).report(), join)
    assert error.message == "Add 'join' gets 5 and 6: the shapes must be equal"
    assert error.fix is None


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ([8, 1, 1], [8, 5, 5], None),  # a squeeze-excitation gate scales every position
        ([8, 5, 1], [1, 1, 4], None),
        ([8, 5, 5], [4, 1, 1], "gets 8x5x5 and 4x1x1"),
        ([8], [8, 1, 1], "gets 8 and 8x1x1"),
    ],
)
def test_multiply_broadcasts_sizes_of_one(first, second, error):
    doc = GraphDocument()
    gate = doc.add_node("multiply", "gate")
    wire(doc, doc.add_node("input", "a", {"shape": first}), gate)
    wire(doc, doc.add_node("input", "b", {"shape": second}), gate)
    wire(doc, gate, doc.add_node("output", "y"))
    report = Analyzer(doc).report()
    if error is not None:
        assert only_error(report, gate).message == (
            f"Multiply 'gate' {error}: the ranks must be equal and each size equal to the "
            "others' or 1"
        )
        return
    assert report.ok
    a, b = torch.randn(2, *first), torch.randn(2, *second)
    expected = a * b
    assert report.nodes[gate.id].output.shape == expected.shape[1:]
    assert torch.equal(run(doc, a=a, b=b), expected)


def test_projection_fix_does_not_depend_on_wire_order():
    doc = GraphDocument()
    source = doc.add_node("input", "x", {"shape": [32, 16, 16]})
    pool = doc.add_node("maxpool2d", "pool")
    join = doc.add_node("add", "join")
    wire(doc, source, pool)
    wire(doc, source, join)  # the shortcut, 32x16x16, comes first
    wire(doc, pool, join)  # the main path, 32x8x8
    wire(doc, join, doc.add_node("output", "y"))
    error = only_error(Analyzer(doc).report(), join)
    assert error.fix is not None, error.message
    assert error.fix.args["inputs"] == [{"input": 0, "out_channels": 32, "stride": 2}]


def test_param_out_of_range_is_kept_and_reported():
    doc = chain([4], ("dropout", "drop", {}))
    drop, out = doc.find("drop"), doc.find("y")
    analyzer = Analyzer(doc)
    assert analyzer.report().ok
    assert doc.set_param(drop.id, "p", 1.5) == 0.5
    assert drop.params["p"] == 1.5
    report = analyzer.report()
    error = only_error(report, drop)
    assert error.message == "Dropout 'drop': param 'p': 1.5 is above the maximum 1.0"
    assert report.nodes[drop.id].output is None
    assert report.nodes[out.id].output is None
    assert_refused(doc, report)
    doc.set_param(drop.id, "p", 0.25)
    report = analyzer.report()
    assert report.ok and drop.params["p"] == 0.25
    assert report.nodes[out.id].output == TensorInfo((4,))


def test_param_of_wrong_type_at_creation_is_kept_and_reported():
    doc = chain([4], ("dense", "fc", {"units": "ten"}))
    fc = doc.find("fc")
    assert fc.params["units"] == "ten"
    error = only_error(Analyzer(doc).report(), fc)
    assert error.message == "Dense 'fc': param 'units': expected a whole number, got 'ten'"


def test_huge_param_value_is_kept_and_reported():
    doc = chain([4], ("dropout", "drop", {}))
    drop = doc.find("drop")
    doc.set_param(drop.id, "p", 10**400)
    error = only_error(Analyzer(doc).report(), drop)
    assert error.message.startswith("Dropout 'drop': param 'p': ")


COLLAPSE = "which is too small for it: its output would have size zero"


def test_conv_collapsing_to_zero():
    doc = chain([1, 3, 3], ("conv2d", "conv", {"kernel_size": 5}))
    conv = doc.find("conv")
    report = Analyzer(doc).report()
    error = only_error(report, conv)
    assert error.message.startswith(f"Conv2d 'conv' gets 1x3x3, {COLLAPSE}")
    assert "Use a smaller kernel or stride, add padding, or give it a larger input" in error.message
    assert report.nodes[conv.id].output is None
    assert_refused(doc, report)


def test_maxpool_making_zero():
    doc = chain([1, 3, 3], ("conv2d", "conv", {"kernel_size": 3}), ("maxpool2d", "pool", {}))
    report = Analyzer(doc).report()
    assert report.nodes[doc.find("conv").id].output == TensorInfo((16, 1, 1))
    error = only_error(report, doc.find("pool"))
    assert error.message.startswith(f"MaxPool2d 'pool' gets 16x1x1, {COLLAPSE}")
    assert_refused(doc, report)


def test_embedding_fed_a_float_input():
    doc = chain([10], ("embedding", "emb", {}))
    error = only_error(Analyzer(doc).report(), doc.find("emb"))
    assert error.message == (
        "Embedding 'emb' needs token ids (an Input with dtype long) but gets 10"
    )


def test_float_layer_fed_token_ids():
    doc = chain([10], ("dense", "fc", {}), dtype="long")
    error = only_error(Analyzer(doc).report(), doc.find("fc"))
    assert error.message == (
        "Dense 'fc' works on real values but gets token ids (10 (long)); put an Embedding first"
    )


@pytest.mark.parametrize(
    ("kind", "label", "heads"),
    [
        ("multihead_attention", "MultiheadAttention", "num_heads"),
        ("transformer_encoder_layer", "TransformerEncoderLayer", "nhead"),
    ],
)
def test_attention_heads_must_divide_features(kind: str, label: str, heads: str):
    doc = chain([5, 16], (kind, "attn", {heads: 3}))
    attn = doc.find("attn")
    analyzer = Analyzer(doc)
    error = only_error(analyzer.report(), attn)
    assert error.message == f"{label} 'attn' has 3 heads, which must divide the 16 features"
    doc.set_param(attn.id, heads, 4)
    report = analyzer.report()
    assert report.ok
    assert report.nodes[attn.id].output == TensorInfo((5, 16))


# -- incremental analysis ----------------------------------------------------------------


def spy(analyzer: Analyzer) -> list[str]:
    """Record the ids of the nodes the analyzer re-analyzes (and so re-probes)."""
    seen: list[str] = []
    analyze = analyzer._analyze

    def recording(node: Node):
        seen.append(node.id)
        return analyze(node)

    analyzer._analyze = recording  # type: ignore[method-assign]
    return seen


def test_param_change_reanalyzes_only_downstream():
    doc = chain(
        [12],
        ("dense", "fc1", {"units": 32}),
        ("relu", "act", {}),
        ("dense", "fc2", {"units": 5}),
    )
    source, fc1, act, fc2, out = (doc.find(n) for n in ("x", "fc1", "act", "fc2", "y"))
    side = doc.add_node("dense", "side", {"units": 3})
    wire(doc, source, side)
    wire(doc, side, doc.add_node("output", "y2"))
    analyzer = Analyzer(doc)
    before = analyzer.report()
    assert before.ok
    assert before.nodes[act.id].output == TensorInfo((32,))
    assert before.total_params == (12 * 32 + 32) + (32 * 5 + 5) + (12 * 3 + 3)

    seen = spy(analyzer)
    assert analyzer.report() is before
    assert seen == []

    doc.set_param(fc1.id, "units", 16)
    after = analyzer.report()
    # fc2's output stays 5 wide, so the walk stops there: the Output is not redone.
    assert seen == [fc1.id, act.id, fc2.id]
    assert source.id not in seen and side.id not in seen and out.id not in seen
    assert after.nodes[fc1.id].output == TensorInfo((16,))
    assert after.nodes[act.id].output == TensorInfo((16,))
    assert after.nodes[fc2.id].inputs == (TensorInfo((16,)),)
    assert after.nodes[fc2.id].params == 16 * 5 + 5
    assert after.total_params == (12 * 16 + 16) + (16 * 5 + 5) + (12 * 3 + 3)
    assert after.nodes[side.id] == before.nodes[side.id]
    assert after == Analyzer(doc).report()


def test_input_change_propagates_until_outputs_stop_changing():
    doc = chain([12], ("relu", "act", {}), ("dense", "fc", {"units": 5}))
    source, act, fc, out = (doc.find(name) for name in ("x", "act", "fc", "y"))
    analyzer = Analyzer(doc)
    analyzer.report()
    seen = spy(analyzer)
    doc.set_param(source.id, "shape", [7])
    report = analyzer.report()
    assert seen == [source.id, act.id, fc.id]
    assert report.nodes[act.id].output == TensorInfo((7,))
    assert report.nodes[fc.id].inputs == (TensorInfo((7,)),)
    assert report.nodes[fc.id].params == 7 * 5 + 5
    assert report.nodes[out.id].output == TensorInfo((5,))
    seen.clear()
    doc.set_param(fc.id, "units", 2)
    report = analyzer.report()
    assert seen == [fc.id, out.id]
    assert report.nodes[out.id].output == TensorInfo((2,))


# -- names -------------------------------------------------------------------------------


def test_renaming_a_node_renames_it_in_its_diagnostics():
    doc = chain([3, 8, 8], ("conv2d", "conv1", {}), ("dense", "fc1", {}))
    fc1 = doc.find("fc1")
    analyzer = Analyzer(doc)
    assert only_error(analyzer.report(), fc1).message.startswith("Dense 'fc1' expects")
    doc.rename(fc1.id, "classifier")
    error = only_error(analyzer.report(), fc1)
    assert error.message.startswith("Dense 'classifier' expects")
    assert error.fix is not None and error.fix.label == "Insert Flatten before Dense 'classifier'"
    assert not any("'fc1'" in message for message in messages(analyzer.report()))


def test_renaming_updates_port_param_and_cycle_messages():
    doc, nodes = cyclic_doc()
    lonely = doc.add_node("relu", "lonely")
    wire(doc, lonely, doc.add_node("output", "y2"))
    doc.set_param(nodes["head"].id, "units", 0)
    analyzer = Analyzer(doc)
    text = "\n".join(messages(analyzer.report()))
    assert "ReLU 'lonely' has nothing wired" in text
    assert "'join' -> 'loop'" in text or "'loop' -> 'join'" in text

    doc.rename(lonely.id, "orphan")
    doc.rename(nodes["loop"].id, "again")
    text = "\n".join(messages(analyzer.report()))
    assert "ReLU 'orphan' has nothing wired into its input" in text
    assert "ReLU 'again' is in a cycle" in text
    assert "'join' -> 'again'" in text or "'again' -> 'join'" in text
    assert "'lonely'" not in text and "'loop'" not in text

    # the param error is reported once the cycle is gone
    back = next(e for e in doc.in_edges(nodes["join"].id) if e.source == nodes["loop"].id)
    doc.disconnect(back.id)
    wire(doc, nodes["x"], nodes["join"])
    doc.rename(nodes["head"].id, "classifier")
    text = "\n".join(messages(analyzer.report()))
    assert "Dense 'classifier': param 'units': 0 is below the minimum 1" in text
    assert "cycle" not in text
    assert analyzer.report() == Analyzer(doc).report()


def test_layers_named_like_module_state_still_build_and_switch_modes():
    import torch

    from designer.compiler import compile_graph

    doc = GraphDocument()
    x = doc.add_node("input", "x", {"shape": [4]})
    previous = x
    for name in ("training", "eval", "forward", "self"):
        node = doc.add_node("dense", name, {"units": 4})
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    out = doc.add_node("output", "y")
    doc.connect(previous.id, "out", out.id, "in")
    module, code = compile_graph(doc)
    module.eval()
    module.train()
    assert module(torch.zeros(2, 4)).shape == (2, 4)
    assert "self.training =" not in code.source
