"""Model files: weights as safetensors and .pt, a run's checkpoint, ONNX run by onnxruntime and
TorchScript loaded back, for the examples, recurrent and attention graphs and every layer kind."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
import safetensors
import safetensors.torch
import torch
from torch import nn

from designer.export.compare import ATOL, RTOL
from designer.export.errors import ExportError
from designer.export.locate import first_failing_layer
from designer.export.network import Network, build_network
from designer.export.onnx_file import export_layer, export_onnx, runtime_failure
from designer.export.run_weights import run_weights
from designer.export.samples import sample_inputs
from designer.export.torchscript_file import export_torchscript
from designer.export.weights import export_weights, load_weights
from designer.model import GraphDocument
from designer.model.edits import fragment, paste
from designer.project import load_project
from designer.training import Trainer, load_checkpoint, new_run, prepare_run
from tests.helpers import PROJECTS, chain
from tests.test_catalog import CASES, LAYER_KINDS, build
from tests.train_helpers import example_copy

EXAMPLES = ["mlp_iris", "lenet5_digits", "resnet_digits"]
JIT_QUIET = pytest.mark.filterwarnings("ignore:`torch.jit.:DeprecationWarning")


def example_network(name: str) -> Network:
    project = load_project(PROJECTS / f"{name}.json")
    return build_network(project.graph, project.name)


def lstm_network() -> Network:
    """Token ids -> embedding -> bidirectional LSTM (last state) -> classes. Short:
    the exporter unrolls the LSTM step by step, which takes time per step."""
    doc = GraphDocument()
    tokens = doc.add_node("input", "tokens", {"shape": [5], "dtype": "long"})
    layers = [
        ("embedding", "embed", {"vocab_size": 30, "dim": 16}),
        (
            "lstm",
            "lstm",
            {"hidden_size": 24, "bidirectional": True, "returns": "last"},
        ),
        ("dense", "classes", {"units": 5}),
    ]
    doc.connect(chain(doc, tokens, layers).id, "out", doc.add_node("output", "logits").id, "in")
    return build_network(doc, "Token LSTM")


def attention_network() -> Network:
    """Self-attention with a residual and a norm, an encoder layer, mean over steps, classes."""
    doc = GraphDocument()
    steps = doc.add_node("input", "steps", {"shape": [6, 16]})
    attention = chain(doc, steps, [("multihead_attention", "attention", {"num_heads": 4})])
    residual = doc.add_node("add", "residual")
    doc.connect(steps.id, "out", residual.id, "in")
    doc.connect(attention.id, "out", residual.id, "in")
    layers = [
        ("layernorm", "norm", {}),
        ("transformer_encoder_layer", "encoder", {"nhead": 4, "dim_feedforward": 32}),
        ("reduce", "mean_steps", {"op": "mean", "dim": 0}),
        ("dense", "classes", {"units": 3}),
    ]
    doc.connect(chain(doc, residual, layers).id, "out", doc.add_node("output", "y").id, "in")
    return build_network(doc, "Attention")


NETWORKS = {
    **{name: (lambda name=name: example_network(name)) for name in EXAMPLES},
    "lstm": lstm_network,
    "attention": attention_network,
}


def outputs(module: nn.Module, samples: dict[str, torch.Tensor]) -> list[torch.Tensor]:
    module.eval()
    with torch.no_grad():
        result = module(**samples)
    return list(result) if isinstance(result, tuple) else [result]


def close(expected: list[torch.Tensor], actual: list) -> None:
    assert len(expected) == len(actual)
    for want, got in zip(expected, actual, strict=True):
        torch.testing.assert_close(torch.as_tensor(got), want, atol=ATOL, rtol=RTOL)


def exported_class(network: Network, folder: Path) -> type:
    """The network's class imported from its source written to a file, as a user would."""
    path = folder / "exported_model.py"
    path.write_text(network.code.source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("exported_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, network.code.class_name)


# -- weights ---------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".safetensors", ".pt"])
def test_weights_round_trip_into_the_exported_class(tmp_path, suffix):
    network = example_network("resnet_digits")
    network.module.train()
    network.module(**sample_inputs(network, 8))  # moves the batch-norm running statistics
    path = tmp_path / f"weights{suffix}"
    path.write_bytes(b"an older file")

    result = export_weights(network.module.state_dict(), path, "Residual", network.code.class_name)

    assert result.path == path and result.max_difference == 0 and result.tolerance == 0
    assert result.method == ("safetensors" if suffix == ".safetensors" else "torch.save")
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name], "no temporary file left"
    if suffix == ".safetensors":
        state = safetensors.torch.load_file(path)
        with safetensors.safe_open(path, "pt") as opened:
            metadata = opened.metadata()
        assert metadata["netdesigner.project"] == "Residual"
        assert metadata["netdesigner.class"] == "ResidualCNNOnDigits"
    else:
        state = torch.load(path, weights_only=True)
    model = exported_class(network, tmp_path)()
    model.load_state_dict(state)
    samples = sample_inputs(network, 4)
    expected, actual = outputs(network.module, samples), outputs(model, samples)
    assert all(torch.equal(a, b) for a, b in zip(expected, actual, strict=True))
    assert "wrote weights" in result.summary() and "identical" in result.summary()


def test_weights_need_a_known_suffix(tmp_path):
    network = example_network("mlp_iris")
    with pytest.raises(ExportError, match=r"'weights\.bin'.*\.safetensors or \.pt"):
        export_weights(network.module.state_dict(), tmp_path / "weights.bin")
    assert not list(tmp_path.iterdir())


def test_mismatched_weights_name_the_tensors():
    mlp, lenet = example_network("mlp_iris"), example_network("lenet5_digits")
    with pytest.raises(ExportError) as caught:
        load_weights(lenet.module, mlp.module.state_dict(), "mlp.safetensors")
    message = str(caught.value)
    assert message.startswith("mlp.safetensors: the weights do not fit this network")
    assert "missing conv1.weight, conv1.bias" in message and "and 5 more" in message
    assert "unexpected hidden1.weight" in message

    wider = load_project(PROJECTS / "mlp_iris.json")
    wider.graph.set_param(wider.graph.find("hidden1").id, "units", 32)
    network = build_network(wider.graph, wider.name)
    with pytest.raises(ExportError, match=r"hidden1\.weight \(16x4 in the file, 32x4 in the"):
        load_weights(network.module, mlp.module.state_dict(), "run")


# -- a run's checkpoints ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """mlp_iris trained for two epochs: its project and the run's id."""
    project = example_copy(tmp_path_factory.mktemp("run"), "mlp_iris", epochs=2, baseline=False)
    folder = new_run(project.path)
    Trainer(prepare_run(project), folder).run()
    return project, folder


def test_a_runs_best_checkpoint_is_exported(trained, tmp_path):
    project, folder = trained
    weights = run_weights(project.path, folder.id)
    assert (weights.kind, weights.run_id, weights.path) == (
        "best",
        folder.id,
        folder.checkpoint("best"),
    )
    best = load_checkpoint(folder.checkpoint("best"))["model"]
    assert all(torch.equal(weights.state[name], best[name]) for name in best)

    network = build_network(project.graph, project.name)
    load_weights(network.module, weights.state, str(weights.path))
    export_weights(network.module.state_dict(), tmp_path / "best.safetensors")
    model = exported_class(network, tmp_path)()
    model.load_state_dict(safetensors.torch.load_file(tmp_path / "best.safetensors"))
    samples = sample_inputs(network, 5)
    assert torch.equal(outputs(model, samples)[0], outputs(network.module, samples)[0])


def test_the_last_checkpoint_serves_when_there_is_no_best(trained, tmp_path):
    project, folder = trained
    copy = tmp_path / folder.id
    (copy / "checkpoints").mkdir(parents=True)
    (copy / "config.json").write_bytes(folder.config_path.read_bytes())
    (copy / "checkpoints" / "last.pt").write_bytes(folder.checkpoint("last").read_bytes())
    weights = run_weights(project.path, str(copy))
    assert weights.kind == "last" and weights.path == copy / "checkpoints" / "last.pt"

    (copy / "checkpoints" / "last.pt").unlink()
    with pytest.raises(ExportError, match=r"no checkpoint yet \(no best\.pt or last\.pt in .*"):
        run_weights(project.path, str(copy))


def test_a_missing_run_says_where_it_looked(trained):
    project, folder = trained
    with pytest.raises(ExportError) as caught:
        run_weights(project.path, "20990101-000000")
    message = str(caught.value)
    assert "no run '20990101-000000' in " in message
    assert str(project.path.parent / "runs" / "mlp_iris") in message
    assert f"(runs: {folder.id})" in message


def test_a_damaged_checkpoint_is_an_export_error(trained, tmp_path):
    project, folder = trained
    copy = tmp_path / "damaged"
    (copy / "checkpoints").mkdir(parents=True)
    (copy / "config.json").write_bytes(folder.config_path.read_bytes())
    (copy / "checkpoints" / "best.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ExportError, match=r"best\.pt is damaged or not a NetDesigner checkpoint"):
        run_weights(project.path, str(copy))


# -- ONNX ------------------------------------------------------------------------------------


def onnxruntime_outputs(path: Path, samples: dict[str, torch.Tensor]) -> list[np.ndarray]:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {name: tensor.numpy() for name, tensor in samples.items()})


@pytest.mark.parametrize("name", list(NETWORKS))
def test_onnx_matches_torch_in_onnxruntime(tmp_path, name):
    network = NETWORKS[name]()
    network.module.train()
    path = tmp_path / "model.onnx"

    result = export_onnx(network, path)

    assert network.module.training, "the module's mode is given back"
    assert result.path == path and result.tolerance == ATOL
    assert 0 <= result.max_difference <= ATOL and not result.notes
    assert result.summary().startswith("wrote model.onnx with torch.onnx, opset ")
    assert "(onnxruntime matches torch within 1e-4: max diff " in result.summary()
    model = onnx.load(path)
    onnx.checker.check_model(model)
    assert [value.name for value in model.graph.input] == list(network.arguments.values())
    assert all(value.type.tensor_type.shape.dim[0].dim_param for value in model.graph.input)
    samples = sample_inputs(network, 5, seed=11)
    close(outputs(network.module, samples), onnxruntime_outputs(path, samples))


class SphericalBessel(nn.Module):
    """A layer whose operator ONNX has no function for."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.special.bessel_j0(x)


class SignBranch(nn.Module):
    """A layer whose control flow depends on the values: torch.export cannot capture it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.sum() > 0:
            return x
        return -x


@pytest.mark.parametrize(
    ("layer", "why"),
    [
        (SphericalBessel, r"No ONNX function found for .*bessel_j0"),
        (SignBranch, r"Could not guard on data-dependent expression"),
    ],
)
def test_onnx_failures_name_the_node(tmp_path, layer, why):
    network = example_network("mlp_iris")
    network.module.hidden2 = nn.Sequential(network.module.hidden2, layer())
    with pytest.raises(ExportError) as caught:
        export_onnx(network, tmp_path / "model.onnx")
    assert str(caught.value).startswith("Dense 'hidden2' cannot be exported to ONNX: ")
    assert caught.match(why)
    assert caught.value.node_id == network.doc.find("hidden2").id
    assert not list(tmp_path.iterdir())


def test_onnxruntime_errors_name_the_node_by_its_operators(tmp_path):
    network = example_network("mlp_iris")
    export_onnx(network, tmp_path / "model.onnx")
    model = onnx.load(tmp_path / "model.onnx")
    gemms = [node.name for node in model.graph.node if node.op_type == "Gemm"]
    message = f"Non-zero status code returned while running Gemm node. Name:'{gemms[1]}'"
    error = runtime_failure(network, model, RuntimeError(message))
    assert str(error).startswith("Dense 'hidden2' cannot be run in onnxruntime: Non-zero status")
    assert error.node_id == network.doc.find("hidden2").id


def test_layers_tried_alone_find_the_one_that_fails():
    network = example_network("mlp_iris")
    network.module.hidden2 = nn.Sequential(network.module.hidden2, SphericalBessel())
    node_id, error = first_failing_layer(network, sample_inputs(network, 3), export_layer)
    assert node_id == network.doc.find("hidden2").id
    assert "bessel_j0" in str(error)


# -- TorchScript -----------------------------------------------------------------------------


@JIT_QUIET
@pytest.mark.parametrize("name", list(NETWORKS))
def test_torchscript_loads_back_and_matches(tmp_path, name):
    network = NETWORKS[name]()
    path = tmp_path / "model.pt"

    result = export_torchscript(network, path)

    assert result.method == "torch.jit.script" and not result.notes
    assert 0 <= result.max_difference <= ATOL
    assert result.summary().startswith("wrote model.pt with torch.jit.script (the loaded file ")
    loaded = torch.jit.load(path)
    samples = sample_inputs(network, 5, seed=11)
    close(outputs(network.module, samples), outputs(loaded, samples))


class DictOutput(nn.Module):
    """Neither scriptable (a generator expression) nor traceable (a dict as its result)."""

    def forward(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"y": sum(part for part in (x, x))}


@JIT_QUIET
def test_torchscript_failure_names_the_node(tmp_path):
    network = example_network("mlp_iris")
    network.module.classes = DictOutput()
    with pytest.raises(ExportError) as caught:
        export_torchscript(network, tmp_path / "model.pt")
    assert str(caught.value).startswith("Dense 'classes' can be neither scripted nor traced: ")
    assert caught.value.node_id == network.doc.find("classes").id
    assert not list(tmp_path.iterdir())


# -- every layer kind ------------------------------------------------------------------------


def kind_network(kind: str, index: int) -> Network:
    doc, _, _ = build(kind, CASES[kind][index])
    return build_network(doc, f"Kind {kind}")


KIND_CASES = [
    pytest.param(kind, index, id=f"{kind}-{index}")
    for kind in LAYER_KINDS
    for index in range(len(CASES[kind]))
]


def scripts(kind: str, index: int) -> bool:
    """torch.jit.script compiles every layer but nn.MultiheadAttention without biases (it reads
    in_proj_bias.dtype, which is None then); that one is traced."""
    return not (kind == "multihead_attention" and CASES[kind][index].params.get("bias") is False)


@JIT_QUIET
@pytest.mark.parametrize(("kind", "index"), KIND_CASES)
def test_every_kind_exports_to_torchscript(tmp_path, kind, index):
    network = kind_network(kind, index)
    result = export_torchscript(network, tmp_path / "model.pt")
    assert result.max_difference <= ATOL
    if scripts(kind, index):
        assert (result.method, result.notes) == ("torch.jit.script", ())
    else:
        assert result.method == "torch.jit.trace"
        assert result.notes[0].startswith(
            "torch.jit.script cannot compile MultiheadAttention 'layer' ('NoneType' object has "
            "no attribute or method 'dtype'"
        )
        assert result.notes[0].endswith("traced on sample inputs instead")
    buffer = io.BytesIO((tmp_path / "model.pt").read_bytes())
    samples = sample_inputs(network, 2, seed=5)
    close(outputs(network.module, samples), outputs(torch.jit.load(buffer), samples))


def every_case(kind: str) -> Network:
    """All of a kind's cases side by side in one network (one export per kind, not per case)."""
    doc = GraphDocument()
    for layer_case in CASES[kind]:
        case_doc, _, _ = build(kind, layer_case)
        paste(doc, fragment(case_doc, [node.id for node in case_doc.nodes()]))
    return build_network(doc, f"Every {kind}")


@pytest.mark.slow
@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_every_kind_exports_to_onnx(tmp_path, kind):
    """Every case of every kind exports, keeps its batch size free and matches in onnxruntime:
    no kind in the catalog needs to be refused."""
    network = every_case(kind)
    assert len(network.output_names) == len(CASES[kind])
    result = export_onnx(network, tmp_path / "model.onnx")
    assert result.max_difference <= ATOL and not result.notes
