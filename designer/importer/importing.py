"""Import a module: trace, map, check against the module itself, lay out; and the CLI's entry."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from torch import nn

from designer.compiler import Analyzer, GraphReport
from designer.compiler.probe import first_line
from designer.compiler.structure import label
from designer.importer.assemble import Assembly, assemble
from designer.importer.errors import UnsupportedModule
from designer.importer.inputs import example_inputs, parse_shape, token_vocabularies
from designer.importer.loading import load_module, split_spec
from designer.importer.tracing import BATCHES, DTYPES, record, trace
from designer.importer.weights import unplaced
from designer.model import GraphDocument
from designer.model.layout import apply_layout
from designer.project import Project, save_project
from nodes import TensorInfo


@dataclass
class ImportResult:
    """An imported network: the project, the module path whose weights each layer node holds
    (node id -> path, for map_state_dict), the parameter count the graph and module share, and
    notes on what the graph keeps differently (torch's warnings among them)."""

    project: Project
    sources: dict[str, str]
    params: int
    notes: list[str]


def import_module(
    module: nn.Module, input_shapes: list[tuple[int, ...]], name: str = "Imported"
) -> ImportResult:
    """The module as a checked, laid-out graph, one input shape (batch excluded) per forward
    input. Raises UnsupportedModule listing every call without a catalog layer, or any way in
    which the graph would differ from the module (shapes, parameter count, weights left over);
    a partial graph is never returned, since it would not validate or train as the module."""
    shapes = [tuple(shape) for shape in input_shapes]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        graph = trace(module, len(shapes))
        vocabularies = token_vocabularies(graph)
        names = [node.name for node in graph.graph.find_nodes(op="placeholder")][: len(shapes)]
        inputs = {batch: example_inputs(names, shapes, vocabularies, batch) for batch in BATCHES}
        assembly = assemble(graph, record(graph, inputs, name), shapes, vocabularies)
    if assembly.problems:
        raise UnsupportedModule(name, list(assembly.problems))
    doc = assembly.doc
    report = Analyzer(doc).report()
    if not report.ok:
        raise UnsupportedModule(name, [diagnostic.message for diagnostic in report.errors])
    problems = mismatched_shapes(doc, report, assembly) + weight_problems(module, report, assembly)
    if problems:
        raise UnsupportedModule(name, problems)
    notes = list(assembly.notes)
    notes += [diagnostic.message for diagnostic in report.diagnostics]
    notes += list(dict.fromkeys(f"torch warned: {first_line(item.message)}" for item in caught))
    apply_layout(doc)
    return ImportResult(Project(name=name, graph=doc), assembly.sources, report.total_params, notes)


def mismatched_shapes(doc: GraphDocument, report: GraphReport, assembly: Assembly) -> list[str]:
    """Nodes whose inferred output differs from what the module made there."""
    problems = []
    for node_id, made in assembly.expected:
        wanted = TensorInfo(made.shape, DTYPES[made.dtype])
        found = report.nodes[node_id].output
        if found != wanted:
            problems.append(
                f"{label(doc.node(node_id))} gives {found} where the module gives {wanted}"
            )
    return problems


def weight_problems(module: nn.Module, report: GraphReport, assembly: Assembly) -> list[str]:
    """Weights no layer holds, and a parameter count that differs from the module's."""
    problems = []
    left = unplaced(list(module.state_dict()), assembly.sources)
    if left:
        listed = ", ".join(left[:8]) + (f" and {len(left) - 8} more" if len(left) > 8 else "")
        problems.append(f"weights that no layer holds (unused, or used directly): {listed}")
    own = sum(parameter.numel() for parameter in module.parameters())
    if report.total_params != own:
        problems.append(
            f"the graph has {report.total_params:,} parameters but the module has {own:,}"
        )
    return problems


def import_to_project(
    spec: str, input_shapes: list[str], output: Path
) -> tuple[Project, list[str]]:
    """`netdesigner import FILE.py:NAME --input-shape 3x224x224 -o PROJECT.json`: load, import,
    save; returns the project and lines to print. Raises ImportProblem (a ProjectError)."""
    shapes = [parse_shape(text) for text in input_shapes]
    path, name = split_spec(spec)
    title = name.rpartition(".")[2]
    result = import_module(load_module(spec), shapes, title)
    project = result.project
    project.description = f"Imported from {spec}"
    save_project(project, output)
    layers = sum(1 for node in project.graph.nodes() if node.spec.role == "layer")
    lines = [
        f"Imported {title} from {path}: {layers} layers, {result.params:,} parameters "
        "(the module's own count)",
        *(f"note: {note}" for note in result.notes),
        f"Saved {output}",
    ]
    return project, lines
