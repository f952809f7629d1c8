"""The settings block of a training script: the run's resolved settings as Python source, each
a runtime class made with its values, and the runtime names and imports that source needs."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from designer.compiler.code_text import string_lines, string_literal
from designer.data import SetupError

RUNTIME = "designer.runtime."
# Texts longer than this become parts joined implicitly, each of at most PART_LENGTH
# characters: ruff format lays them out one a line, within 88 columns wherever they stand.
LONG_TEXT = 60
PART_LENGTH = 72


@dataclass
class SettingsSource:
    """Source text of settings values, with the runtime definitions and imports it names."""

    names: set[str] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)

    def of(self, value: object) -> str:
        """`value` as an expression: plain data, runtime dataclasses, torch optimizers and
        torch's or the runtime's functions. Texts become literals that nothing can end."""
        if value is None or isinstance(value, bool | int | float):
            return repr(value)
        if isinstance(value, str):
            return text_literal(value)
        if isinstance(value, tuple):
            items = [self.of(item) for item in value]
            return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"
        if isinstance(value, list):
            return f"[{', '.join(self.of(item) for item in value)}]"
        if isinstance(value, dict):
            pairs = (dict_entry(self.of(key), self.of(item)) for key, item in value.items())
            return f"{{{', '.join(pairs)}}}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.instance(value)
        return self.reference(value)

    def instance(self, value: object) -> str:
        kind = type(value)
        self.runtime(kind)
        arguments = [
            f"{item.name}={self.of(getattr(value, item.name))}"
            for item in dataclasses.fields(value)
            if item.init
        ]
        return f"{kind.__name__}({', '.join(arguments)})"

    def reference(self, value: object) -> str:
        name = getattr(value, "__name__", "")
        if getattr(torch.optim, name, None) is value:
            self.imports.add("import torch")
            return f"torch.optim.{name}"
        if getattr(F, name, None) is value:
            self.imports.add("import torch.nn.functional as F")
            return f"F.{name}"
        self.runtime(value)
        return name

    def runtime(self, value: object) -> None:
        if not getattr(value, "__module__", "").startswith(RUNTIME):
            name = getattr(value, "__name__", type(value).__name__)
            raise SetupError(
                f"{name} is not part of NetDesigner's runtime: the project cannot be "
                "exported as a training script yet"
            )
        self.names.add(value.__name__)


def dict_entry(key: str, value: str) -> str:
    """`key: value`, a long text value in parentheses: ruff format then puts it on a line of
    its own where the pair would pass 88 columns (it cannot split a text)."""
    if len(key) + len(value) > PART_LENGTH and value[0] in "'\"":
        return f"{key}: ({value})"
    return f"{key}: {value}"


def text_literal(text: str) -> str:
    """A literal for `text`, as parts in parentheses where it is long."""
    whole = string_literal(text)
    if len(whole) <= LONG_TEXT:
        return whole
    return "(" + " ".join(string_lines(text, "", PART_LENGTH)) + ")"
