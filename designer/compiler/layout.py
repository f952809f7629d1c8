"""Lines of generated code laid out as ruff format lays them out, within 88 columns."""

from __future__ import annotations

LINE_LENGTH = 88
INDENT = "    "


def wrap_call(indent: str, head: str, arguments: str, tail: str = "") -> list[str]:
    """`head(arguments)tail` laid out as ruff format would: on one line, else the arguments on
    one indented line, else one argument a line with a trailing comma."""
    line = f"{indent}{head}({arguments}){tail}"
    if len(line) <= LINE_LENGTH or not arguments:
        return [line]
    inner = f"{indent}{INDENT}{arguments}"
    if len(inner) <= LINE_LENGTH:
        return [f"{indent}{head}(", inner, f"{indent}){tail}"]
    parts = split_arguments(arguments)
    lines = [f"{indent}{INDENT}{part}," for part in parts]
    return [f"{indent}{head}(", *lines, f"{indent}){tail}"]


def split_arguments(arguments: str) -> list[str]:
    """Split a call's argument text at top-level commas."""
    parts, depth, current = [], 0, ""
    for char in arguments:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts
