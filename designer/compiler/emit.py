"""The code of one node: its constructor expression and its lines of forward."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nodes import ForwardContext, LayerSpec, TensorInfo


@dataclass(frozen=True)
class NodeCode:
    """`init` is the module expression (None for layers with no module), `forward` its lines."""

    init: str | None
    forward: tuple[str, ...]


def literal(value: Any) -> str:
    """Python source for a param value; only plain data reaches generated code, always repr'd."""
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)
    if isinstance(value, tuple):
        items = [literal(literal_value(item)) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    raise TypeError(f"cannot write {type(value).__name__} into code")


def string_literal(text: str) -> str:
    """repr() of a string in the double quotes ruff format prefers, where no escaping changes."""
    written = repr(text)
    if written.startswith("'") and '"' not in text:
        return f'"{written[1:-1]}"'
    return written


def literal_value(value: Any) -> Any:
    if isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot write {type(value).__name__} into code")


def constructor_call(spec: LayerSpec, params: Mapping[str, Any], inputs: tuple[TensorInfo, ...]):
    positional, keywords = spec.constructor(params, inputs)
    arguments = [literal(value) for value in positional]
    arguments += [f"{name}={literal(value)}" for name, value in keywords.items()]
    return f"{spec.module}({', '.join(arguments)})"


def node_code(
    spec: LayerSpec,
    params: Mapping[str, Any],
    inputs: tuple[TensorInfo, ...],
    layer: str,
    input_vars: tuple[str, ...],
    output_var: str,
) -> NodeCode:
    """The code for one layer node; names must already be safe identifiers."""
    init = constructor_call(spec, params, inputs) if spec.module else None
    context = ForwardContext(layer, input_vars, output_var, params)
    return NodeCode(init, tuple(spec.forward(context)))
