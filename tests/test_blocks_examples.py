"""The examples rebuilt with blocks are the flat examples: same parameters, same outputs."""

from __future__ import annotations

import pytest
import torch

from designer.compiler import Analyzer, compile_graph
from designer.project import load_project
from tests.helpers import PROJECTS

ENCODER_PARTS = {"attention": "self_attn", "feedforward1": "linear1", "feedforward2": "linear2"}


def resnet_key(key: str) -> str:
    """block1.conv1.weight -> block1_conv1.weight: an instance's layers, flattened."""
    return key.replace(".", "_", 1) if key.startswith(("block1.", "block2.")) else key


def attention_key(key: str) -> str:
    """encoder.attention.in_proj_weight -> encoder.self_attn.in_proj_weight."""
    parts = key.split(".")
    if parts[0] == "encoder":
        parts[1] = ENCODER_PARTS.get(parts[1], parts[1])
    return ".".join(parts)


def resnet_sample() -> torch.Tensor:
    return torch.randn(5, 1, 8, 8, generator=torch.Generator().manual_seed(1))


def attention_sample() -> torch.Tensor:
    return torch.randint(0, 8, (5, 24), generator=torch.Generator().manual_seed(1))


EXAMPLES = [
    ("resnet_digits", resnet_key, resnet_sample),
    ("attention_sequences", attention_key, attention_sample),
]


def built(stem: str):
    project = load_project(PROJECTS / f"{stem}.json")
    report = Analyzer(project.graph).report()
    torch.manual_seed(0)
    module, _ = compile_graph(project.graph, project.name, report)
    return module, report


@pytest.mark.parametrize(("stem", "key", "sample"), EXAMPLES)
def test_the_blocks_version_has_the_flat_parameters_and_gives_its_outputs(stem, key, sample):
    if not (PROJECTS / f"{stem}.json").exists():
        pytest.skip(f"{stem}.json is not in projects/")
    flat, flat_report = built(stem)
    blocks, blocks_report = built(f"{stem}_blocks")
    assert blocks_report.ok and blocks_report.total_params == flat_report.total_params
    assert blocks_report.total_macs == flat_report.total_macs
    flat_state, blocks_state = flat.state_dict(), blocks.state_dict()
    assert sorted(map(key, blocks_state)) == sorted(flat_state)
    for name, tensor in blocks_state.items():  # the same seed makes the same weights
        assert torch.equal(tensor, flat_state[key(name)]), name
    with torch.no_grad():
        for parameter in flat.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)
    blocks.load_state_dict({name: flat.state_dict()[key(name)] for name in blocks_state})
    for train in (True, False):
        flat.train(train)
        blocks.train(train)
        inputs = sample()
        torch.testing.assert_close(blocks(inputs), flat(inputs), rtol=1e-5, atol=1e-6)
