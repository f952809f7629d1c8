"""From graph to module: validation, shape inference, statistics and the one code generator."""

from designer.compiler.analysis import Analyzer, GraphReport, NodeReport
from designer.compiler.build import compile_graph, module_class
from designer.compiler.codegen import CompileError, GeneratedCode, generate
from designer.compiler.diagnostics import Diagnostic

__all__ = [
    "Analyzer",
    "CompileError",
    "Diagnostic",
    "GeneratedCode",
    "GraphReport",
    "NodeReport",
    "compile_graph",
    "generate",
    "module_class",
]
