"""Typed reading of a project's free-form settings, with errors that name the exact place."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from designer.runtime.errors import SetupError

MISSING = object()


class Section:
    """One JSON object of settings; every read checks type and range, `finish` rejects typos."""

    def __init__(self, data: Any, place: str, error: type[SetupError] = SetupError) -> None:
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise error(f"must be an object, got {describe(data)}", place)
        self.data, self.place, self.error, self.read = data, place, error, set()

    def where(self, key: str) -> str:
        return f"{self.place}.{key}" if self.place else key

    def fail(self, key: str, message: str) -> SetupError:
        return self.error(message, self.where(key))

    def raw(self, key: str, default: Any = MISSING) -> Any:
        self.read.add(key)
        if key in self.data and self.data[key] is not None:
            return self.data[key]
        if default is MISSING:
            raise self.fail(key, "is required")
        return default

    def integer(
        self,
        key: str,
        default: Any = MISSING,
        minimum: int | None = None,
        maximum: int | None = None,
    ) -> int:
        value = self.raw(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"must be a whole number, got {describe(value)}")
        self.check_range(key, value, minimum, maximum)
        return value

    def number(
        self,
        key: str,
        default: Any = MISSING,
        minimum: float | None = None,
        maximum: float | None = None,
        positive: bool = False,
    ) -> float:
        value = self.raw(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(key, f"must be a number, got {describe(value)}")
        if positive and value <= 0:
            raise self.fail(key, f"must be greater than 0, got {value}")
        self.check_range(key, value, minimum, maximum)
        return float(value)

    def check_range(self, key: str, value: float, minimum: float | None, maximum: float | None):
        if minimum is not None and value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise self.fail(key, f"must be at most {maximum}, got {value}")

    def boolean(self, key: str, default: Any = MISSING) -> bool:
        value = self.raw(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false, got {describe(value)}")
        return value

    def text(self, key: str, default: Any = MISSING) -> str:
        value = self.raw(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"must be a non-empty text, got {describe(value)}")
        return value

    def choice(self, key: str, default: Any, options: Sequence[str]) -> str:
        value = self.raw(key, default)
        if value not in options:
            raise self.fail(key, f"must be one of {', '.join(options)}; got {describe(value)}")
        return value

    def texts(self, key: str, default: Any = MISSING) -> list[str]:
        value = self.raw(key, default)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, f"must be a list of texts, got {describe(value)}")
        return value

    def child(self, key: str, shorthand: str | None = None) -> Section:
        """A nested object; with `shorthand`, a bare text stands for {shorthand: text}."""
        value = self.raw(key, {})
        if shorthand is not None and isinstance(value, str):
            value = {shorthand: value}
        return Section(value, self.where(key), self.error)

    def finish(self) -> None:
        """Reject settings nobody read: most often a typo, which would otherwise be ignored."""
        unknown = [key for key in self.data if key not in self.read]
        if unknown:
            known = ", ".join(sorted(self.read)) or "none"
            raise self.fail(unknown[0], f"unknown setting (known here: {known})")


def describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
