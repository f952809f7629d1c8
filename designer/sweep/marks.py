"""The sweep section edited one entry at a time: which entry sweeps a node's param or a
training setting, and the section with that entry set, replaced or taken out."""

from __future__ import annotations

import copy
from typing import Any

NUMBER_KINDS = ("int", "float")  # params a range can sweep


def entry_target(entry: dict[str, Any]) -> tuple[str | None, str]:
    """(node id, param) of a node param's entry; (None, dotted place) of a setting's."""
    if "node" in entry:
        return entry["node"], entry.get("param", "")
    return None, entry.get("training", "")


def find_entry(sweep: dict[str, Any], node: str | None, param: str) -> dict[str, Any] | None:
    """The entry sweeping `param` of the node `node` (None: the training setting `param`)."""
    for entry in sweep.get("params", []):
        if entry_target(entry) == (node, param):
            return entry
    return None


def with_entry(
    sweep: dict[str, Any], node: str | None, param: str, entry: dict[str, Any] | None
) -> dict[str, Any]:
    """A copy of `sweep` where `entry` sweeps that param (None: it is no longer swept); an
    entry already there keeps its place. A section left with no params is empty."""
    section = copy.deepcopy(sweep)
    params = section.setdefault("params", [])
    places = [index for index, old in enumerate(params) if entry_target(old) == (node, param)]
    if entry is None:
        params[:] = [old for index, old in enumerate(params) if index not in places]
    elif places:
        params[places[0]] = copy.deepcopy(entry)
    else:
        params.append(copy.deepcopy(entry))
    return section if params else {}


def swept_nodes(sweep: dict[str, Any]) -> set[str]:
    """The ids of the nodes with a swept param."""
    return {
        entry["node"] for entry in sweep.get("params", []) if isinstance(entry.get("node"), str)
    }


def typed_value(text: str, kind: str) -> Any:
    """One value as a person types it, in the param's kind: 32, 0.01, true, 3x3, relu.
    ValueError says what is wrong with it."""
    text = text.strip()
    if not text:
        raise ValueError("a value is empty")
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a whole number") from None
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a number") from None
    if kind == "bool":
        if text.lower() not in ("true", "false"):
            raise ValueError(f"{text!r} is not true or false")
        return text.lower() == "true"
    if kind in ("pair", "ints"):
        parts = [part.strip() for part in text.lower().replace("\u00d7", "x").split("x")]
        if not all(part.lstrip("-").isdigit() for part in parts):
            raise ValueError(f"{text!r} is not a whole number or sizes such as 3x3")
        numbers = [int(part) for part in parts]
        return numbers[0] if kind == "pair" and len(numbers) == 1 else numbers
    return text


def typed_choices(text: str, kind: str) -> list[Any]:
    """Values separated by commas, each as typed_value reads it."""
    return [typed_value(part, kind) for part in text.split(",")]


def shown_value(value: Any) -> str:
    """A value as a person types it back."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list | tuple):
        return "x".join(str(part) for part in value)
    return str(value)
