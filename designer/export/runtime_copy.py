"""The runtime's own source, copied for a script: the definitions a script uses, every one
they use in turn, and the imports they need, read from the runtime's files."""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx

import designer.runtime

PACKAGE = "designer.runtime"
# The order of the runtime's modules in a script, where their imports leave a choice: data
# first, then loss and scores, then the loop and the script's own part.
MODULE_ORDER = (
    "errors",
    "files",
    "dataset",
    "builtin_sets",
    "generated_sets",
    "csv_tables",
    "arrays",
    "image_folders",
    "split",
    "prepare",
    "batches",
    "losses",
    "scores",
    "evaluation",
    "tally",
    "schedules",
    "settings",
    "stepping",
    "monitor",
    "devices",
    "checkpoints",
    "standalone",
)


@dataclass(frozen=True)
class Definition:
    """One top-level statement of a runtime module: a function, a class or a constant, with
    the comment lines above it; `uses` holds the module-level names it refers to."""

    module: str
    name: str
    position: int
    source: str
    uses: frozenset[str]


@dataclass(frozen=True)
class RuntimeModule:
    """A runtime module's definitions by name, the import line behind each imported name,
    the runtime definitions it imports, and its docstring."""

    name: str
    docstring: str
    definitions: dict[str, Definition]
    imports: dict[str, str]
    runtime_imports: frozenset[str]


@dataclass(frozen=True)
class CopiedRuntime:
    """The copied definitions grouped by module in a valid order, and their import lines."""

    modules: tuple[tuple[RuntimeModule, tuple[Definition, ...]], ...]
    imports: frozenset[str]


def copy_runtime(roots: set[str]) -> CopiedRuntime:
    """The runtime definitions named in `roots` and all they use, nothing else."""
    modules = runtime_modules()
    owner = {name: module for module in modules.values() for name in module.definitions}
    unknown = roots - owner.keys()
    if unknown:
        raise ValueError(f"the runtime defines no {', '.join(sorted(unknown))}")
    wanted, waiting = set(), list(roots)
    while waiting:
        name = waiting.pop()
        if name in wanted:
            continue
        wanted.add(name)
        module = owner[name]
        used = module.definitions[name].uses
        waiting += [other for other in used if other in module.definitions]
        waiting += [other for other in used if other in module.runtime_imports]
    imports = frozenset(
        module.imports[other]
        for name in wanted
        for module in [owner[name]]
        for other in module.definitions[name].uses
        if other in module.imports
    )
    grouped = []
    for module_name in module_order(modules):
        module = modules[module_name]
        chosen = [d for d in module.definitions.values() if d.name in wanted]
        if chosen:
            grouped.append((module, tuple(sorted(chosen, key=lambda d: d.position))))
    return CopiedRuntime(tuple(grouped), imports | {"from __future__ import annotations"})


def module_order(modules: dict[str, RuntimeModule]) -> list[str]:
    """Modules after those they import from (a class may use another's as it is made)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    owner = {name: module.name for module in modules.values() for name in module.definitions}
    for module in modules.values():
        graph.add_edges_from((owner[name], module.name) for name in module.runtime_imports)
    rank = {name: index for index, name in enumerate(MODULE_ORDER)}
    return list(
        nx.lexicographical_topological_sort(
            graph, key=lambda name: (rank.get(name, len(rank)), name)
        )
    )


@cache
def runtime_modules() -> dict[str, RuntimeModule]:
    folder = Path(inspect.getfile(designer.runtime)).parent
    modules = {}
    for path in sorted(folder.glob("*.py")):
        if path.stem != "__init__":
            modules[path.stem] = read_module(path.stem, path.read_text(encoding="utf-8"))
    names = [name for module in modules.values() for name in module.definitions]
    clashes = {name for name in names if names.count(name) > 1}
    if clashes:
        raise ValueError(f"runtime modules define {', '.join(sorted(clashes))} twice")
    return modules


def read_module(name: str, text: str) -> RuntimeModule:
    tree = ast.parse(text)
    lines = text.splitlines()
    definitions: dict[str, Definition] = {}
    imports: dict[str, str] = {}
    runtime_imports: set[str] = set()
    for position, statement in enumerate(tree.body):
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                line = f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
                imports[alias.asname or alias.name.split(".")[0]] = line
        elif isinstance(statement, ast.ImportFrom):
            if statement.module == "__future__":
                continue
            for alias in statement.names:
                bound = alias.asname or alias.name
                if statement.module.startswith(PACKAGE + "."):
                    runtime_imports.add(bound)
                else:
                    suffix = f" as {alias.asname}" if alias.asname else ""
                    imports[bound] = f"from {statement.module} import {alias.name}{suffix}"
        elif isinstance(statement, ast.FunctionDef | ast.ClassDef | ast.Assign):
            for bound in bound_names(statement):
                source = statement_source(statement, lines)
                definitions[bound] = Definition(
                    name, bound, position, source, frozenset(used_names(statement))
                )
        elif not (position == 0 and isinstance(statement, ast.Expr)):  # not the docstring
            raise ValueError(
                f"designer/runtime/{name}.py line {statement.lineno}: the exporter copies "
                "imports, functions, classes and plain assignments only"
            )
    return RuntimeModule(
        name, ast.get_docstring(tree) or "", definitions, imports, frozenset(runtime_imports)
    )


def bound_names(statement: ast.stmt) -> list[str]:
    if isinstance(statement, ast.Assign):
        return [target.id for target in statement.targets if isinstance(target, ast.Name)]
    return [statement.name]


def statement_source(statement: ast.stmt, lines: list[str]) -> str:
    """The statement's lines with its decorators and the comment lines just above it."""
    first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
    start = first - 1
    while start > 0 and lines[start - 1].startswith("#"):
        start -= 1
    return "\n".join(lines[start : statement.end_lineno])


def used_names(statement: ast.stmt) -> set[str]:
    """Every name the statement reads, annotations included (a script must define them)."""
    own = set(bound_names(statement))
    return {
        node.id for node in ast.walk(statement) if isinstance(node, ast.Name) and node.id not in own
    }
