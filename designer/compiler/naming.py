"""Safe identifiers from users' names: no keywords, builtins, module attributes or collisions."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata
from functools import cache

import designer.runtime
from designer.model.unique_names import UniqueNames

# Names that generated code uses itself.
GENERATED_NAMES = {"self", "torch", "nn", "F", "forward", "super", "layer", "annotations"}


@cache
def reserved_names() -> frozenset[str]:
    """Keywords, builtins, our own names and nn.Module's attributes (a layer attribute named
    `eval` or `training` would break the module)."""
    from torch import nn

    return frozenset(
        set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins)) | GENERATED_NAMES
    ) | frozenset(
        name for name in [*dir(nn.Module), *vars(nn.Module())] if not name.startswith("__")
    )


MAX_IDENTIFIER = 40


def snake_identifier(text: str, fallback: str) -> str:
    """Lower-case ASCII snake_case from any text, at most MAX_IDENTIFIER characters (so that
    code using it can be laid out in 88 columns); `fallback` when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_text)
    name = re.sub(r"[^0-9a-zA-Z]+", "_", ascii_text).strip("_").lower()
    name = name[:MAX_IDENTIFIER].rstrip("_")
    if not name:
        return fallback
    return f"{fallback}_{name}" if name[0].isdigit() else name


def class_identifier(text: str, fallback: str = "Network") -> str:
    """CamelCase ASCII class name from any text, e.g. 'LeNet-5 digits' -> 'LeNet5Digits';
    never a name the runtime binds at the top, as an exported script holds both. (Layer and
    argument names live inside the class and may take them: renaming them would change a
    network's weights' names.)"""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[0-9a-zA-Z]+", ascii_text)
    name = "".join(word[:1].upper() + word[1:] for word in words)[:MAX_IDENTIFIER]
    if not name or name[0].isdigit():
        name = fallback + name
    taken = name in reserved_names() or name in designer.runtime.bound_names()
    return f"{name}Model" if taken else name


class Namespace:
    """Hands out distinct, safe identifiers; asking twice for one key gives the same name.
    `reserved`: more names to keep clear of (those custom code binds at the top)."""

    def __init__(self, reserved: frozenset[str] = frozenset()) -> None:
        self._taken = UniqueNames()
        self._names: dict[object, str] = {}
        self._reserved = reserved

    def name(self, key: object, text: str, fallback: str) -> str:
        if key in self._names:
            return self._names[key]
        base = snake_identifier(text, fallback)
        if base in reserved_names() or base in self._reserved:
            base = f"{base}_"
        name = self._taken.take(base, "" if base.endswith("_") else "_")
        self._names[key] = name
        return name
