"""Import a module: trace, map, check against the module itself, lay out; and the CLI's entry."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import torch
from torch import nn

from designer.compiler import Analyzer
from designer.compiler.code_trust import trust_document
from designer.compiler.probe import first_line
from designer.importer.assemble import Assembly, assemble
from designer.importer.blocks import Plan, plan_blocks
from designer.importer.capture import captured_calls
from designer.importer.chains import chain_repeats
from designer.importer.checks import mismatched_shapes, weight_problems
from designer.importer.custom_calls import Carrying
from designer.importer.errors import ImportProblem, UnsupportedModule
from designer.importer.inputs import example_inputs, parse_shape, token_vocabularies
from designer.importer.instances import import_instance
from designer.importer.kept_whole import MAX_ROUNDS, keep_problem_scopes, traced
from designer.importer.loading import load_module, split_spec
from designer.importer.repeats import inner_first, inside, outermost, repeated_instances
from designer.importer.start_file import check_weights_fit, read_weights_file, record_start_weights
from designer.importer.tracing import BATCHES, record
from designer.importer.uses import BlockUse, Copy
from designer.model.layout import apply_layout
from designer.model.library import BlockLibrary
from designer.project import Project, save_project
from designer.project.output_file import check_output_file
from nodes import Role
from nodes.block import BLOCK_KIND, REPEAT_PARAM

SEQUENCE_FIRST_NOTE = (
    "the layout changed: the module takes (sequence, batch) tensors, the graph takes and "
    "gives them batch first, (batch, sequence); an output the module merged with view(-1, n) "
    "stays (batch, sequence, n)"
)


@dataclass
class ImportResult:
    """An imported network: the project, the module path whose weights each layer node holds
    (node id -> path) and the submodules each block instance stands for (both for
    map_state_dict), the parameter count the graph and module share, and notes on what the
    graph keeps differently (torch's warnings among them)."""

    project: Project
    sources: dict[str, str]
    params: int
    notes: list[str]
    blocks: dict[str, list[Copy]] = field(default_factory=dict)


def import_module(
    module: nn.Module,
    input_shapes: list[tuple[int, ...]],
    name: str = "Imported",
    flat: bool = False,
    custom_code: bool = True,
    sequence_first: bool = False,
) -> ImportResult:
    """The module as a checked, laid-out graph, one input shape (batch excluded) per forward
    input. With `sequence_first`, the module takes (sequence, batch, ...) tensors (recurrent
    and attention layers with batch_first=False) and the graph the same with the batch first:
    the exported class takes and gives every tensor with its first two dims swapped (one
    merged by view(-1, n), position-major, comes out as (batch, sequence, n)); such an import
    is flat. Submodules of a class of the user's own that repeat become instances of a block
    (blocks inside blocks where such classes nest; see designer.importer.blocks) unless `flat`,
    which traces through every submodule. A call no catalog layer takes becomes a custom-code
    node (see custom_calls), and a submodule or function fx cannot trace, or holding such a
    call that custom code cannot take alone, is kept whole as one (see kept_whole); the notes
    name each and say why. Its code is trusted in this process: the module already ran.
    Without `custom_code`, every such call is a problem instead.
    Raises UnsupportedModule listing every call that cannot be imported, or any way in
    which the graph would differ from the module (shapes, parameter count, weights left over);
    a partial graph is never returned, since it would not validate or train as the module."""
    shapes = [tuple(shape) for shape in input_shapes]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assembly = traced_assembly(module, shapes, name, flat, custom_code, sequence_first)
    if assembly.problems:
        raise UnsupportedModule(name, list(assembly.problems))
    doc = assembly.doc
    trust_document(doc)
    report = Analyzer(doc).report()
    if not report.ok:
        raise UnsupportedModule(name, [diagnostic.message for diagnostic in report.errors])
    problems = mismatched_shapes(report, assembly) + weight_problems(module, report, assembly)
    if problems:
        raise UnsupportedModule(name, problems)
    notes = [SEQUENCE_FIRST_NOTE] if sequence_first else []
    notes += assembly.notes
    notes += [diagnostic.message for diagnostic in report.diagnostics]
    notes += list(dict.fromkeys(f"torch warned: {first_line(item.message)}" for item in caught))
    apply_layout(doc)
    project = Project(name=name, graph=doc)
    return ImportResult(project, assembly.sources, report.total_params, notes, assembly.blocks)


def traced_assembly(
    module: nn.Module,
    shapes: list[tuple[int, ...]],
    name: str,
    flat: bool,
    custom: bool = True,
    sequence_first: bool = False,
) -> Assembly:
    """Trace and map the module, with the outermost submodules that became blocks as block
    instances (unless `flat`, or forward uses their results in a way a single call cannot give:
    unpacking a tuple, say), and custom code where nothing else fits (unless not `custom`):
    traced again while problems lie in a submodule that can be kept whole instead."""
    carrying = Carrying(enabled=custom)
    graph = traced(module, len(shapes), frozenset(), carrying)
    vocabularies = token_vocabularies(graph)
    names = [node.name for node in graph.graph.find_nodes(op="placeholder")][: len(shapes)]
    inputs = {
        batch: example_inputs(names, shapes, vocabularies, batch, sequence_first)
        for batch in BATCHES
    }
    library = BlockLibrary()
    plan = Plan() if flat or sequence_first else block_plan(module, inputs, library, custom)
    for _ in range(MAX_ROUNDS):
        if plan.uses or carrying.modules or carrying.functions:
            try:
                graph = traced(module, len(shapes), frozenset(plan.uses), carrying)
            except ImportProblem:
                if not plan.uses:
                    raise
                library, plan = BlockLibrary(), Plan()
                graph = traced(module, len(shapes), frozenset(), carrying)
        recording = record(graph, inputs, name, sequence_first)
        assembly = assemble(graph, recording, shapes, vocabularies, plan.uses, library, carrying)
        leaves = frozenset(plan.uses)
        if not (custom and assembly.problems):
            break
        if not keep_problem_scopes(module, assembly.scopes, leaves, carrying):
            break
    assembly.notes += plan.notes
    chain_repeats(assembly, module)
    return assembly


def block_plan(
    module: nn.Module,
    inputs: dict[int, list[torch.Tensor]],
    library: BlockLibrary,
    custom: bool = True,
) -> Plan:
    """Add a block to `library` for each class of the user's own whose instances (two or more)
    share an inner graph, inner classes first, so that a block holds instances of the blocks
    inside it; the plan's uses are the outermost such instances. Each instance is traced with a
    tracer of its own, on the tensors it got when the module ran (rather than cut out of one
    flat trace by nn_module_stack), so that its graph has forward's arguments as its inputs, in
    order, and is checked as any import is."""
    candidates = repeated_instances(module)
    captured = captured_calls(module, list(candidates), inputs)
    if captured is None:
        return Plan()
    planned: dict[str, BlockUse] = {}
    notes: list[str] = []
    for cls in inner_first(candidates):
        found = []
        for path in [path for path in captured.order if candidates[path] is cls]:
            arguments = captured.only_call(path)
            if arguments is None:  # called twice (shared weights) or not at all: stays flat
                continue
            uses = uses_inside(planned, path)
            submodule = module.get_submodule(path)
            instance = import_instance(submodule, path, arguments, uses, library, custom)
            if instance is not None:
                found.append(instance)
        plan = plan_blocks(found, {definition.name for definition in library})
        for definition in plan.definitions:
            library.add(definition)
        planned |= plan.uses
        notes += plan.notes
    return Plan(uses={path: planned[path] for path in outermost(list(planned))}, notes=notes)


def uses_inside(planned: dict[str, BlockUse], outer: str) -> dict[str, BlockUse]:
    """The outermost planned instances inside `outer`, by their path inside it."""
    inner = outermost([path for path in planned if inside(path, outer)])
    cut = len(outer) + 1
    return {
        path[cut:]: replace(planned[path], copy=replace(planned[path].copy, path=path[cut:]))
        for path in inner
    }


def import_file(
    spec: str,
    shapes: list[tuple[int, ...]],
    name: str,
    flat: bool = False,
    weights: Path | None = None,
    custom_code: bool = True,
    sequence_first: bool = False,
) -> ImportResult:
    """Load FILE.py:NAME and import it (see import_module); with `weights`, a file of its state
    dict, read before the module is loaded and checked against it before it is traced, which
    becomes the project's start weights. Raises ImportProblem."""
    state = read_weights_file(weights) if weights is not None else None
    module = load_module(spec)
    if state is not None:
        check_weights_fit(module, state, weights)
    result = import_module(module, shapes, name, flat, custom_code, sequence_first)
    if state is not None:
        record_start_weights(result, weights, state)
    return result


def import_to_project(
    spec: str,
    input_shapes: list[str],
    output: Path,
    flat: bool = False,
    weights: Path | None = None,
    replace: bool = False,
    custom_code: bool = True,
    sequence_first: bool = False,
) -> tuple[Project, list[str]]:
    """`netdesigner import FILE.py:NAME --input-shape 3x224x224 -o PROJECT.json [--flat]
    [--weights FILE.pt|FILE.safetensors] [--force] [--sequence-first]`: load, import, record
    the weights file as the start weights, save; returns the project and lines to print. The
    output and the weights are checked before the module is loaded and traced. Raises
    ImportProblem (a ProjectError)."""
    shapes = [parse_shape(text) for text in input_shapes]
    path, name = split_spec(spec)
    check_output_file(output, replace)
    title = name.rpartition(".")[2]
    result = import_file(spec, shapes, title, flat, weights, custom_code, sequence_first)
    project = result.project
    project.description = f"Imported from {spec}"
    started = [start_line(project.training["start_weights"])] if weights is not None else []
    save_project(project, output)
    layers = sum(1 for node in project.graph.nodes() if node.spec.role == Role.LAYER)
    lines = [
        f"Imported {title} from {path}: {layers} layers, {result.params:,} parameters "
        "(the module's own count)",
        *started,
        *block_lines(project),
        *(f"note: {note}" for note in result.notes),
        f"Saved {output}",
    ]
    return project, lines


def start_line(recorded: dict) -> str:
    return (
        f"start weights: {recorded['path']} ({len(recorded['keys'])} tensors, "
        f"SHA-256 {recorded['check'][:16]}...)"
    )


def block_lines(project: Project) -> list[str]:
    """One line per block made from repeated submodules: its instances and exposed params."""
    lines = []
    for definition in project.graph.blocks:
        instances = [
            node
            for node in project.graph.nodes()
            if node.kind == BLOCK_KIND and node.spec.name == definition.name
        ]
        copies = sum(node.params[REPEAT_PARAM] for node in instances)
        exposed = ", ".join(param.name for param in definition.params) or "none"
        lines.append(
            f"block {definition.name}: {copies} submodules as {len(instances)} instance(s); "
            f"params: {exposed}"
        )
    return lines
