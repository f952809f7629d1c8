"""Each block used by a network as its own nn.Module class, its block params as arguments.

The classes are written from the configurations the network really uses (params and input
shapes of every instance). A constructor argument of an inner layer is written as a block param
where changing that param changes the argument to the same value (found by analysing the
block with the param changed) and this holds for every instance; else as a literal where every
instance agrees; else it becomes an argument of the class of its own. Instances whose forward
code or inner classes differ get classes of their own (ResidualBlock2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from designer.compiler.analysis import GraphReport, NodeReport
from designer.compiler.blocks import analyzed_instance, block_values, instance_analysis
from designer.compiler.code_text import literal
from designer.compiler.code_trust import generation
from designer.compiler.emit import NodeCode, node_code
from designer.compiler.naming import Namespace, class_identifier
from designer.compiler.perturb import changed_values
from designer.model import GraphDocument, Node
from designer.model.unique_names import UniqueNames
from nodes import Role, TensorInfo
from nodes.block import BLOCK_KIND, REPEAT_PARAM
from nodes.params import ParamSpec

Coder = Callable[[Node, NodeReport, str, tuple[str, ...], str], NodeCode]
PYTHON_TYPES = {
    "int": "int",
    "float": "float",
    "bool": "bool",
    "choice": "str",
    "ints": "tuple",
    "pair": "int | tuple",
}


@dataclass(frozen=True)
class Call:
    """How one node of a block is made: the class (with any repeat), its arguments by name (the
    first `positional` written without names), and its forward code with placeholder names."""

    head: str | None
    positional: int
    arguments: dict[str, Any]
    forward: tuple[str, ...]
    defaults: dict[str, Any] = field(default_factory=dict)

    def shape(self) -> tuple:
        return (self.head, self.positional, tuple(self.arguments), self.forward)


@dataclass
class Config:
    """One way a block is used: its params' values and inputs, and its analysed inner graph."""

    values: dict[str, Any]
    inputs: tuple[TensorInfo, ...]
    doc: GraphDocument
    report: GraphReport
    calls: dict[str, Call] = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (tuple(self.values.items()), self.inputs)


@dataclass
class Variant:
    """One generated class: its configurations, its arguments and each argument's source."""

    class_name: str
    configs: list[Config]
    params: list[tuple[str, str, ParamSpec]] = field(default_factory=list)  # name, ident, spec
    extras: dict[tuple[str, str], str] = field(default_factory=dict)  # (node, arg) -> ident
    expressions: dict[tuple[str, str], str] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def arguments(self, config: Config) -> dict[str, Any]:
        """The keyword arguments an instance in `config` is constructed with."""
        found = {
            ident: config.calls[node].arguments[arg] for (node, arg), ident in self.extras.items()
        }
        found.update({ident: config.values[name] for name, ident, _ in self.params})
        return found


class BlockClasses:
    """The classes of every block a report's graph uses, inner blocks first."""

    def __init__(self, doc: GraphDocument, report: GraphReport, taken: set[str]) -> None:
        self._taken = UniqueNames(taken)
        self._configs: dict[str, dict[tuple, Config]] = {}
        self._variants: dict[str, list[Variant]] = {}
        self._library = doc.blocks
        self._collect(doc, report)
        for name in self._configs:
            self._variants[name] = self._build(name)

    def graphs(self) -> list[GraphDocument]:
        """The inner graph of every configuration a class is written for."""
        return [config.doc for configs in self._configs.values() for config in configs.values()]

    def sources(self) -> list[list[str]]:
        return [variant.lines for variants in self._variants.values() for variant in variants]

    def coder(self, fallback: Coder) -> Coder:
        """Code for the nodes of a graph: block instances construct their class."""

        def code(
            node: Node, report: NodeReport, layer: str, inputs: tuple[str, ...], output: str
        ) -> NodeCode:
            if node.kind != BLOCK_KIND:
                return fallback(node, report, layer, inputs, output)
            call = self._instance_call(node, report.inputs)
            keywords = [f"{name}={literal(value)}" for name, value in call.arguments.items()]
            return NodeCode(construct(call.head, keywords), instance_forward(layer, inputs, output))

        return code

    # -- collecting the configurations -------------------------------------------------------

    def _collect(self, doc: GraphDocument, report: GraphReport) -> None:
        for node_id in report.order:
            node = doc.node(node_id)
            if node.kind != BLOCK_KIND:
                continue
            inputs = report.nodes[node_id].inputs
            config = self._config(node, inputs)
            if config.key not in self._configs.get(node.spec.name, {}):
                self._collect(config.doc, config.report)
                self._configs.setdefault(node.spec.name, {})[config.key] = config

    def _config(self, node: Node, inputs: tuple[TensorInfo, ...]) -> Config:
        definition = self._library.get(node.spec.name)
        values = dict(block_values(definition, node.spec.with_defaults(node.params)))
        inner, report = instance_analysis(node, values, inputs)
        return Config(values, inputs, inner, report)

    def _instance_call(self, node: Node, inputs: tuple[TensorInfo, ...]) -> Call:
        variant, config = self._variant_of(node.spec.name, self._config(node, inputs).key)
        repeat = node.spec.with_defaults(node.params)[REPEAT_PARAM]
        head = variant.class_name if repeat == 1 else f"{variant.class_name}*{repeat}"
        return Call(head, 0, variant.arguments(config), ("instance",))

    def _variant_of(self, name: str, key: tuple) -> tuple[Variant, Config]:
        """The class written for a configuration, and that configuration as collected."""
        for variant in self._variants[name]:
            for config in variant.configs:
                if config.key == key:
                    return variant, config
        raise AssertionError(f"block {name} was not collected in this configuration")

    # -- writing the classes -----------------------------------------------------------------

    def _calls(self, config: Config, changed: bool = False) -> dict[str, Call]:
        """How each inner node is made; in a `changed` configuration (not one of the network's,
        so with no classes), an inner block instance only by its params' values."""
        calls = {}
        for node_id in config.report.order:
            node = config.doc.node(node_id)
            if node.spec.role in (Role.INPUT, Role.OUTPUT):
                continue
            inputs = config.report.nodes[node_id].inputs
            if node.kind == BLOCK_KIND and changed:
                calls[node_id] = Call(None, 0, node.spec.with_defaults(node.params), ())
                continue
            if node.kind == BLOCK_KIND:
                calls[node_id] = self._instance_call(node, inputs)
                continue
            spec = node.spec
            params = spec.coerce_params(node.params)
            arguments = spec.arguments(params, inputs) if spec.arguments else {}
            names = tuple(f"x{index}" for index in range(len(inputs)))
            forward = tuple(node_code(spec, params, inputs, "self.layer", names, "y").forward)
            head = spec.module_for(params)
            calls[node_id] = Call(head, spec.positional, arguments, forward, spec.torch_defaults)
        return calls

    def _build(self, name: str) -> list[Variant]:
        groups: dict[tuple, list[Config]] = {}
        for config in self._configs[name].values():
            config.calls = self._calls(config)
            shape = tuple((node, call.shape()) for node, call in config.calls.items())
            groups.setdefault(shape, []).append(config)
        variants = []
        for configs in groups.values():
            class_name = self._class_name(name)
            variant = Variant(class_name, configs)
            self._write(name, variant)
            variants.append(variant)
        return variants

    def _class_name(self, name: str) -> str:
        return self._taken.take(class_identifier(name, "Block"), separator="")

    def _write(self, name: str, variant: Variant) -> None:
        from designer.compiler.codegen import class_lines

        definition = self._library.get(name)
        first = variant.configs[0]
        namespace = Namespace()
        spec = self._library.spec(name)
        for param in definition.params:
            if spec.param(param.name).kind == "text":
                continue  # code (custom code's): each text writes lines of its own, no argument
            ident = namespace.name(("param", param.name), param.name, "param")
            variant.params.append((param.name, ident, spec.param(param.name)))
        sources = self._param_sources(name, first)
        for node_id, call in first.calls.items():
            for argument in call.arguments:
                values = [config.calls[node_id].arguments[argument] for config in variant.configs]
                param = sources.get((node_id, argument))
                if param is not None and all(
                    config.calls[node_id].arguments[argument] == config.values[param]
                    for config in variant.configs
                ):
                    ident = next(ident for each, ident, _ in variant.params if each == param)
                    variant.expressions[(node_id, argument)] = ident
                elif all(value == values[0] for value in values):
                    variant.expressions[(node_id, argument)] = literal(values[0])
                else:
                    label = f"{first.doc.node(node_id).name}_{argument}"
                    ident = namespace.name(("extra", node_id, argument), label, "arg")
                    variant.extras[(node_id, argument)] = ident
                    variant.expressions[(node_id, argument)] = ident
        parameters = [
            f"{ident}: "
            + python_type([config.calls[node].arguments[argument] for config in variant.configs])
            for (node, argument), ident in variant.extras.items()
        ]
        parameters += [
            f"{ident}: {PYTHON_TYPES.get(param.kind, 'object')} = {literal(param.default)}"
            for _, ident, param in variant.params
        ]
        coder = self._inner_coder(variant)
        comments = len(variant.configs) == 1
        lines, _ = class_lines(
            first.doc, first.report, variant.class_name, parameters, coder, comments
        )
        variant.lines = [text for _, text in lines]

    def _inner_coder(self, variant: Variant) -> Coder:
        first = variant.configs[0]

        def code(
            node: Node, report: NodeReport, layer: str, inputs: tuple[str, ...], output: str
        ) -> NodeCode:
            call = first.calls[node.id]
            written = []
            for index, (argument, value) in enumerate(call.arguments.items()):
                expression = variant.expressions[(node.id, argument)]
                if index < call.positional:
                    written.append(expression)
                elif not (
                    expression == literal(value)
                    and argument in call.defaults
                    and call.defaults[argument] == value
                ):
                    written.append(f"{argument}={expression}")
            if node.kind == BLOCK_KIND:
                return NodeCode(
                    construct(call.head, written), instance_forward(layer, inputs, output)
                )
            params = node.spec.coerce_params(node.params)
            forward = node_code(node.spec, params, report.inputs, layer, inputs, output).forward
            init = construct(call.head, written) if call.head else None
            return NodeCode(init, forward)

        return code

    def _param_sources(self, name: str, config: Config) -> dict[tuple[str, str], str]:
        """Which block param each argument follows: change the param (with the inputs' sizes
        that equal it, for blocks that keep their size), and the argument takes the new value.
        Every source is still checked against every instance before it is written."""
        sources: dict[tuple[str, str], str] = {}
        definition = self._library.get(name)
        spec = self._library.spec(name)
        for param in definition.params:
            before = config.values[param.name]
            for value in changed_values(spec.param(param.name), before):
                if self._follow(name, config, param.name, value, sources):
                    break
        return sources

    def _follow(self, name: str, config: Config, param: str, value: Any, sources: dict) -> bool:
        """Analyse the block with `param` at `value`; False if no such block is valid."""
        definition = self._library.get(name)
        before = config.values[param]
        values = {**config.values, param: value}
        for inputs in dict.fromkeys((config.inputs, resized(config.inputs, before, value))):
            doc, report = analyzed_instance(
                self._library,
                name,
                self._library.stamp(name),
                block_values(definition, values),
                inputs,
                generation(),
            )
            if report.ok and not report.withheld:
                changed = self._calls(Config(values, inputs, doc, report), changed=True)
                follow(sources, param, config.calls, changed, before, value)
                return True
        return False


def follow(
    sources: dict[tuple[str, str], str],
    param: str,
    calls: dict[str, Call],
    changed: dict[str, Call],
    before: Any,
    value: Any,
) -> None:
    """Mark `param` as the source of each argument that went from `before` to `value`."""
    for node_id, call in calls.items():
        for argument, old in call.arguments.items():
            new = changed.get(node_id, call).arguments.get(argument, old)
            if new != old and new == value and old == before:
                sources.setdefault((node_id, argument), param)


def resized(inputs: tuple[TensorInfo, ...], before: Any, value: Any) -> tuple[TensorInfo, ...]:
    """The inputs with each size equal to `before` set to `value` (whole numbers only)."""
    if not isinstance(before, int) or isinstance(before, bool):
        return inputs
    return tuple(
        TensorInfo(tuple(value if size == before else size for size in info.shape), info.dtype)
        for info in inputs
    )


def construct(head: str | None, arguments: list[str]) -> str:
    """`Head(arguments)`; a head `Name*N` is N chained copies in an nn.Sequential."""
    name, _, repeat = (head or "").partition("*")
    call = f"{name}({', '.join(arguments)})"
    return f"nn.Sequential(*({call} for _ in range({repeat})))" if repeat else call


def instance_forward(layer: str, inputs: tuple[str, ...], output: str) -> tuple[str, ...]:
    return (f"{output} = {layer}({', '.join(inputs)})",)


def python_type(values: list[Any]) -> str:
    """The annotation of an argument that takes these values: int | tuple for a window that
    is square in one instance and not in another."""
    names = ["tuple" if isinstance(value, tuple) else type(value).__name__ for value in values]
    return " | ".join(dict.fromkeys(names))
