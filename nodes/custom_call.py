"""The call a custom-code node makes, read from its params without running anything: what it
calls (carried code, or an import path), its arguments in a small language of constants,
inputs and sizes, and the code that makes the call."""

from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

WEIGHT = "weight"  # the name the arguments give the node's learned tensor
LEARNED_TENSOR = "LearnedTensor"  # the class that holds it, written into the generated code
INPUT = re.compile(r"x(0|[1-9][0-9]*)", re.ASCII)
TENSOR_FIELDS = ("shape", "dtype", "device", "ndim")
TENSOR_METHODS = ("size", "dim")
FLOAT_DTYPES = ("float16", "float32", "float64", "bfloat16", "half", "float", "double")
INTEGER_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "long", "int", "short", "bool")
DTYPES = frozenset(FLOAT_DTYPES + INTEGER_DTYPES)
BINARY = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
}
PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2, "//": 2, "%": 2, "@": 2, "unary": 3, "**": 4}
OPERATORS = {  # operator functions written as Python writes them
    "add": "+",
    "sub": "-",
    "mul": "*",
    "truediv": "/",
    "floordiv": "//",
    "mod": "%",
    "pow": "**",
    "matmul": "@",
}
COMPARISONS = {"lt": "<", "le": "<=", "eq": "==", "ne": "!=", "ge": ">=", "gt": ">"}
SHORT_MODULES = {"torch": "torch", "torch.nn": "nn", "torch.nn.functional": "F"}
HEADER_IMPORTS = ("import torch", "from torch import nn")  # the generated module's own
LONG_MODULES = {short: module for module, short in SHORT_MODULES.items()}  # nn -> torch.nn


class CallError(ValueError):
    """A custom-code param that does not describe a call; the message says what is wrong."""


@dataclass(frozen=True)
class Target:
    """What the node calls: `module` and `name` of an import path (torch:cumsum,
    torch:Tensor.expand, torch.nn:Softplus), or a name the carried code defines (module None)."""

    module: str | None
    name: str

    @property
    def is_method(self) -> bool:
        """A tensor method, called on the first argument: torch:Tensor.expand."""
        return self.module == "torch" and self.name.startswith("Tensor.")

    def __str__(self) -> str:
        return self.name if self.module is None else f"{self.module}.{self.name}"


@dataclass(frozen=True)
class Reference:
    """A library's class or function given to a constructor by its import path, as in
    act_layer=torch.nn.SiLU: `module` and `name` (the last part)."""

    module: str
    name: str

    def __str__(self) -> str:
        """As the node's params write it: its whole import path."""
        return f"{self.module}.{self.name}"

    def code(self) -> str:
        """How the generated code names it."""
        return reference(Target(self.module, self.name))


def as_reference(node: ast.expr) -> Reference | None:
    """A dotted name of two or more parts, none private, as a Reference (nn.SiLU as
    torch.nn.SiLU, as the generated code names it); else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts = [node.id, *reversed(parts)]
    if len(parts) < 2 or any(part.startswith("_") for part in parts):
        return None
    module = ".".join(parts[:-1])
    return Reference(LONG_MODULES.get(module, module), parts[-1])


def dotted(text: str) -> bool:
    parts = text.split(".")
    return all(p.isidentifier() and p.isascii() and not keyword.iskeyword(p) for p in parts)


@lru_cache(maxsize=4096)
def parse_target(text: str) -> Target:
    """'torch:cumsum' -> Target('torch', 'cumsum'); 'Gate' -> Target(None, 'Gate')."""
    module, colon, name = text.partition(":")
    if not colon:
        if not dotted(text) or "." in text:
            raise CallError(
                f"target {text!r} is neither a name its code defines nor an import path such "
                "as torch:cumsum"
            )
        return Target(None, text)
    if not (dotted(module) and dotted(name)):
        raise CallError(f"target {text!r} is not an import path such as torch:cumsum")
    if module.split(".")[0] == "builtins":
        raise CallError(f"target {text!r} is a builtin; custom code calls functions and classes")
    return Target(module, name)


# -- the argument language ---------------------------------------------------------------


@dataclass(frozen=True)
class Names:
    """The names an argument may use: inputs x0.. below `inputs`, and the learned `weight`."""

    inputs: int
    weight: bool

    def tensor(self, node: ast.expr) -> bool:
        if not isinstance(node, ast.Name):
            return False
        found = INPUT.fullmatch(node.id)
        return (found is not None and int(found.group(1)) < self.inputs) or (
            self.weight and node.id == WEIGHT
        )


def check_value(node: ast.expr, names: Names, where: str) -> None:
    """Refuse anything but constants, tensors, their sizes, slices and arithmetic on them."""
    match node:
        case ast.Constant(value=value):
            if isinstance(value, bytes) or (isinstance(value, float) and not math.isfinite(value)):
                raise CallError(f"{where}: {ast.unparse(node)} is not a constant it can hold")
            if isinstance(value, complex):
                raise CallError(f"{where}: complex numbers are not supported")
        case ast.Tuple(elts=items) | ast.List(elts=items):
            for item in items:
                check_value(item, names, where)
        case ast.UnaryOp(op=ast.USub() | ast.UAdd(), operand=operand):
            check_value(operand, names, where)
        case ast.BinOp(left=left, op=op, right=right) if type(op) in BINARY:
            check_value(left, names, where)
            check_value(right, names, where)
        case ast.Name():
            if not names.tensor(node):
                raise CallError(f"{where}: {node.id!r} is not an input (x0, x1, ...)")
        case ast.Attribute(value=ast.Name(id="torch"), attr=attr):
            if attr not in DTYPES:
                raise CallError(f"{where}: torch.{attr} is not a dtype")
        case ast.Attribute(value=value, attr=attr):
            if not names.tensor(value) or attr not in TENSOR_FIELDS:
                raise CallError(f"{where}: {ast.unparse(node)} is not a size of an input")
        case ast.Subscript(value=value, slice=index):
            check_value(value, names, where)
            check_index(index, names, where)
        case ast.Call(func=ast.Name(id="slice"), args=args, keywords=[]) if len(args) <= 3:
            for item in args:
                check_value(item, names, where)
        case ast.Call(func=ast.Attribute(value=value, attr=attr), args=args, keywords=[]):
            if not names.tensor(value) or attr not in TENSOR_METHODS:
                raise CallError(f"{where}: {ast.unparse(node)} is not a size of an input")
            for item in args:
                check_value(item, names, where)
        case _:
            raise CallError(f"{where}: {ast.unparse(node)} is not a constant, an input or a size")


def check_index(node: ast.expr, names: Names, where: str) -> None:
    if isinstance(node, ast.Slice):
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                check_value(part, names, where)
    elif isinstance(node, ast.Tuple):
        for item in node.elts:
            check_index(item, names, where)
    else:
        check_value(node, names, where)


@lru_cache(maxsize=4096)
def parse_arguments(text: str, inputs: int, weight: bool) -> ast.Call:
    """The arguments as the call f(...) they would make; CallError for anything else."""
    try:
        tree = ast.parse(f"f({text})", mode="eval")
    except SyntaxError:
        raise CallError(f"arguments {text!r} are not a list of Python arguments") from None
    call = tree.body
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "f"):
        raise CallError(f"arguments {text!r} are not a list of Python arguments")
    names = Names(inputs, weight)
    for argument in call.args:
        if isinstance(argument, ast.Starred):
            raise CallError("arguments cannot be unpacked with *")
        check_value(argument, names, "arguments")
    for word in call.keywords:
        if word.arg is None:
            raise CallError("arguments cannot be unpacked with **")
        check_value(word.value, names, f"argument {word.arg}")
    return call


@lru_cache(maxsize=4096)
def parse_init(text: str) -> tuple[tuple[str, Any], ...]:
    """A constructor's keyword arguments, 'beta=2.0, mode="row"', as (name, value) pairs of
    constants (numbers, text, True/False/None and flat tuples or lists of them) and
    references to a library's classes and functions (act_layer=torch.nn.SiLU)."""
    try:
        call = ast.parse(f"f({text})", mode="eval").body
    except SyntaxError:
        raise CallError(f"constructor arguments {text!r} are not name=value pairs") from None
    if not isinstance(call, ast.Call) or call.args or any(w.arg is None for w in call.keywords):
        raise CallError(f"constructor arguments {text!r} are not name=value pairs")
    values = []
    for word in call.keywords:
        try:
            value = ast.literal_eval(word.value)
        except ValueError:
            value = as_reference(word.value)
            if value is None:
                raise CallError(
                    f"constructor argument {word.arg} is neither a constant nor a library's "
                    "class or function by its import path (torch.nn.SiLU)"
                ) from None
        if not plain_constant(value):
            raise CallError(f"constructor argument {word.arg}={value!r} is not a plain constant")
        values.append((word.arg, value))
    return tuple(values)


def plain_constant(value: Any, nested: bool = False) -> bool:
    if isinstance(value, Reference):
        return not nested
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, bool | int | str) or value is None:
        return True
    if isinstance(value, tuple | list) and not nested:
        return all(plain_constant(item, True) for item in value)
    return False


# -- carried code ------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One top-level statement of carried code, as written, and the names it binds."""

    text: str
    names: tuple[str, ...]


@lru_cache(maxsize=1024)
def carried_statements(code: str) -> tuple[Statement, ...]:
    """The carried code's top-level statements (decorators with their definition)."""
    try:
        tree = ast.parse(code)
    except SyntaxError as error:
        raise CallError(
            f"its code has a syntax error on line {error.lineno}: {error.msg}"
        ) from None
    lines = code.splitlines()
    statements = []
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        text = "\n".join(lines[first - 1 : node.end_lineno])
        statements.append(Statement(text, bound_names(node)))
    return tuple(statements)


def bound_names(node: ast.stmt) -> tuple[str, ...]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return (node.name,)
    if isinstance(node, ast.Import | ast.ImportFrom):
        return tuple((alias.asname or alias.name).split(".")[0] for alias in node.names)
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return tuple(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return ()


# -- the node's params as a whole ----------------------------------------------------------


def problems(params: Mapping[str, Any], wired: int) -> list[str]:
    """What is wrong with a custom-code node's params, read without running anything."""
    found = []
    try:
        target = parse_target(params["target"])
        if params["inputs"] != wired:
            found.append(f"takes {params['inputs']} input(s) but has {wired} wired")
        weight = bool(params["weight_shape"])
        parse_arguments(params["arguments"], params["inputs"], weight)
        if params["call"] == "module":
            parse_init(params["init"])
            if weight:
                found.append(
                    "calls a module, which holds its own weights: weight_shape is for functions"
                )
        elif params["init"].strip():
            found.append("has constructor arguments but calls a function")
        code = params["code"]
        if target.module is None:
            defined = {name for s in carried_statements(code) for name in s.names}
            if target.name not in defined:
                found.append(f"calls {target.name}, which its code does not define")
        elif code.strip():
            found.append(f"carries code but calls {target}, an import path")
    except CallError as error:
        found.append(str(error))
    return found


def module_expression(params: Mapping[str, Any]) -> str | None:
    """The class the node's module is made of, as code: the module it calls, or the holder
    of its learned tensor; None for a plain function call."""
    if params["call"] == "module":
        return reference(parse_target(params["target"]))
    return LEARNED_TENSOR if params["weight_shape"] else None


def constructor_arguments(params: Mapping[str, Any]) -> dict[str, Any]:
    if params["call"] == "module":
        return dict(parse_init(params["init"]))
    return {"shape": tuple(params["weight_shape"])} if params["weight_shape"] else {}


def reference(target: Target) -> str:
    """How the generated code names the target."""
    if target.module is None:
        return target.name
    return f"{SHORT_MODULES.get(target.module, target.module)}.{target.name}"


LEARNED_TENSOR_CODE = f'''class {LEARNED_TENSOR}(nn.Module):
    """A tensor that custom code reads, learned as a layer's weight is."""

    def __init__(self, shape: tuple) -> None:
        super().__init__()
        self.{WEIGHT} = nn.Parameter(torch.zeros(shape))'''


def top_statements(params: Mapping[str, Any]) -> tuple[str, ...]:
    """Imports and definitions the node's code needs at the top of the generated module."""
    target = parse_target(params["target"])
    found: list[str] = []
    if target.module is None:
        found += [statement.text for statement in carried_statements(params["code"])]
    elif not operator_form(target):
        found += import_lines(target.module)
    if params["call"] == "module":
        for _, value in parse_init(params["init"]):
            found += import_lines(value.module) if isinstance(value, Reference) else []
    if params["call"] == "function" and params["weight_shape"]:
        found.append(LEARNED_TENSOR_CODE)
    return tuple(statement for statement in found if statement not in HEADER_IMPORTS)


def import_lines(module: str) -> list[str]:
    """What imports `module` as the generated code names it (nothing for torch, nn)."""
    if module == "torch.nn.functional":
        return ["import torch.nn.functional as F"]
    return [] if module in SHORT_MODULES else [f"import {module}"]


def references(params: Mapping[str, Any]) -> tuple[Reference, ...]:
    """The classes and functions a module's constructor is given (none for a function, or
    params that do not parse: their check says why)."""
    if params.get("call") != "module":
        return ()
    try:
        pairs = parse_init(params.get("init", ""))
    except CallError:
        return ()
    return tuple(value for _, value in pairs if isinstance(value, Reference))


def operator_form(target: Target) -> bool:
    return target.module == "operator" and (
        target.name in OPERATORS or target.name in COMPARISONS or target.name in ("getitem", "neg")
    )


def call_code(params: Mapping[str, Any], layer: str, inputs: tuple[str, ...]) -> str:
    """The expression that makes the node's output; `layer` is its module (self.name) and
    `inputs` its inputs' variables, both safe identifiers."""
    target = parse_target(params["target"])
    weight = bool(params["weight_shape"])
    call = parse_arguments(params["arguments"], params["inputs"], weight)
    names = {f"x{index}": name for index, name in enumerate(inputs)}
    names[WEIGHT] = f"{layer}.{WEIGHT}"
    args = [write(argument, names) for argument in call.args]
    keywords = [f"{word.arg}={write(word.value, names)}" for word in call.keywords]
    if params["call"] == "module":
        text = f"{layer}({', '.join(args + keywords)})"
    elif target.is_method and call.args:
        method = target.name.partition(".")[2]
        text = f"{operand(call.args[0], names)}.{method}({', '.join(args[1:] + keywords)})"
    elif operator_form(target) and not keywords:
        text = operator_code(target.name, call.args, names) or ""
        if not text:
            text = f"operator.{target.name}({', '.join(args)})"
    else:
        text = f"{reference(target)}({', '.join(args + keywords)})"
    item = params["item"]
    return f"{text}[{item}]" if item >= 0 else text


def operator_code(name: str, args: list[ast.expr], names: dict[str, str]) -> str | None:
    """a + b, a < b, -a or a[index] for the operator module's functions."""
    if name == "getitem" and len(args) == 2:
        return f"{operand(args[0], names)}[{index_code(args[1], names)}]"
    if name == "neg" and len(args) == 1:
        return f"-{operand(args[0], names, PRECEDENCE['unary'])}"
    symbol = OPERATORS.get(name) or COMPARISONS.get(name)
    if symbol is None or len(args) != 2:
        return None
    if name in COMPARISONS:
        return f"{operand(args[0], names)} {symbol} {operand(args[1], names)}"
    level = PRECEDENCE[symbol]
    return f"{operand(args[0], names, level)} {symbol} {operand(args[1], names, level + 1)}"


def operand(node: ast.expr, names: dict[str, str], level: int = 5) -> str:
    """An expression as an operand: in parentheses unless it binds at least as tightly."""
    text = write(node, names)
    own = precedence(node)
    return f"({text})" if own < level else text


def precedence(node: ast.expr) -> int:
    if isinstance(node, ast.BinOp):
        return PRECEDENCE[BINARY[type(node.op)]]
    if isinstance(node, ast.UnaryOp) or (
        isinstance(node, ast.Constant) and isinstance(node.value, int | float) and node.value < 0
    ):
        return PRECEDENCE["unary"]
    return 6


def index_code(node: ast.expr, names: dict[str, str]) -> str:
    """An index as a subscript writes it: slice(None, 2) -> ':2', a tuple without parentheses."""
    if isinstance(node, ast.Tuple) and node.elts:
        parts = [index_code(item, names) for item in node.elts]
        return ", ".join(parts) + ("," if len(parts) == 1 else "")
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "slice":
        bounds = list(node.args)
        if len(bounds) == 1:
            bounds = [ast.Constant(None), bounds[0]]
        if len(bounds) == 3 and is_none(bounds[2]):
            bounds = bounds[:2]
        return slice_code([None if is_none(part) else part for part in bounds], names)
    if isinstance(node, ast.Slice):
        bounds = [node.lower, node.upper] + ([node.step] if node.step is not None else [])
        return slice_code(bounds, names)
    return write(node, names)


def slice_code(bounds: list[ast.expr | None], names: dict[str, str]) -> str:
    """start:stop:step, with spaces around the colons where a bound is more than a name or a
    number (as ruff format writes it)."""
    parts = ["" if part is None else write(part, names) for part in bounds]
    simple = all(part is None or is_simple(part) for part in bounds)
    return ":".join(parts) if simple else " : ".join(parts).strip()


def is_simple(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp):
        return is_simple(node.operand)
    return isinstance(node, ast.Name | ast.Constant)


def is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def write(node: ast.expr, names: dict[str, str]) -> str:
    """A checked argument as code, in the layout ruff format gives it."""
    match node:
        case ast.Constant(value=str() as text):
            return string_literal(text)
        case ast.Constant(value=value):
            return "..." if value is Ellipsis else repr(value)
        case ast.Name(id=name):
            return names.get(name, name)
        case ast.Tuple(elts=items):
            parts = [write(item, names) for item in items]
            return f"({parts[0]},)" if len(parts) == 1 else f"({', '.join(parts)})"
        case ast.List(elts=items):
            return f"[{', '.join(write(item, names) for item in items)}]"
        case ast.UnaryOp(op=op, operand=inner):
            sign = "-" if isinstance(op, ast.USub) else "+"
            return f"{sign}{operand(inner, names, PRECEDENCE['unary'])}"
        case ast.BinOp(left=left, op=op, right=right):
            symbol = BINARY[type(op)]
            level = PRECEDENCE[symbol]
            right_level = level if symbol == "**" else level + 1
            left_level = level + 1 if symbol == "**" else level
            return (
                f"{operand(left, names, left_level)} {symbol} {operand(right, names, right_level)}"
            )
        case ast.Attribute(value=value, attr=attr):
            return f"{write(value, names)}.{attr}"
        case ast.Subscript(value=value, slice=index):
            return f"{write(value, names)}[{index_code(index, names)}]"
        case ast.Call(func=func, args=args):
            return f"{write(func, names)}({', '.join(write(item, names) for item in args)})"
    raise CallError(f"cannot write {ast.unparse(node)}")


def string_literal(text: str) -> str:
    """A string literal quoted as ruff format quotes it, nothing in it able to end it."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.encode("unicode_escape").decode("ascii").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"
