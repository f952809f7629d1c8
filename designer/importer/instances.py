"""Import one call of a repeated submodule on its own, with the tensors it got in the network:
its inner graph, to become a block's, or None when it cannot be a block."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import fx, nn

from designer.compiler import Analyzer
from designer.importer.assemble import assemble
from designer.importer.checks import mismatched_shapes, weight_problems
from designer.importer.errors import ImportProblem, Unsupported
from designer.importer.tracing import BATCHES, Recording, record, trace
from designer.model import GraphDocument
from designer.model.library import BlockLibrary


@dataclass(frozen=True)
class Instance:
    """A submodule imported on its own: its path and module, its graph (Inputs named after
    forward's arguments, one Output), its layers' paths inside it by node id, and the notes
    on what the graph keeps differently."""

    path: str
    module: nn.Module
    doc: GraphDocument
    sources: dict[str, str]
    notes: list[str]


def import_instance(
    graph: fx.GraphModule, node: fx.Node, recording: Recording, library: BlockLibrary
) -> Instance | None:
    """The submodule that `node` calls, traced flat and checked as a whole import is (every
    call mapped, shapes, weights, parameter count); None when it takes anything but tensors,
    gives anything but one tensor, or would not import. Such a submodule is traced through
    with the network instead, where any problem is reported."""
    module = graph.get_submodule(node.target)
    arguments = [run[node] for run in recording.arguments]
    if node.kwargs or not node.args or not all(isinstance(arg, fx.Node) for arg in node.args):
        return None
    if not all(isinstance(value, torch.Tensor) for values in arguments for value in values):
        return None
    try:
        shapes = [recording.sample(arg).shape for arg in node.args]
        recording.sample(node)
        inner = trace(module, len(node.args))
        inputs = {batch: list(values) for batch, values in zip(BATCHES, arguments, strict=True)}
        inner_recording = record(inner, inputs, node.target)
    except (ImportProblem, Unsupported):
        return None
    names = [each.name for each in inner.graph.find_nodes(op="placeholder")][: len(shapes)]
    tokens = {
        name: 0
        for name, value in zip(names, arguments[0], strict=True)
        if not value.is_floating_point()
    }
    assembly = assemble(inner, inner_recording, shapes, tokens, library=library)
    outputs = [each for each in assembly.doc.nodes() if each.kind == "output"]
    if assembly.problems or len(outputs) != 1:
        return None
    report = Analyzer(assembly.doc).report()
    if not report.ok or mismatched_shapes(report, assembly):
        return None
    if weight_problems(module, report, assembly):
        return None
    notes = [f"{node.target}: {note}" for note in assembly.notes]
    return Instance(node.target, module, assembly.doc, assembly.sources, notes)
