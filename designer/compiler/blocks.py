"""Analysis of a block instance: the block's inner graph run on the instance's inputs and params."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import designer.compiler.analysis as analysis
from designer.compiler.code_trust import generation
from designer.compiler.diagnostics import Diagnostic
from designer.model import GraphDocument, GraphError, Node
from designer.model.library import BlockDefinition, BlockLibrary
from nodes import TensorInfo
from nodes.block import REPEAT_PARAM


def where(node: Node) -> str:
    """How messages name an instance: "block 'res1' (ResidualBlock)"."""
    return f"block {node.name!r} ({node.spec.name})"


def block_values(definition: BlockDefinition, values: Mapping[str, Any]) -> tuple:
    """The exposed params' values as a hashable key, in the definition's order."""
    return tuple(
        (param.name, freeze(values.get(param.name, param.default))) for param in definition.params
    )


def freeze(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def instance_graph(
    definition: BlockDefinition, values: tuple, inputs: tuple[TensorInfo, ...]
) -> GraphDocument:
    """A copy of the block's graph with its Inputs set to `inputs` and its params to `values`."""
    inner = definition.configured(dict(values))
    for port, info in zip(definition.ports("input"), inputs, strict=False):
        inner.set_param(port.id, "shape", info.shape)
        inner.set_param(port.id, "dtype", info.dtype)
    return inner


@lru_cache(maxsize=512)
def analyzed_instance(
    library: BlockLibrary,
    name: str,
    stamp: tuple,
    values: tuple,
    inputs: tuple[TensorInfo, ...],
    trusted: int = 0,
) -> tuple[GraphDocument, analysis.GraphReport]:
    """The inner graph of one configuration of a block and its report; `stamp` keys the cache
    to the definition's revision (and those of the blocks inside it), `trusted` to the code
    trusted so far (code_trust.generation)."""
    inner = instance_graph(library.get(name), values, inputs)
    return inner, analysis.Analyzer(inner).report()


def instance_analysis(
    node: Node, values: Mapping[str, Any], inputs: tuple[TensorInfo, ...]
) -> tuple[GraphDocument, analysis.GraphReport]:
    library = node.library
    definition = library.get(node.spec.name)
    key = block_values(definition, values)
    stamp = library.stamp(definition.name)
    return analyzed_instance(library, definition.name, stamp, key, inputs, generation())


def definition_problems(node: Node) -> list[str]:
    """What makes a block unusable whatever its inputs: lost param targets, not one output."""
    definition = node.library.get(node.spec.name)
    problems = []
    for param in definition.params:
        for node_id, name in param.targets:
            if node_id not in definition.graph or name not in definition.graph.node(node_id).params:
                problems.append(
                    f"{where(node)}: block param {param.name!r} sets {name!r} of a layer "
                    f"({node_id}) that the block no longer has"
                )
    outputs = len(definition.ports("output"))
    if outputs != 1:
        problems.append(f"{where(node)} needs exactly one Output node inside, not {outputs}")
    return problems


def block_report(
    node: Node, values: Mapping[str, Any], inputs: tuple[TensorInfo, ...]
) -> analysis.NodeReport:
    """The instance's report: the inner graph's diagnostics named after the instance, its output,
    and its params and MACs times the repeat count."""
    problems = definition_problems(node)
    if problems:
        errors = tuple(Diagnostic(problem, node.id) for problem in problems)
        return analysis.NodeReport(node.id, inputs, diagnostics=errors)
    try:
        _, report = instance_analysis(node, values, inputs)
    except GraphError as error:  # a value one target takes and another cannot
        message = f"{where(node)}: {error}; choose another value"
        return analysis.NodeReport(node.id, inputs, diagnostics=(Diagnostic(message, node.id),))
    diagnostics = tuple(
        Diagnostic(f"{where(node)} > {found.message}", node.id, found.severity)
        for found in report.diagnostics
    )
    if not report.ok or report.withheld:
        withheld = bool(report.withheld)
        return analysis.NodeReport(node.id, inputs, diagnostics=diagnostics, withheld=withheld)
    output_node = node.library.get(node.spec.name).ports("output")[0]
    output = report.nodes[output_node.id].output
    repeat = values[REPEAT_PARAM]
    if repeat > 1 and (len(inputs) != 1 or output != inputs[0]):
        gets = " and ".join(str(info) for info in inputs)
        message = (
            f"{where(node)} is repeated {repeat} times, so it must give out what it takes in, "
            f"but it turns {gets} into {output}; set repeat to 1"
        )
        error = Diagnostic(message, node.id)
        return analysis.NodeReport(node.id, inputs, diagnostics=(*diagnostics, error))
    inner_inputs = sum(info.nbytes() for info in inputs)  # held by the layers before it
    held = (report.activation_bytes(1) - inner_inputs) * repeat
    return analysis.NodeReport(
        node.id,
        inputs,
        output,
        report.total_params * repeat,
        report.total_macs * repeat,
        diagnostics,
        held,
    )
