"""The one toolkit for writing code as text: literals nothing can break out of, and lines
laid out as ruff format lays them out within its 88 columns (the model's code and the
training script are both checked with it)."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from typing import Any

from nodes.custom_call import Reference

LINE_LENGTH = 88
INDENT = "    "


def string_literal(text: str) -> str:
    """A Python string literal for any text, as repr() with ASCII escapes, but quoted the way
    ruff format quotes: double quotes unless the text holds more double than single quotes.
    Nothing in the text can end the literal or run: `ast.literal_eval` gives the text back."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.encode("unicode_escape").decode("ascii").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"


def literal(value: Any) -> str:
    """Source for plain data: texts via `string_literal`, numbers, flags and None via repr(),
    tuples and lists of them; a library's class or function by its import path."""
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, Reference):
        return value.code()
    if isinstance(value, bool | int | float) or value is None:
        return repr(value)
    if value == ():
        return "()"
    if isinstance(value, tuple) and not any(isinstance(item, tuple) for item in value):
        items = [literal(item) for item in value]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
    if isinstance(value, list) and not any(isinstance(item, tuple | list) for item in value):
        return f"[{', '.join(literal(item) for item in value)}]"
    raise TypeError(f"cannot write {type(value).__name__} into code")


def string_lines(text: str, indent: str, room: int) -> list[str]:
    """`text` as one literal, or as implicitly joined literals of at most `room` characters
    each, one a line (ruff keeps parts that would not fit joined)."""
    whole = string_literal(text)
    if len(indent) + len(whole) <= room:
        return [indent + whole]
    lines, part = [], ""
    for char in text:
        if part and len(indent) + len(string_literal(part + char)) > room:
            lines.append(indent + string_literal(part))
            part = ""
        part += char
    return [*lines, indent + string_literal(part)]


def plain_text(text: str) -> str:
    """Text safe inside a docstring or a comment: ASCII without quotes or backslashes, one
    line."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^ -~]|[\"\\]", " ", ascii_text)
    return " ".join(cleaned.split())


def docstring_lines(text: str, first: str = "") -> list[str]:
    """`text` made plain and wrapped to LINE_LENGTH; `first` opens the first line."""
    return textwrap.wrap(plain_text(text), LINE_LENGTH, initial_indent=first)


def join_code(*pieces: str) -> str:
    """Top-level code pieces, two blank lines apart as ruff format puts them."""
    return "\n\n\n".join(piece.strip("\n") for piece in pieces if piece.strip()) + "\n"


def section_title(title: str) -> str:
    """A comment line that opens a section of a file."""
    head = f"# -- {title} "
    return head + "-" * (LINE_LENGTH - len(head))


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
    """Split a call's argument text at top-level commas (not those inside brackets or string
    literals, which `string_literal` writes: one quote character, backslash escapes)."""
    parts, depth, current, quote, escaped = [], 0, "", "", False
    for char in arguments:
        if escaped:
            escaped = False
        elif quote:
            escaped = char == "\\"
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0 and not quote:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts
