"""Classes and functions as code a custom-code node carries: a library's by its import path, a
user's own as its source, as written, with the imports, constants and other definitions of
theirs it uses, so that it runs where the generated module holds it."""

from __future__ import annotations

import ast
import builtins
import importlib.metadata
import inspect
import linecache
import math
import operator
import symtable
import sys
import textwrap
from functools import cache
from types import FunctionType, ModuleType
from typing import Any

from designer.compiler.carried import import_lines
from designer.compiler.code_text import literal
from designer.importer.errors import Unsupported
from nodes.custom_call import plain_constant

# Where torch's public functions and classes live, looked at before the module that defines
# them (F.gelu is defined in torch._C._nn).
PUBLIC = ("torch.nn.functional", "torch", "torch.nn", "torch.special", "torch.linalg", "torch.fft")
STANDARD = {"operator": operator, "math": math}
BUILTINS = frozenset(vars(builtins))


@cache
def distributions() -> frozenset[str]:
    """The top-level packages installed with a distribution (torch, torchvision, ...)."""
    return frozenset(importlib.metadata.packages_distributions())


def installed(module: str) -> bool:
    """A module of the standard library or of an installed package: not a user's own file."""
    top = module.split(".")[0]
    return top in sys.stdlib_module_names or top in distributions()


def attribute(found: Any, qualname: str) -> Any:
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found


def import_path(obj: Any) -> tuple[str, str] | None:
    """(module, qualified name) that imports `obj` from an installed package or the standard
    library, by the shortest path among the modules already imported; None for a user's own
    class or function, or a builtin."""
    name = getattr(obj, "__name__", None)
    if isinstance(name, str):
        for module, found in [*STANDARD.items(), *((m, sys.modules.get(m)) for m in PUBLIC)]:
            if found is not None and getattr(found, name, None) is obj:
                return module, name
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", name)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<" in qualname:
        return None
    if module == "builtins" or not installed(module):
        return None
    parts = module.split(".")
    for cut in range(1, len(parts) + 1):
        package = ".".join(parts[:cut])
        if attribute(sys.modules.get(package), qualname) is obj:
            return package, qualname
    return None


def what(obj: Any) -> str:
    return f"the class {obj.__name__}" if inspect.isclass(obj) else f"the function {obj.__name__}"


def carried_code(obj: Any) -> str:
    """The source that defines `obj` (a user's own class or function) and what it uses, as
    top-level statements: imports, constants, the definitions it needs, then its own.
    Unsupported when a part cannot be carried, saying which and why."""
    carrier = Carrier()
    carrier.visit(obj)
    parts = ["\n".join(import_lines(carrier.imports)), *carrier.constants, *carrier.definitions]
    return "\n\n\n".join(part for part in parts if part) + "\n"


class Carrier:
    """Collects the statements that a definition needs, each once, dependencies first."""

    def __init__(self) -> None:
        self.imports: dict[str, None] = {}
        self.constants: list[str] = []
        self.definitions: list[str] = []
        self.seen: set[int] = set()

    def visit(self, obj: Any) -> None:
        if id(obj) in self.seen:
            return
        self.seen.add(id(obj))
        text, namespace = definition(obj)
        for name in used_globals(text):
            if name == obj.__name__:
                continue
            if name not in namespace:
                if name in BUILTINS:
                    continue
                raise Unsupported(f"{what(obj)} uses {name}, which its file does not define")
            self.carry(name, namespace[name], obj)
        self.definitions.append(text)

    def carry(self, name: str, value: Any, user: Any) -> None:
        if isinstance(value, ModuleType):
            self.imports[module_import(name, value, user)] = None
        elif (path := import_path(value)) is not None:
            module, qualname = path
            if "." in qualname:
                raise Unsupported(f"{what(user)} uses {name}, which is {module}.{qualname}")
            alias = "" if qualname == name else f" as {name}"
            self.imports[f"from {module} import {qualname}{alias}"] = None
        elif inspect.isclass(value) or isinstance(value, FunctionType):
            self.visit(value)
        elif plain_constant(value):
            self.constants.append(f"{name} = {literal(value)}")
        else:
            kind = type(value).__name__
            raise Unsupported(
                f"{what(user)} uses {name}, a {kind} its file makes, which cannot be written "
                "as code (only modules, classes, functions and constants can)"
            )


def module_import(name: str, module: ModuleType, user: Any) -> str:
    full = module.__name__
    if not installed(full):
        raise Unsupported(
            f"{what(user)} uses the module {full}, which is a file of your own, not an installed "
            "package; move what it needs into the same file"
        )
    if full == name:
        return f"import {name}"
    parent, _, last = full.rpartition(".")
    return f"from {parent} import {name}" if parent and last == name else f"import {full} as {name}"


def own_function(obj: Any) -> FunctionType | None:
    """The function, or a method of the class's own (a plain, static or class method, or a
    property's getter): its code says where the source is and its globals what names mean."""
    if isinstance(obj, FunctionType):
        return obj
    for value in vars(obj).values():
        function = getattr(value, "__func__", None) or getattr(value, "fget", None) or value
        if isinstance(function, FunctionType):
            return function
    return None


def definition(obj: Any) -> tuple[str, dict[str, Any]]:
    """The top-level statement that defines `obj`, as written (decorators included), and the
    globals of the file it is in."""
    if "." in obj.__qualname__:
        raise Unsupported(
            f"{what(obj)} is defined inside {obj.__qualname__.rpartition('.')[0]}; only classes "
            "and functions at the top of a file can be carried"
        )
    function = own_function(obj)
    if function is None:
        raise Unsupported(f"{what(obj)} has no method of its own to find its source by")
    code = function.__code__
    lines = linecache.getlines(code.co_filename)
    tree = parsed("".join(lines))
    kinds = ast.ClassDef if inspect.isclass(obj) else ast.FunctionDef | ast.AsyncFunctionDef
    for node in tree.body if tree is not None else []:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if (
            isinstance(node, kinds)
            and node.name == obj.__name__
            and first <= code.co_firstlineno <= node.end_lineno
        ):
            text = textwrap.dedent("".join(lines[first - 1 : node.end_lineno])).rstrip()
            return text, function.__globals__
    raise Unsupported(f"{what(obj)}: its source is not in {code.co_filename}")


@cache
def parsed(text: str) -> ast.Module | None:
    if not text:
        return None
    try:
        return ast.parse(text)
    except SyntaxError:
        return None


def used_globals(text: str) -> list[str]:
    """The global names a definition reads, in the order they first appear."""
    table = symtable.symtable(text, "<carried>", "exec")
    found: dict[str, None] = {}

    def walk(scope: symtable.SymbolTable) -> None:
        for symbol in scope.get_symbols():
            if symbol.is_referenced() and symbol.is_global():
                found.setdefault(symbol.get_name())
        for child in scope.get_children():
            walk(child)

    for child in table.get_children():
        walk(child)
    for symbol in table.get_symbols():  # decorators and bases are read at the top
        if symbol.is_referenced():
            found.setdefault(symbol.get_name())
    return [name for name in found if name not in ("__class__",)]
