"""Typed layer parameters: defaults, ranges, choices, checking and JSON conversion."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


class ParamError(ValueError):
    """A param value that does not fit its spec; the message says why in plain words."""


@dataclass(frozen=True)
class ParamSpec:
    """Base of every param type: a name, a default and a one-line help text."""

    name: str
    default: Any
    help: str
    kind: ClassVar[str] = "param"

    def coerce(self, value: Any) -> Any:
        """Return the value in its canonical type, or raise ParamError."""
        raise NotImplementedError

    def to_json(self, value: Any) -> Any:
        return value


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"expected a whole number, got {value!r}")
    return value


def _check_range(value: float, low: float | None, high: float | None) -> None:
    if low is not None and value < low:
        raise ParamError(f"{value!r} is below the minimum {low!r}")
    if high is not None and value > high:
        raise ParamError(f"{value!r} is above the maximum {high!r}")


@dataclass(frozen=True)
class IntParam(ParamSpec):
    """A whole number within [min, max]."""

    min: int | None = None
    max: int | None = None
    kind: ClassVar[str] = "int"

    def coerce(self, value: Any) -> int:
        number = _whole_number(value)
        _check_range(number, self.min, self.max)
        return number


@dataclass(frozen=True)
class FloatParam(ParamSpec):
    """A real number within [min, max]."""

    min: float | None = None
    max: float | None = None
    kind: ClassVar[str] = "float"

    def coerce(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamError(f"expected a number, got {value!r}")
        try:
            number = float(value)
        except OverflowError:
            raise ParamError(f"{value!r} is too large") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ParamError(f"expected a finite number, got {value!r}")
        _check_range(number, self.min, self.max)
        return number


@dataclass(frozen=True)
class BoolParam(ParamSpec):
    """On or off."""

    kind: ClassVar[str] = "bool"

    def coerce(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ParamError(f"expected true or false, got {value!r}")
        return value


@dataclass(frozen=True)
class ChoiceParam(ParamSpec):
    """One of a fixed set of strings."""

    choices: tuple[str, ...] = ()
    kind: ClassVar[str] = "choice"

    def coerce(self, value: Any) -> str:
        if value not in self.choices or not isinstance(value, str):
            options = ", ".join(self.choices)
            raise ParamError(f"expected one of {options}, got {value!r}")
        return value


@dataclass(frozen=True)
class PairParam(ParamSpec):
    """One whole number for both sides of a 2-D window, or a (height, width) pair of them, each
    within [min, max]. Canonically an int when the sides agree, so square windows keep the
    form (and the code) a single number gives."""

    min: int | None = None
    max: int | None = None
    kind: ClassVar[str] = "pair"

    def coerce(self, value: Any) -> int | tuple[int, int]:
        if isinstance(value, int) and not isinstance(value, bool):
            value = (value,)
        if not isinstance(value, list | tuple) or not 1 <= len(value) <= 2:
            raise ParamError(f"expected a whole number or a (height, width) pair, got {value!r}")
        numbers = tuple(_whole_number(item) for item in value)
        for number in numbers:
            _check_range(number, self.min, self.max)
        return numbers[0] if len(set(numbers)) == 1 else numbers

    def to_json(self, value: int | tuple[int, int]) -> int | list[int]:
        return list(value) if isinstance(value, tuple) else value


def sides(value: int | tuple[int, int]) -> tuple[int, int]:
    """A PairParam's value as (height, width)."""
    return value if isinstance(value, tuple) else (value, value)


@dataclass(frozen=True)
class IntsParam(ParamSpec):
    """A tuple of whole numbers, each within [min, max], of a length within [min_len, max_len]."""

    min: int | None = None
    max: int | None = None
    min_len: int = 1
    max_len: int = 8
    kind: ClassVar[str] = "ints"

    def coerce(self, value: Any) -> tuple[int, ...]:
        if isinstance(value, int) and not isinstance(value, bool):
            value = (value,)
        if not isinstance(value, list | tuple):
            raise ParamError(f"expected a list of whole numbers, got {value!r}")
        if not self.min_len <= len(value) <= self.max_len:
            raise ParamError(f"expected {self.min_len} to {self.max_len} numbers, got {len(value)}")
        numbers = tuple(_whole_number(item) for item in value)
        for number in numbers:
            _check_range(number, self.min, self.max)
        return numbers

    def to_json(self, value: tuple[int, ...]) -> list[int]:
        return list(value)


@dataclass(frozen=True)
class TextParam(ParamSpec):
    """Text of at most `max_length` characters; `multiline` text (code) keeps its line breaks,
    other text is one line."""

    max_length: int = 200
    multiline: bool = False
    kind: ClassVar[str] = "text"

    def coerce(self, value: Any) -> str:
        if not isinstance(value, str):
            raise ParamError(f"expected text, got {value!r}")
        if len(value) > self.max_length:
            raise ParamError(f"is {len(value):,} characters long; at most {self.max_length:,}")
        if not self.multiline and ("\n" in value or "\r" in value):
            raise ParamError("expected one line of text")
        return value
