"""Custom-code nodes in the compiler: shapes from running their code (on meta tensors, else on
small CPU tensors), withheld until the code is trusted, and written into the generated module."""

from __future__ import annotations

import onnxruntime
import pytest
import torch

from designer.compiler import Analyzer, CompileError, compile_graph, generate
from designer.compiler.code_trust import (
    fingerprint,
    forget,
    needs_consent,
    trust_document,
    withheld_names,
)
from designer.export.network import build_network
from designer.export.onnx_file import export_onnx
from designer.model import GraphDocument
from nodes import TensorInfo
from nodes.custom_call import problems

TWICE = '''import torch


def twice(x):
    """Both halves: the features twice over."""
    return torch.cat([x, x], dim=-1)
'''

READS_VALUES = """def clip_to_max(x):
    limit = float(x.abs().max())
    return x.clamp(-limit / 2, limit / 2)
"""


@pytest.fixture(autouse=True)
def untrusted():
    """Trust is kept per process: each test starts with nothing trusted."""
    forget()
    yield
    forget()


def network(width: int = 6, **custom) -> tuple[GraphDocument, str]:
    """Input(width) -> custom code -> Dense(3) -> Output; the custom node's id."""
    doc = GraphDocument()
    source = doc.add_node("input", "x", {"shape": [width]})
    node = doc.add_node("custom_code", "custom", custom)
    dense = doc.add_node("dense", "head", {"units": 3})
    output = doc.add_node("output", "y")
    for a, b in ((source, node), (node, dense), (dense, output)):
        doc.connect(a.id, "out", b.id, "in")
    return doc, node.id


def test_carried_code_waits_for_trust_then_its_shape_comes_from_running_it():
    doc, node_id = network(target="twice", code=TWICE)
    report = Analyzer(doc).report()
    assert report.ok and report.withheld == (node_id,)
    assert report.nodes[node_id].output is None
    (warning,) = report.nodes[node_id].diagnostics
    assert "Custom code 'custom' runs code of its own (twice), which is not trusted" in str(warning)
    assert withheld_names(doc) == "'custom'"
    with pytest.raises(CompileError):
        generate(doc, report)

    trust_document(doc)
    report = Analyzer(doc).report()
    assert report.ok and not report.withheld
    assert report.nodes[node_id].output == TensorInfo((12,))
    assert report.total_params == 12 * 3 + 3
    module, code = compile_graph(doc, "Twice", report)
    assert 'def twice(x):\n    """Both halves: the features twice over."""' in code.source
    assert code.source.count("import torch\n") == 1
    result = module(torch.ones(4, 6))
    assert result.shape == (4, 3)


def test_code_that_reads_values_is_run_on_small_cpu_tensors():
    doc, node_id = network(target="clip_to_max", code=READS_VALUES)
    trust_document(doc)
    report = Analyzer(doc).report()
    assert report.ok, [str(d) for d in report.diagnostics]
    assert report.nodes[node_id].output == TensorInfo((6,))


def test_torch_operations_by_import_path_run_without_asking():
    doc, node_id = network(target="torch:cumsum", arguments="x0, dim=1")
    assert not needs_consent(doc.node(node_id).params)
    report = Analyzer(doc).report()
    assert report.ok and not report.withheld
    assert report.nodes[node_id].output == TensorInfo((6,))
    assert "custom = torch.cumsum(x, dim=1)  # 6" in generate(doc, report).source
    for target in ("os:getcwd", "torch:load", "subprocess:run", "torch.nn.functional:_pad"):
        assert needs_consent({**doc.node(node_id).params, "target": target}), target


def test_the_parts_of_torchvisions_models_run_without_asking():
    """Swin's window attention and its padding, as a pretrained Swin's graph calls them; a
    builder function (it downloads weights) and other private helpers still ask."""
    params = {"call": "module", "code": "", "target": "x"}
    for target in (
        "torchvision.models.swin_transformer:ShiftedWindowAttention",
        "torchvision.models.maxvit:RelativePositionalMultiHeadAttention",
    ):
        assert not needs_consent({**params, "target": target}), target
    assert not needs_consent(
        {
            **params,
            "call": "function",
            "target": "torchvision.models.swin_transformer:_patch_merging_pad",
        }
    )
    for call, target in (
        ("function", "torchvision.models:resnet18"),
        ("function", "torchvision.models.swin_transformer:_get_relative_position_bias"),
        ("module", "torchvision.models.swin_transformer:_private"),
        ("module", "torchvision.datasets:MNIST"),
    ):
        assert needs_consent({**params, "call": call, "target": target}), target


def test_a_constructor_may_be_given_a_library_class_by_its_import_path():
    """timm's and torchvision's parts take their activation or normalization as a class."""
    init = "in_channels=6, hidden_channels=[5, 4], activation_layer=nn.SiLU"
    doc, node_id = network(call="module", target="torchvision.ops:MLP", init=init)
    params = doc.node(node_id).params
    assert not needs_consent(params)  # torch's own activation, to torchvision's own MLP
    report = Analyzer(doc).report()
    assert report.ok, [str(d) for d in report.diagnostics]
    assert report.nodes[node_id].output == TensorInfo((4,))
    module, code = compile_graph(doc, "Mlp", report)
    assert "activation_layer=nn.SiLU" in code.source
    assert [type(layer).__name__ for layer in module.custom] == [
        "Linear",
        "SiLU",
        "Dropout",
        "Linear",
        "Dropout",
    ]
    # a class outside torch's layers asks first, and is another thing to trust
    given = {**params, "init": "in_channels=6, hidden_channels=[4], activation_layer=os.system"}
    assert needs_consent(given)
    assert fingerprint(given) != fingerprint(params)
    wrong = {**params, "init": "activation_layer=make()"}
    (problem,) = problems(wrong, 1)
    assert "activation_layer is neither a constant nor a library's class" in problem


def test_a_result_without_the_batch_first_is_an_error_naming_the_node():
    doc, node_id = network(target="torch:sum", arguments="x0")
    report = Analyzer(doc).report()
    (error,) = report.errors
    assert error.node_id == node_id
    assert "does not keep the batch as its first dim" in error.message


def test_params_that_describe_no_call_are_refused_without_running_anything():
    doc, _ = network(target="twice", code="def other(x):\n    return x\n")
    messages = [str(d) for d in Analyzer(doc).report().errors]
    assert any("calls twice, which its code does not define" in text for text in messages)
    doc, _ = network(target="torch:cumsum", arguments="__import__('os')")
    messages = [str(d) for d in Analyzer(doc).report().errors]
    assert any("is not a constant, an input or a size" in text for text in messages)


def test_two_nodes_that_define_one_name_two_ways_cannot_be_generated():
    doc, first = network(target="twice", code=TWICE)
    other = TWICE.replace("[x, x]", "[x, -x]")
    second = doc.add_node("custom_code", "again", {"target": "twice", "code": other})
    head = doc.find("head")
    (edge,) = doc.in_edges(head.id)
    doc.disconnect(edge.id)
    doc.connect(first, "out", second.id, "in")
    doc.connect(second.id, "out", head.id, "in")
    trust_document(doc)
    report = Analyzer(doc).report()
    assert report.ok
    with pytest.raises(CompileError) as raised:
        generate(doc, report)
    assert "defines twice otherwise than Custom code 'custom' does" in str(raised.value)


def test_carried_code_exports_to_onnx_and_runs_in_onnxruntime(tmp_path):
    doc, _ = network(target="twice", code=TWICE)
    trust_document(doc)
    built = build_network(doc, "Twice")
    result = export_onnx(built, tmp_path / "twice.onnx")
    assert 0 <= result.max_difference <= result.tolerance
    session = onnxruntime.InferenceSession(str(result.path), providers=["CPUExecutionProvider"])
    x = torch.randn(5, 6)
    (got,) = session.run(None, {session.get_inputs()[0].name: x.numpy()})
    with torch.no_grad():
        expected = built.module(x)
    assert got.shape == (5, 3)
    torch.testing.assert_close(torch.from_numpy(got), expected, atol=1e-5, rtol=1e-5)
