"""Incremental analysis of a graph: diagnostics, shapes, params and MACs for every node."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

import networkx as nx

from designer.compiler.attention_memory import attention_held
from designer.compiler.blocks import block_report
from designer.compiler.code_trust import generation, needs_consent
from designer.compiler.custom_probe import probe_custom
from designer.compiler.diagnostics import Diagnostic
from designer.compiler.probe import ProbeError, probe
from designer.compiler.structure import (
    cycle_diagnostics,
    graph_diagnostics,
    label,
    port_diagnostics,
)
from designer.model import Edge, GraphDocument, Node
from nodes import Fix, ParamError, Problem, Role, TensorInfo
from nodes.block import BLOCK_KIND, BLOCK_PARAM
from nodes.catalog.custom_code import CUSTOM_KIND
from nodes.custom_call import parse_target

Findings = Callable[[GraphDocument], Iterable[Diagnostic]]
COLLAPSE_HINTS = ("too small", "can't be greater", "non-positive", "size zero", "negative")


@dataclass(frozen=True)
class NodeReport:
    """What analysis knows of one node; `output` is None where it cannot be known. `held` is
    the memory per sample of the tensors the node makes, where that is more than its output
    (the layers inside a block instance). `withheld`: the node carries custom code that may
    not run yet (see code_trust), so its output is not known."""

    node_id: str
    inputs: tuple[TensorInfo, ...] = ()
    output: TensorInfo | None = None
    params: int = 0
    macs: int = 0
    diagnostics: tuple[Diagnostic, ...] = ()
    held: int | None = None
    withheld: bool = False

    @property
    def has_errors(self) -> bool:
        return any(diagnostic.is_error for diagnostic in self.diagnostics)


@dataclass(frozen=True)
class GraphReport:
    """Every node's report, every diagnostic, and the order in which forward runs the nodes:
    topological, and among the nodes ready at once, the one added first (keeps chains together).
    `returned` holds the Output nodes, which hand back a tensor rather than make one."""

    nodes: Mapping[str, NodeReport]
    diagnostics: tuple[Diagnostic, ...]
    order: tuple[str, ...]
    returned: frozenset[str] = frozenset()

    @property
    def errors(self) -> list[Diagnostic]:
        return [diagnostic for diagnostic in self.diagnostics if diagnostic.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def withheld(self) -> tuple[str, ...]:
        """The nodes whose custom code has not run for want of trust: the network's shapes
        from there on are unknown (no error, but nothing to build until it is trusted)."""
        return tuple(node_id for node_id, report in self.nodes.items() if report.withheld)

    @property
    def total_params(self) -> int:
        return sum(report.params for report in self.nodes.values())

    @property
    def total_macs(self) -> int:
        return sum(report.macs for report in self.nodes.values())

    def activation_bytes(self, batch_size: int) -> int:
        """Memory of every tensor forward makes at `batch_size`: what a training step keeps
        alive."""
        return sum(self.node_activation_bytes(node_id, batch_size) for node_id in self.nodes)

    def node_activation_bytes(self, node_id: str, batch_size: int) -> int:
        """Memory of the tensors the node `node_id` makes at `batch_size` (its output, or all
        a block instance's layers make); Output nodes make none (they return their input)."""
        report = self.nodes[node_id]
        if report.output is None or node_id in self.returned:
            return 0
        return report.output.nbytes(batch_size) if report.held is None else report.held * batch_size


class Analyzer:
    """Keeps a GraphReport up to date, re-inferring only what an edit can have changed.
    `findings` adds what is known of its nodes from outside the graph (the project's data
    against its Input node): asked at each new report, its diagnostics join their nodes'."""

    def __init__(self, doc: GraphDocument, findings: Findings | None = None) -> None:
        self.doc = doc
        self.findings = findings
        self._results: dict[str, NodeReport] = {}
        self._ports: dict[str, list[Diagnostic]] = {}
        self._dirty: set[str] = {node.id for node in doc.nodes()}
        self._ports_dirty: set[str] = set(self._dirty)
        self._structure_dirty = True
        self._order: tuple[str, ...] = ()
        self._cycles: list[Diagnostic] = []
        self._blocked: set[str] = set()
        self._report: GraphReport | None = None
        self._trusted = generation()
        events = doc.events
        events.node_added.connect(self._node_added)
        events.node_removed.connect(self._node_removed)
        events.edge_added.connect(self._edge_changed)
        events.edge_removed.connect(self._edge_changed)
        events.param_changed.connect(self._param_changed)
        events.node_renamed.connect(self._node_renamed)
        doc.blocks.events.block_changed.connect(self._block_changed)

    # -- events ----------------------------------------------------------------------------

    def _node_added(self, node: Node) -> None:
        self._touch({node.id}, structure=True)

    def _node_removed(self, node: Node) -> None:
        self._results.pop(node.id, None)
        self._ports.pop(node.id, None)
        self._dirty.discard(node.id)
        self._ports_dirty.discard(node.id)
        self._touch(set(), structure=True)

    def _edge_changed(self, edge: Edge) -> None:
        self._ports_dirty.add(edge.source)
        self._touch({edge.target}, structure=True)

    def _param_changed(self, node: Node, name: str) -> None:
        self._touch({node.id}, structure=False)

    def _node_renamed(self, node: Node) -> None:
        self._touch({node.id}, structure=True)

    def _block_changed(self, name: str) -> None:
        """A definition changed: its instances, and those of blocks that hold it, are stale."""
        library = self.doc.blocks
        stale = {
            node.id
            for node in self.doc.nodes()
            if node.kind == BLOCK_KIND
            and (node.params[BLOCK_PARAM] == name or name in library.uses(node.params[BLOCK_PARAM]))
        }
        if stale:
            self._touch(stale, structure=True)

    def findings_changed(self) -> None:
        """What `findings` would say may have changed: the next report asks again."""
        self._report = None

    def _touch(self, node_ids: set[str], structure: bool) -> None:
        self._dirty |= node_ids
        self._report = None
        if structure:
            self._ports_dirty |= node_ids
            self._structure_dirty = True

    # -- analysis --------------------------------------------------------------------------

    def report(self) -> GraphReport:
        """The up-to-date report; cheap when nothing changed since the last call (nor what
        custom code is trusted: the nodes that may run code are analysed anew when it is)."""
        if self._trusted != generation():
            self._trusted = generation()
            runs = {node.id for node in self.doc.nodes() if node.kind in (CUSTOM_KIND, BLOCK_KIND)}
            self._touch(runs & set(self._results), structure=False)
        if self._report is None:
            self._refresh_structure()
            self._infer()
            self._report = self._assemble()
        return self._report

    def _refresh_structure(self) -> None:
        for node_id in self._ports_dirty:
            self._ports[node_id] = port_diagnostics(self.doc, self.doc.node(node_id))
        self._ports_dirty = set()
        if not self._structure_dirty:
            return
        graph = self.doc.graph
        self._cycles, blocked = cycle_diagnostics(self.doc)
        if blocked:
            graph = graph.subgraph(set(graph) - blocked)
            for node_id in blocked:
                self._results[node_id] = NodeReport(node_id)
        self._dirty = (self._dirty | (self._blocked - blocked)) - blocked
        self._blocked = blocked
        rank = {node.id: node.order for node in self.doc.nodes()}
        self._order = tuple(nx.lexicographical_topological_sort(graph, key=rank.__getitem__))
        self._dirty |= set(self._order) - set(self._results)
        self._structure_dirty = False

    def _infer(self) -> None:
        """Walk nodes in order; a node whose output changed makes its successors dirty."""
        pending = self._dirty
        if not pending:
            return
        successors = self.doc.graph.successors
        for node_id in self._order:
            if node_id not in pending:
                continue
            old = self._results.get(node_id)
            new = self._analyze(self.doc.node(node_id))
            self._results[node_id] = new
            if old is None or old.output != new.output:
                pending.update(successors(node_id))
        self._dirty = set()

    def _assemble(self) -> GraphReport:
        findings = tuple(graph_diagnostics(self.doc))
        per_node: dict[str, list[Diagnostic]] = {}
        for diagnostic in self._cycles:
            per_node.setdefault(diagnostic.node_id, []).append(diagnostic)
        for node_id, diagnostics in self._ports.items():
            if diagnostics:
                per_node.setdefault(node_id, []).extend(diagnostics)
        for diagnostic in self.findings(self.doc) if self.findings is not None else ():
            if diagnostic.node_id in self.doc:
                per_node.setdefault(diagnostic.node_id, []).append(diagnostic)
        nodes = dict(self._results)
        for node_id, extra in per_node.items():
            report = nodes[node_id]
            nodes[node_id] = replace(report, diagnostics=(*extra, *report.diagnostics))
        everything = [*findings]
        for node in self.doc.nodes():
            everything.extend(nodes[node.id].diagnostics)
        returned = frozenset(n.id for n in self.doc.nodes() if n.spec.role == Role.OUTPUT)
        return GraphReport(nodes, tuple(everything), self._order, returned)

    def _analyze(self, node: Node) -> NodeReport:
        spec, name = node.spec, label(node)
        params, bad = {}, []
        for param in spec.params:
            try:
                params[param.name] = param.coerce(node.params.get(param.name, param.default))
            except ParamError as error:
                bad.append(Diagnostic(f"{name}: param {param.name!r}: {error}", node.id))
        if bad:
            return NodeReport(node.id, diagnostics=tuple(bad))
        if spec.role == Role.INPUT:
            return NodeReport(node.id, output=TensorInfo(params["shape"], params["dtype"]))
        edges = self.doc.in_edges(node.id)
        if self._ports.get(node.id) and any(d.is_error for d in self._ports[node.id]):
            return NodeReport(node.id)
        upstream = [self._results.get(edge.source) for edge in edges]
        if any(report is None or report.output is None for report in upstream):
            return NodeReport(node.id)
        inputs = tuple(report.output for report in upstream)
        if spec.role == Role.BLOCK:
            return block_report(node, params, inputs)
        problems = dtype_problems(spec.dtypes, inputs) or spec.check(params, inputs)
        diagnostics = tuple(as_diagnostic(problem, node, edges) for problem in problems)
        if any(diagnostic.is_error for diagnostic in diagnostics):
            return NodeReport(node.id, inputs, diagnostics=diagnostics)
        if spec.role == Role.OUTPUT:
            return NodeReport(node.id, inputs, inputs[0], diagnostics=diagnostics)
        if spec.kind == CUSTOM_KIND and needs_consent(params):
            withheld = withheld_diagnostic(node, params)
            return NodeReport(node.id, inputs, diagnostics=(*diagnostics, withheld), withheld=True)
        try:
            if spec.kind == CUSTOM_KIND:
                result = probe_custom(spec, params, inputs)
            else:
                result = probe(spec, params, inputs)
        except ProbeError as error:
            return NodeReport(
                node.id, inputs, diagnostics=(*diagnostics, probe_failure(node, inputs, str(error)))
            )
        if 0 in result.output.shape:
            collapse = probe_failure(node, inputs, f"its output would be {result.output}")
            return NodeReport(node.id, inputs, diagnostics=(*diagnostics, collapse))
        warnings = tuple(
            Diagnostic(f"{name}: torch warns: {text}", node.id, "warning")
            for text in result.warnings
        )
        return NodeReport(
            node.id,
            inputs,
            result.output,
            result.params,
            result.macs,
            diagnostics + warnings,
            held=attention_held(spec.kind, params, result.output),
        )


def dtype_problems(accepted: tuple[str, ...], inputs: tuple[TensorInfo, ...]) -> list[Problem]:
    for info in inputs:
        if info.dtype in accepted:
            continue
        if info.dtype == "long":
            return [
                Problem(
                    f"{{layer}} works on real values but gets token ids ({info}); "
                    "put an Embedding first"
                )
            ]
        return [Problem(f"{{layer}} needs token ids (an Input with dtype long) but gets {info}")]
    return []


def as_diagnostic(problem: Problem, node: Node, edges: list[Edge]) -> Diagnostic:
    """A spec's problem as a diagnostic naming the node; its fix learns which node and wires."""
    name = label(node)
    fix = problem.fix
    if fix is not None:
        args = {**fix.args, "node": node.id, "edges": [edge.id for edge in edges]}
        fix = Fix(fix.label.replace("{layer}", name), fix.action, args)
    return Diagnostic(problem.message.replace("{layer}", name), node.id, problem.severity, fix)


def withheld_diagnostic(node: Node, params: Mapping) -> Diagnostic:
    """A custom-code node not run for want of trust: its shape is unknown, and how to know it."""
    target = parse_target(params["target"])
    runs = f"code of its own ({target})" if target.module is None else f"{target}"
    return Diagnostic(
        f"{label(node)} runs {runs}, which is not trusted yet: its output shape is unknown "
        "until you trust the project's code (File > Trust Project Code in the app, --trust "
        "on the command line)",
        node.id,
        "warning",
    )


def probe_failure(node: Node, inputs: tuple[TensorInfo, ...], reason: str) -> Diagnostic:
    """torch refused the layer: say so plainly, and say 'too small' when that is the cause."""
    listed = " and ".join(str(info) for info in inputs)
    if any(hint in reason.lower() for hint in COLLAPSE_HINTS):
        message = (
            f"{label(node)} gets {listed}, which is too small for it: its output would have "
            "size zero. Use a smaller kernel or stride, add padding, or give it a larger input"
        )
    else:
        message = f"{label(node)} cannot run on {listed}: {reason}"
    return Diagnostic(message, node.id)
