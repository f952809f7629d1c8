"""Build the runnable module by executing the generated source, the same text export writes."""

from __future__ import annotations

import linecache
import re
from itertools import count
from typing import Any

from designer.compiler.analysis import Analyzer, GraphReport
from designer.compiler.codegen import GeneratedCode, generate
from designer.model import GraphDocument

_builds = count(1)


# torchvision, and libraries that import it when imported (timm)
ON_TORCHVISION = re.compile(r"^\s*(import|from) (torchvision|timm)\b", re.MULTILINE)


def prepare_imports(source: str) -> None:
    """Import torchvision, if the code does (itself or through timm), the way that works beside
    any torch build (its compiled operators may not fit this torch)."""
    if ON_TORCHVISION.search(source):
        from designer.runtime.vision import import_torchvision

        import_torchvision()


def module_class(code: GeneratedCode) -> type:
    """Execute the source and return its class; tracebacks show the generated lines."""
    prepare_imports(code.source)
    filename = f"<netdesigner:{code.class_name}:{next(_builds)}>"
    lines = code.source.splitlines(keepends=True)
    linecache.cache[filename] = (len(code.source), None, lines, filename)
    namespace: dict[str, Any] = {"__name__": "netdesigner_generated"}
    exec(compile(code.source, filename, "exec"), namespace)
    return namespace[code.class_name]


def compile_graph(
    doc: GraphDocument, name: str = "Network", report: GraphReport | None = None
) -> tuple[Any, GeneratedCode]:
    """Analyze, generate and build: the module (an nn.Module) and the source it came from."""
    report = report or Analyzer(doc).report()
    code = generate(doc, report, name)
    return module_class(code)(), code
