"""Import one repeated submodule on its own, with the tensors it got in the network: its inner
graph, to become a block's, or None when it cannot be a block."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import torch
from torch import nn

from designer.compiler import Analyzer
from designer.compiler.code_trust import trust_document
from designer.importer.assemble import assemble
from designer.importer.capture import Arguments
from designer.importer.chains import chain_repeats
from designer.importer.checks import mismatched_shapes, weight_problems
from designer.importer.custom_calls import Carrying
from designer.importer.errors import ImportProblem
from designer.importer.kept_whole import traced
from designer.importer.tracing import BATCHES, DTYPES, record
from designer.importer.uses import BlockUse, Copy
from designer.model import GraphDocument
from designer.model.library import BlockLibrary


@dataclass(frozen=True)
class Instance:
    """A submodule imported on its own: its path and module, its graph (Inputs named after
    forward's arguments, one Output), its layers' paths and what its block instances stand for
    by node id, and the notes on what the graph keeps differently."""

    path: str
    module: nn.Module
    doc: GraphDocument
    sources: dict[str, str]
    blocks: dict[str, list[Copy]]
    notes: list[str]


def batched_shapes(arguments: list[Arguments]) -> list[tuple[int, ...]] | None:
    """The per-sample shapes of the positional tensors a submodule got at each of BATCHES;
    None if it got anything else, or a tensor without the batch first."""
    shapes = None
    for (args, kwargs), batch in zip(arguments, BATCHES, strict=True):
        if kwargs or not args:
            return None
        if not all(isinstance(arg, torch.Tensor) and arg.dtype in DTYPES for arg in args):
            return None
        if any(arg.dim() == 0 or arg.shape[0] != batch for arg in args):
            return None
        found = [tuple(arg.shape[1:]) for arg in args]
        if shapes is not None and found != shapes:
            return None
        shapes = found
    return shapes


def import_instance(
    module: nn.Module,
    path: str,
    arguments: list[Arguments],
    uses: Mapping[str, BlockUse],
    library: BlockLibrary,
    custom: bool = True,
) -> Instance | None:
    """The submodule at `path`, traced with the repeated submodules inside it (`uses`, by path
    inside it) as block instances, and checked as a whole import is (every call mapped, shapes,
    weights, parameter count); None when it takes anything but tensors with the batch first,
    gives anything but one such tensor, or would not import. Such a submodule is traced through
    with its parent instead, where any problem is reported."""
    shapes = batched_shapes(arguments)
    if shapes is None:
        return None
    carrying = Carrying(enabled=custom)
    try:
        inner = traced(module, len(shapes), frozenset(uses), carrying)
        inputs = {batch: list(args) for batch, (args, _) in zip(BATCHES, arguments, strict=True)}
        recording = record(inner, inputs, path)
    except ImportProblem:
        return None
    names = [each.name for each in inner.graph.find_nodes(op="placeholder")][: len(shapes)]
    tokens = {
        name: 0
        for name, value in zip(names, arguments[0][0], strict=True)
        if not value.is_floating_point()
    }
    assembly = assemble(inner, recording, shapes, tokens, uses, library, carrying)
    outputs = [each for each in assembly.doc.nodes() if each.kind == "output"]
    if assembly.problems or len(outputs) != 1:
        return None
    chain_repeats(assembly, module)
    trust_document(assembly.doc)
    report = Analyzer(assembly.doc).report()
    if not report.ok or mismatched_shapes(report, assembly):
        return None
    if weight_problems(module, report, assembly):
        return None
    notes = [f"{path}: {note}" for note in assembly.notes]
    return Instance(path, module, assembly.doc, assembly.sources, assembly.blocks, notes)
