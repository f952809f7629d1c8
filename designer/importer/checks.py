"""Ways an imported graph could differ from its module: output shapes, weights, parameter count."""

from __future__ import annotations

from torch import nn

from designer.compiler import GraphReport
from designer.compiler.structure import label
from designer.importer.assemble import Assembly
from designer.importer.tracing import DTYPES
from designer.importer.weights import held_paths, unplaced
from nodes import TensorInfo


def mismatched_shapes(report: GraphReport, assembly: Assembly) -> list[str]:
    """Nodes whose inferred output differs from what the module made there."""
    problems = []
    for node_id, made in assembly.expected:
        wanted = TensorInfo(made.shape, DTYPES[made.dtype])
        found = report.nodes[node_id].output
        if found != wanted:
            problems.append(
                f"{label(assembly.doc.node(node_id))} gives {found} where the module gives {wanted}"
            )
    return problems


def weight_problems(module: nn.Module, report: GraphReport, assembly: Assembly) -> list[str]:
    """Weights no layer holds, and a parameter count that differs from the module's."""
    problems = []
    held = held_paths(assembly.sources, assembly.blocks)
    left = unplaced(list(module.state_dict()), held)
    if left:
        listed = ", ".join(left[:8]) + (f" and {len(left) - 8} more" if len(left) > 8 else "")
        problems.append(f"weights that no layer holds (unused, or used directly): {listed}")
    own = sum(parameter.numel() for parameter in module.parameters())
    if report.total_params != own:
        problems.append(
            f"the graph has {report.total_params:,} parameters but the module has {own:,}"
        )
    return problems
