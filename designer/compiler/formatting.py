"""Generated source laid out by ruff itself where our own layout cannot do it (long layer
names, a script's merged imports); which lines belong to which layer is read back with ast."""

from __future__ import annotations

import ast
import subprocess

FORMAT_SECONDS = 20


def ruff_formatted(source: str) -> str:
    """`source` as `ruff format` writes it; unchanged where ruff is missing or fails."""
    return ruff_output(["format", "--isolated", "--line-length", "88", "-"], source) or source


def ruff_tidied(source: str) -> str:
    """`source` with its imports sorted and merged as ruff's isort rule does, then formatted;
    unchanged where ruff is missing or fails (it stays valid Python either way)."""
    isort = ["check", "--isolated", "--select", "I", "--fix-only", "--exit-zero"]
    sorted_imports = ruff_output([*isort, "--stdin-filename", "script.py", "-"], source)
    return ruff_formatted(sorted_imports or source)


def ruff_output(arguments: list[str], source: str) -> str | None:
    """What ruff writes for `source` given on its standard input, or None where ruff is
    missing or fails."""
    try:
        from ruff.__main__ import find_ruff_bin

        result = subprocess.run(
            [find_ruff_bin(), *arguments],
            input=source,
            capture_output=True,
            text=True,
            timeout=FORMAT_SECONDS,
            check=False,
        )
    except (ImportError, OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 and result.stdout else None


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
