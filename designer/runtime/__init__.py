"""The runtime that the app and the exported script both run: data, loop, checkpoints.

It imports the standard library, numpy and torch (and scikit-learn, Pillow or
torchvision where a data source needs them), never the rest of `designer`: the exporter
copies its functions and classes into the training script as they are, so the script
runs the app's code."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path


@cache
def bound_names() -> frozenset[str]:
    """Every name the runtime's modules bind at the top (definitions and imports), read
    from their source without importing them: a script's generated class takes none."""
    names: set[str] = set()
    for path in Path(__file__).parent.glob("*.py"):
        for statement in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(statement, ast.FunctionDef | ast.ClassDef):
                names.add(statement.name)
            elif isinstance(statement, ast.Assign):
                names.update(t.id for t in statement.targets if isinstance(t, ast.Name))
            elif isinstance(statement, ast.Import | ast.ImportFrom):
                aliases = statement.names
                names.update((a.asname or a.name).split(".")[0] for a in aliases)
    return frozenset(names)
