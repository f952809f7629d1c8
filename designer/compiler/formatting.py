"""Generated source with lines too long for ruff format's 88 columns (long layer names) is run
through ruff format itself; which lines belong to which layer is then read back with ast."""

from __future__ import annotations

import ast
import subprocess

FORMAT_SECONDS = 20


def ruff_formatted(source: str) -> str:
    """`source` as `ruff format` writes it; unchanged where ruff is missing or fails."""
    try:
        from ruff.__main__ import find_ruff_bin

        result = subprocess.run(
            [find_ruff_bin(), "format", "--isolated", "--line-length", "88", "-"],
            input=source,
            capture_output=True,
            text=True,
            timeout=FORMAT_SECONDS,
            check=False,
        )
    except (ImportError, OSError, subprocess.SubprocessError):
        return source
    return result.stdout if result.returncode == 0 and result.stdout else source


def statement_spans(source: str, variables: dict[str, str]) -> dict[str, list[int]]:
    """Node id -> the line numbers of the statements that set `self.<name>` in __init__ or
    assign `<name>` in forward, where `variables` maps node ids to those names."""
    owners = {name: node_id for node_id, name in variables.items()}
    spans: dict[str, list[int]] = {}
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef):
            continue
        for statement in function.body:
            if not isinstance(statement, ast.Assign):
                continue
            target = statement.targets[0]
            if isinstance(target, ast.Tuple) and target.elts:
                target = target.elts[0]
            name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
            if name in owners:
                lines = range(statement.lineno, (statement.end_lineno or statement.lineno) + 1)
                spans.setdefault(owners[name], []).extend(lines)
    return spans
