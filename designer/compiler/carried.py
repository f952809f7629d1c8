"""The top-level code that layers need in the generated module: the catalog's helper classes,
the classes and functions custom-code nodes carry, as written, and the imports of what they
call; each once, in order."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from designer.compiler.diagnostics import Diagnostic
from designer.compiler.structure import label
from designer.model import GraphDocument, Node
from nodes import ParamError
from nodes.catalog.custom_code import CUSTOM_KIND
from nodes.custom_call import CallError, bound_names


@dataclass
class Carried:
    """Import lines and other statements (definitions), each once, in the order first needed;
    the names the definitions bind, and conflicts: one name defined two ways."""

    imports: list[str] = field(default_factory=list)
    definitions: list[str] = field(default_factory=list)
    names: dict[str, tuple[str, Node]] = field(default_factory=dict)  # name -> text, owner
    conflicts: list[Diagnostic] = field(default_factory=list)

    def add(self, node: Node) -> None:
        for text in node.spec.top_statements(node.params):
            statement = ast.parse(text).body[0]
            if isinstance(statement, ast.Import | ast.ImportFrom):
                if text not in self.imports:
                    self.imports.append(text)
                continue
            if text in self.definitions:
                continue
            for name in bound_names(statement):
                if name in self.names and self.names[name][0] != text:
                    other = self.names[name][1]
                    self.conflicts.append(
                        Diagnostic(
                            f"{label(node)} defines {name} otherwise than {label(other)} does; "
                            "the generated module can hold only one of them: rename one",
                            node.id,
                        )
                    )
                self.names.setdefault(name, (text, node))
            self.definitions.append(text)


def custom_nodes(doc: GraphDocument) -> list[Node]:
    return [node for node in doc.nodes() if node.kind == CUSTOM_KIND]


def carried_code(docs: Iterable[GraphDocument]) -> Carried:
    """What the nodes of the graphs need at the top (helper classes, custom code), nodes in
    document order."""
    carried = Carried()
    for doc in docs:
        for node in doc.nodes():
            carried.add(node)
    return carried


def global_names(doc: GraphDocument) -> frozenset[str]:
    """The top-level names that the graph's own custom-code nodes use in forward: a variable
    of forward must not hide them."""
    names: set[str] = set()
    for node in custom_nodes(doc):
        try:
            statements = node.spec.top_statements(node.spec.coerce_params(node.params))
        except (ParamError, CallError):
            continue  # the node's check reports it; the graph is not built
        for text in statements:
            for statement in ast.parse(text).body:
                names.update(bound_names(statement))
    return frozenset(names)


def import_lines(imports: Iterable[str]) -> list[str]:
    """Import statements laid out as ruff's isort rule lays them out: the standard library's,
    then the others, a blank line between; in each, `import` before `from`, by module."""
    sections: dict[bool, list[tuple[bool, str, str]]] = {True: [], False: []}
    for text in dict.fromkeys(imports):
        statement = ast.parse(text).body[0]
        module = (
            statement.module or ""
            if isinstance(statement, ast.ImportFrom)
            else statement.names[0].name
        )
        standard = module.split(".")[0] in sys.stdlib_module_names
        sections[standard].append((isinstance(statement, ast.ImportFrom), module.lower(), text))
    lines: list[str] = []
    for standard in (True, False):
        if sections[standard]:
            lines += [""] if lines else []
            lines += [text for *_, text in sorted(sections[standard])]
    return lines
