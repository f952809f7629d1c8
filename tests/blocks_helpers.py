"""Shared builders for the block tests: the resnet example grouped into blocks in code."""

from __future__ import annotations

from designer.compiler import Analyzer
from designer.model import GraphDocument
from designer.model.grouping import group, ungroup
from designer.model.library import BlockParam
from designer.project import load_project
from tests.helpers import PROJECTS

BLOCK1 = ["conv1", "bn1", "relu1", "conv2", "bn2", "add", "out"]


def output_shapes(doc: GraphDocument) -> dict[str, tuple[tuple[int, ...], str]]:
    report = Analyzer(doc).report()
    return {
        node_id: (info.output.shape, info.output.dtype)
        for node_id, info in report.nodes.items()
        if info.output is not None
    }


def flat_resnet() -> GraphDocument:
    return load_project(PROJECTS / "resnet_digits.json").graph


def grouped_resnet() -> GraphDocument:
    """resnet_digits with its identity residual block grouped as ResidualBlock(channels)."""
    doc = flat_resnet()
    ids = [doc.find(f"block1_{part}").id for part in BLOCK1]
    group(doc, ids, "ResidualBlock", "identity shortcut", output_shapes(doc), "res1")
    inner = doc.blocks.get("ResidualBlock").graph
    targets = tuple((inner.find(f"block1_{conv}").id, "filters") for conv in ("conv1", "conv2"))
    doc.blocks.set_params("ResidualBlock", (BlockParam("channels", targets, 16),))
    return doc


def flattened(doc: GraphDocument) -> GraphDocument:
    """A copy of `doc` with every block instance ungrouped, inner blocks too."""
    flat = doc.copy()
    while instances := [node.id for node in flat.nodes() if node.kind == "block"]:
        ungroup(flat, instances[0])
    return flat
