"""Another valid value of a param, to see which constructor arguments follow it."""

from __future__ import annotations

from typing import Any

from nodes.params import (
    BoolParam,
    ChoiceParam,
    FloatParam,
    IntParam,
    IntsParam,
    PairParam,
    ParamError,
    ParamSpec,
    sides,
)


def changed_values(spec: ParamSpec, value: Any) -> list[Any]:
    """Valid values of `spec` other than `value`, those unlikely to equal other arguments first
    (a block may accept only some, such as heads that divide the width)."""
    if isinstance(spec, BoolParam):
        candidates = [not value]
    elif isinstance(spec, IntParam):
        candidates = [value + 7, value * 2, value + 1, value - 1, value // 2]
    elif isinstance(spec, FloatParam):
        candidates = [value * 0.5 + 0.0625, value + 0.125, value - 0.125]
    elif isinstance(spec, ChoiceParam):
        candidates = [choice for choice in spec.choices if choice != value]
    elif isinstance(spec, IntsParam):
        candidates = [tuple(item + 7 for item in value), tuple(item + 1 for item in value)]
    elif isinstance(spec, PairParam):
        height, width = sides(value)
        candidates = [(height + 7, width + 7), (height + 1, width + 1), (height + 7, width + 1)]
    else:
        return []
    found = []
    for candidate in candidates:
        try:
            checked = spec.coerce(candidate)
        except ParamError:
            continue
        if checked != value and checked not in found:
            found.append(checked)
    return found
