"""The code of one node: its constructor expression and its lines of forward."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from designer.compiler.code_text import literal
from nodes import ForwardContext, LayerSpec, TensorInfo


@dataclass(frozen=True)
class NodeCode:
    """`init` is the module expression (None for layers with no module), `forward` its lines."""

    init: str | None
    forward: tuple[str, ...]


def constructor_call(spec: LayerSpec, params: Mapping[str, Any], inputs: tuple[TensorInfo, ...]):
    positional, keywords = spec.constructor(params, inputs)
    arguments = [literal(value) for value in positional]
    arguments += [f"{name}={literal(value)}" for name, value in keywords.items()]
    return f"{spec.module_for(params)}({', '.join(arguments)})"


def node_code(
    spec: LayerSpec,
    params: Mapping[str, Any],
    inputs: tuple[TensorInfo, ...],
    layer: str,
    input_vars: tuple[str, ...],
    output_var: str,
) -> NodeCode:
    """The code for one layer node; names must already be safe identifiers."""
    init = constructor_call(spec, params, inputs) if spec.module_for(params) else None
    context = ForwardContext(layer, input_vars, output_var, params)
    return NodeCode(init, tuple(spec.forward(context)))
