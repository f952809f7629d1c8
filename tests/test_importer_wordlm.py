"""PyTorch's word_language_model example, whose tensors are (sequence, batch), imports exactly
with sequence_first: the same parameters, the same outputs with the batch moved first."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from designer.cli import main
from designer.compiler import Analyzer, compile_graph
from designer.importer import UnsupportedModule, import_module, load_module, map_state_dict
from designer.project import load_project
from tests.test_importer import reimport, structure

MODELS = Path(__file__).with_name("wordlm_models.py")
LENGTH, BATCH = 7, 4


@pytest.mark.parametrize("rnn_type", ["LSTM", "GRU"])
def test_word_rnn_imports_with_the_batch_moved_first(rnn_type: str, tmp_path: Path):
    module = load_module(f"{MODELS}:WordLSTM")
    if rnn_type == "GRU":
        module = type(module)(rnn_type="GRU")
    module.eval()
    result = import_module(module, [(LENGTH,)], "WordRNN", sequence_first=True)
    doc = result.project.graph
    own = sum(parameter.numel() for parameter in module.parameters())
    assert Analyzer(doc).report().total_params == result.params == own
    assert "the layout changed" in result.notes[0]

    generated, _ = compile_graph(doc, "WordRNN")
    generated.load_state_dict(map_state_dict(result, module.state_dict()))
    generated.eval()
    tokens = torch.randint(
        0, module.ntoken, (LENGTH, BATCH), generator=torch.Generator().manual_seed(0)
    )
    with torch.no_grad():
        expected = module(tokens)  # (sequence x batch, ntoken), position-major
        found = generated(tokens.T)  # (batch, sequence, ntoken)
    assert expected.shape == (LENGTH * BATCH, module.ntoken)
    difference = (found.transpose(0, 1).reshape(-1, module.ntoken) - expected).abs().max()
    assert difference <= 1e-5

    # The exported class is batch first: it imports back, without sequence_first, as the same.
    again = reimport(doc, [(LENGTH,)], tmp_path, "WordRNN")
    assert structure(again) == structure(doc)


def test_batch_first_false_without_sequence_first_says_how():
    module = load_module(f"{MODELS}:WordLSTM")
    with pytest.raises(UnsupportedModule, match="--sequence-first"):
        import_module(module, [(LENGTH,)], "WordLSTM")


def test_the_command_line_imports_sequence_first(tmp_path: Path, capsys):
    output = tmp_path / "word.json"
    spec = f"{MODELS}:WordLSTM"
    code = main(["import", spec, "--input-shape", "35", "-o", str(output), "--sequence-first"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "note: the layout changed" in out
    kinds = sorted(node.kind for node in load_project(output).graph.nodes())
    assert kinds == sorted(
        ["input", "embedding", "dropout", "lstm", "dropout", "dense", "log_softmax", "output"]
    )


def transformer() -> torch.nn.Module:
    # nn.Transformer warns that its encoder cannot use nested tensors with batch_first=False
    with pytest.warns(UserWarning, match="enable_nested_tensor"):
        module = load_module(f"{MODELS}:TransformerModel")
    return module.eval()


def test_word_transformer_imports_with_the_batch_moved_first(tmp_path: Path):
    module = transformer()
    result = import_module(module, [(LENGTH,)], "WordTransformer", sequence_first=True)
    doc = result.project.graph
    own = sum(parameter.numel() for parameter in module.parameters())
    assert Analyzer(doc).report().total_params == result.params == own
    kinds = [doc.node(node_id).kind for node_id in Analyzer(doc).report().order]
    assert kinds == [
        "input",
        "embedding",
        "scale",
        "sinusoidal_position_encoding",
        "dropout",
        "transformer_encoder_layer",
        "transformer_encoder_layer",
        "layernorm",
        "dense",
        "log_softmax",
        "output",
    ]
    layers = [node for node in doc.nodes() if node.kind == "transformer_encoder_layer"]
    assert all(node.params["causal"] for node in layers)

    generated, _ = compile_graph(doc, "WordTransformer")
    generated.load_state_dict(map_state_dict(result, module.state_dict()))
    generated.eval()
    tokens = torch.randint(0, 50, (LENGTH, BATCH), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = module(tokens)  # (sequence, batch, ntoken)
        found = generated(tokens.T)  # (batch, sequence, ntoken)
    assert (found.transpose(0, 1) - expected).abs().max() <= 1e-5

    again = reimport(doc, [(LENGTH,)], tmp_path, "WordTransformer")
    assert structure(again) == structure(doc)


class EveryPositionMasked(torch.nn.Module):
    """An encoder given a mask that hides nothing: not the causal one."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(50, 16)
        layer = torch.nn.TransformerEncoderLayer(16, 2, 32)
        with pytest.warns(UserWarning, match="enable_nested_tensor"):
            self.encoder = torch.nn.TransformerEncoder(layer, 1)

    def forward(self, src):
        length = src.size(0)
        return self.encoder(self.embed(src), mask=src.new_zeros(length, length, dtype=torch.float))


def test_a_mask_other_than_the_causal_one_is_refused():
    with pytest.raises(UnsupportedModule, match="a mask other than the causal one"):
        import_module(EveryPositionMasked(), [(LENGTH,)], "Masked", sequence_first=True)


class MaskUsedAsTensor(EveryPositionMasked):
    """The causal mask also added to the embeddings: a mask is no tensor of the graph."""

    def forward(self, src):
        ones = src.new_ones(src.size(0), src.size(0), dtype=torch.float)
        mask = torch.log(torch.tril(ones))
        return self.encoder(self.embed(src), mask=mask) + mask[:, :1, None]


def test_a_mask_used_as_a_tensor_is_refused():
    with pytest.raises(UnsupportedModule, match="an attention mask, where a tensor goes"):
        import_module(MaskUsedAsTensor(), [(LENGTH,)], "Masked", sequence_first=True)


class SequenceFirstAttention(torch.nn.Module):
    """nn.MultiheadAttention with batch_first=False over (sequence, batch, features)."""

    def __init__(self):
        super().__init__()
        self.attn = torch.nn.MultiheadAttention(8, 2)
        self.head = torch.nn.Linear(8, 3)

    def forward(self, x):
        out, _ = self.attn(x, x, x)
        return self.head(out)


def test_sequence_first_attention_imports_with_the_batch_moved_first():
    module = SequenceFirstAttention().eval()
    result = import_module(module, [(LENGTH, 8)], "Attention", sequence_first=True)
    generated, _ = compile_graph(result.project.graph, "Attention")
    generated.load_state_dict(map_state_dict(result, module.state_dict()))
    generated.eval()
    x = torch.randn(LENGTH, BATCH, 8, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        difference = (generated(x.transpose(0, 1)).transpose(0, 1) - module(x)).abs().max()
    assert difference <= 1e-5
