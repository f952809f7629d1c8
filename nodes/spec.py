"""The declarative description of one layer kind: ports, params and how it becomes code."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from nodes.params import ParamError, ParamSpec
from nodes.problems import Problem
from nodes.tensor import TensorInfo

Params = Mapping[str, Any]
Inputs = tuple[TensorInfo, ...]


class Role(StrEnum):
    """What a node is to its graph: a layer, the graph's input or output, or a block."""

    LAYER = "layer"
    INPUT = "input"
    OUTPUT = "output"
    BLOCK = "block"


@dataclass(frozen=True)
class PortSpec:
    """A named port; a `many` input port takes any number of wires, in a stable order."""

    name: str
    many: bool = False


@dataclass(frozen=True)
class ForwardContext:
    """What a spec needs to write its lines of `forward`: names are already safe identifiers."""

    layer: str
    inputs: tuple[str, ...]
    output: str
    params: Params


def call_layer(ctx: ForwardContext) -> list[str]:
    """The usual forward line: call the layer's module on its one input."""
    return [f"{ctx.output} = {ctx.layer}({ctx.inputs[0]})"]


def no_problems(params: Params, inputs: Inputs) -> list[Problem]:
    return []


def batch_dim(dim: int) -> int:
    """Map a per-sample dim (batch excluded) to the dim of the batched tensor."""
    return dim + 1 if dim >= 0 else dim


@dataclass(frozen=True, eq=False)
class LayerSpec:
    """One layer kind. `arguments` gives the module's constructor kwargs, derived sizes included.

    Specs compare and hash by identity: each kind has exactly one registered spec. A `per_step`
    layer works step by step along its input's first dim, so its shapes and MACs can be measured
    on one step and scaled: the meta run of a recurrent layer costs time per step. A
    `passthrough` layer gives out the shape it takes in and does no multiply-accumulates, so
    its forward needs no meta run (its params are still counted on the built module); the
    per-layer test checks both rules against the full meta run. `helpers` are the sources of
    top-level classes that its code names where torch has no module for it (stochastic
    depth). A kind whose module depends on its params (custom code) gives it by `module_of`
    (None: no module), and `top_code` gives the top-level statements (imports, definitions)
    its lines of code need. The generated module writes each of these once, after its imports.
    """

    kind: str
    name: str
    category: str
    help: str
    params: tuple[ParamSpec, ...] = ()
    inputs: tuple[PortSpec, ...] = (PortSpec("in"),)
    outputs: tuple[PortSpec, ...] = (PortSpec("out"),)
    role: Role = Role.LAYER
    module: str | None = None
    arguments: Callable[[Params, Inputs], dict[str, Any]] | None = None
    positional: int = 0
    torch_defaults: Mapping[str, Any] = field(default_factory=dict)
    forward: Callable[[ForwardContext], list[str]] = call_layer
    check: Callable[[Params, Inputs], list[Problem]] = no_problems
    dtypes: tuple[str, ...] = ("float",)
    min_inputs: int = 1
    per_step: bool = False
    passthrough: bool = False
    renamed_from: tuple[str, ...] = ()
    helpers: tuple[str, ...] = ()
    module_of: Callable[[Params], str | None] | None = None
    top_code: Callable[[Params], tuple[str, ...]] | None = None

    def module_for(self, params: Params) -> str | None:
        """The module's class as code: `module`, or what `module_of` makes of the params."""
        return self.module_of(params) if self.module_of is not None else self.module

    def top_statements(self, params: Params) -> tuple[str, ...]:
        """The helper classes, then what `top_code` makes of the params."""
        return self.helpers + (self.top_code(params) if self.top_code is not None else ())

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def default_params(self) -> dict[str, Any]:
        return {spec.name: spec.default for spec in self.params}

    def coerce_params(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with `raw`, each checked; raises ParamError naming the param."""
        known = {spec.name for spec in self.params}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ParamError(f"{self.name} has no param {unknown[0]!r}")
        values = self.default_params()
        for spec in self.params:
            if spec.name in raw:
                try:
                    values[spec.name] = spec.coerce(raw[spec.name])
                except ParamError as error:
                    raise ParamError(f"param {spec.name!r}: {error}") from None
        return values

    def params_to_json(self, params: Params) -> dict[str, Any]:
        """Params as JSON data; a value that does not fit its param is kept as it is."""
        values = {}
        for spec in self.params:
            value = params[spec.name]
            try:
                values[spec.name] = spec.to_json(spec.coerce(value))
            except ParamError:
                values[spec.name] = value
        return values

    def constructor(self, params: Params, inputs: Inputs) -> tuple[list[Any], dict[str, Any]]:
        """Positional and keyword arguments of the module, with torch's defaults left out."""
        if self.arguments is None:
            return [], {}
        kwargs = self.arguments(params, inputs)
        names = list(kwargs)
        positional = [kwargs[name] for name in names[: self.positional]]
        keywords = {
            name: kwargs[name]
            for name in names[self.positional :]
            if name not in self.torch_defaults or self.torch_defaults[name] != kwargs[name]
        }
        return positional, keywords
