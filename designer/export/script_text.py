"""Source text for the training script: literals for user text, snippets and their layout."""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from string import Template

from designer.compiler.codegen import wrap_call

LINE_LENGTH = 88  # ruff format's default, which the script is checked with
INDENT = "    "


@dataclass(frozen=True)
class Snippet:
    """A piece of the script: settings lines for the top, code, and the imports and
    packages the code needs."""

    code: str = ""
    settings: tuple[str, ...] = ()
    imports: frozenset[str] = frozenset()
    requirements: frozenset[str] = frozenset()


def string_literal(text: str) -> str:
    """A Python string literal for any text, as repr() with ASCII escapes, but quoted the way
    ruff format quotes: double quotes unless the text holds more double than single quotes.
    Nothing in the text can end the literal or run: `ast.literal_eval` gives the text back."""
    quote = "'" if text.count('"') > text.count("'") else '"'
    body = text.encode("unicode_escape").decode("ascii").replace(quote, "\\" + quote)
    return f"{quote}{body}{quote}"


def literal(value: object) -> str:
    """Source for plain data: texts via `string_literal`, numbers, flags and None via repr(),
    lists of them."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, list):
        return f"[{', '.join(literal(item) for item in value)}]"
    raise TypeError(f"cannot write {type(value).__name__} into the script")


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


def assignment(name: str, value: object) -> str:
    """`NAME = value` laid out as ruff format lays it out within LINE_LENGTH: long texts
    become joined parts, long lists of texts one item a line."""
    line = f"{name} = {literal(value)}"
    if len(line) <= LINE_LENGTH:
        return line
    if isinstance(value, str):
        return "\n".join([f"{name} = (", *string_lines(value, INDENT, LINE_LENGTH), ")"])
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = []
        for item in value:
            parts = string_lines(item, INDENT, LINE_LENGTH - 1)
            parts[-1] += ","
            items += parts
        return "\n".join([f"{name} = [", *items, "]"])
    raise ValueError(f"{name} does not fit on a line: {line[:60]}...")


def call(head: str, arguments: list[str], depth: int = 1, tail: str = "") -> str:
    """`head(arguments)tail` on one line, or wrapped as ruff format wraps a call, for a
    statement `depth` levels deep (the text comes without that indent)."""
    indent = INDENT * depth
    lines = wrap_call(indent, head, ", ".join(arguments), tail)
    return "\n".join(line.removeprefix(indent) for line in lines)


def function_docstring(text: str, depth: int = 1) -> str:
    """A docstring of the script's own words, wrapped for a body `depth` levels deep."""
    lines = textwrap.wrap(
        f'"""{text}"""', LINE_LENGTH - len(INDENT) * depth, break_on_hyphens=False
    )
    return "\n".join(lines)


def plain_text(text: str) -> str:
    """Text safe inside a docstring: ASCII without quotes or backslashes, one line."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^ -~]|[\"\\]", " ", ascii_text)
    return " ".join(cleaned.split())


def docstring_lines(text: str, first: str = "") -> list[str]:
    """`text` made plain and wrapped to LINE_LENGTH; `first` opens the first line."""
    return textwrap.wrap(plain_text(text), LINE_LENGTH, initial_indent=first)


def fill(template: str, **parts: str) -> str:
    """Put parts into a template: a line that is only `$name` takes the part's lines at its
    indent (or goes when the part is empty); `$name` inside a line takes the part's text.
    Inserted text is never scanned for placeholders again."""
    lines = []
    for line in template.splitlines():
        match = re.fullmatch(r"( *)\$(\w+)", line)
        if match is None:
            lines.append(Template(line).substitute(parts))
            continue
        block = parts[match.group(2)]
        lines += [match.group(1) + part if part else "" for part in block.splitlines()]
    return "\n".join(lines) + "\n"


def join_code(*pieces: str) -> str:
    """Top-level code pieces, two blank lines apart as ruff format puts them."""
    return "\n\n\n".join(piece.strip("\n") for piece in pieces if piece.strip()) + "\n"


def section_title(title: str) -> str:
    """A comment line that opens a section of the script."""
    head = f"# -- {title} "
    return head + "-" * (LINE_LENGTH - len(head))
