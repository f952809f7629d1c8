"""Probes run without importing torch._dynamo, and count the MACs FlopCounterMode counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from designer.compiler.mac_counter import FlopCounter
from designer.compiler.probe import DTYPES, probe_class, probe_source
from designer.compiler.shape_cache import FOLDER_VARIABLE
from nodes import REGISTRY
from tests.test_catalog import CASES, Case

ROOT = Path(__file__).resolve().parent.parent

# Every layer of the catalog's test cases and every example, analysed in a new process with
# an empty shape cache: each probe runs torch.
EVERY_LAYER = """
import json, sys
from designer.compiler import Analyzer
from designer.compiler.without_dynamo import MARK, guarded_kernels
from designer.project import load_project
from tests.helpers import EXAMPLES
from tests.test_catalog import CASES, build

failed = []
for kind, cases in CASES.items():
    for case in cases:
        if not Analyzer(build(kind, case)[0]).report().ok:
            failed.append(kind)
for path in EXAMPLES:
    if not Analyzer(load_project(path).graph).report().ok:
        failed.append(path.name)
print(json.dumps({
    "failed": failed,
    "torch": "torch" in sys.modules,
    "dynamo": "torch._dynamo" in sys.modules,
    "guarded": len(guarded_kernels()),
    "left marked": [kernel.__qualname__ for kernel in guarded_kernels() if MARK in vars(kernel)],
}))
"""


def test_probes_of_every_layer_leave_torch_dynamo_unimported(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", EVERY_LAYER],
        cwd=ROOT,
        env={**os.environ, FOLDER_VARIABLE: str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    found = json.loads(result.stdout)
    assert found["failed"] == []
    assert found["torch"]
    assert not found["dynamo"]
    assert found["guarded"] > 0
    assert found["left marked"] == []  # torch's guards are as they were, between probes


def source_and_inputs(kind: str, case: Case) -> tuple[str, list[torch.Tensor]]:
    spec = REGISTRY.get(kind)
    source = probe_source(spec, spec.coerce_params(case.params), case.inputs)
    with torch.device("meta"):
        tensors = [
            torch.empty((1, *info.shape), dtype=getattr(torch, DTYPES[info.dtype]))
            for info in case.inputs
        ]
    return source, tensors


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_counter_counts_what_flop_counter_mode_counts(kind):
    for case in CASES[kind]:
        source, tensors = source_and_inputs(kind, case)
        with torch.device("meta"):
            module = probe_class(source)().eval()
        with FlopCounter() as counter:
            module(*tensors)
        with FlopCounterMode(display=False) as reference:
            module(*tensors)
        assert counter.flops == reference.get_total_flops(), case
