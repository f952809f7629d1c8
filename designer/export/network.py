"""A network ready to export: its graph, the analysis, the generated source and the module."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from torch import nn

from designer.compiler import Analyzer, CompileError, GeneratedCode, GraphReport, compile_graph
from designer.compiler.naming import Namespace
from designer.compiler.structure import label
from designer.export.errors import ExportError
from designer.model import GraphDocument
from nodes import Role


@dataclass(frozen=True, eq=False)
class Network:
    """The module built from `code`, which the generator made from `doc` with `report`."""

    doc: GraphDocument
    report: GraphReport
    code: GeneratedCode
    module: nn.Module

    @cached_property
    def arguments(self) -> dict[str, str]:
        """Input node id -> forward's argument name, in forward's order."""
        inputs = [n for n in self.report.order if self.doc.node(n).spec.role == Role.INPUT]
        names = list(inspect.signature(self.module.forward).parameters)
        return dict(zip(inputs, names, strict=True))

    @cached_property
    def output_names(self) -> list[str]:
        """A name for each of forward's results (from the Output nodes), distinct from the
        arguments' names, as a file format that names its tensors needs."""
        namespace = Namespace()
        for name in self.arguments.values():
            namespace.name(("argument", name), name, "input")
        return [
            namespace.name(node_id, self.doc.node(node_id).name, "output")
            for node_id in self.report.order
            if self.doc.node(node_id).spec.role == Role.OUTPUT
        ]

    def label(self, node_id: str) -> str:
        """How messages name a node: its kind and the user's name, e.g. Dense 'hidden1'."""
        return label(self.doc.node(node_id))


def build_network(doc: GraphDocument, name: str = "Network") -> Network:
    """Analyze, generate and build; a graph with errors raises ExportError listing them."""
    report = Analyzer(doc).report()
    try:
        module, code = compile_graph(doc, name, report)
    except CompileError as error:
        raise ExportError(f"cannot export: {error}", "graph") from None
    return Network(doc, report, code, module)


@contextmanager
def evaluating(module: nn.Module) -> Iterator[nn.Module]:
    """The module in eval mode (dropout off, running statistics used), its mode restored after."""
    modes = {child: child.training for child in module.modules()}
    module.eval()
    try:
        yield module
    finally:
        for child, training in modes.items():
            child.training = training
