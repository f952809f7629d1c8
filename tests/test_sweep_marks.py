"""The sweep section edited one entry at a time, and values read as a person types them."""

from __future__ import annotations

import pytest

from designer.sweep.marks import (
    find_entry,
    shown_value,
    swept_nodes,
    typed_choices,
    typed_value,
    with_entry,
)

LR = {"training": "optimizer.lr", "low": 0.001, "high": 0.1, "log": True}
UNITS = {"node": "n2", "param": "units", "choices": [8, 16]}


def test_an_entry_is_added_replaced_in_its_place_and_taken_out():
    sweep = {"sampler": "grid", "params": [LR]}
    added = with_entry(sweep, "n2", "units", UNITS)
    assert added == {"sampler": "grid", "params": [LR, UNITS]}
    assert sweep == {"sampler": "grid", "params": [LR]}  # the section given is left alone
    wider = {"node": "n2", "param": "units", "low": 4, "high": 64}
    replaced = with_entry(added, "n2", "units", wider)
    assert replaced["params"] == [LR, wider]
    assert find_entry(replaced, "n2", "units") == wider
    assert find_entry(replaced, None, "optimizer.lr") == LR
    assert find_entry(replaced, "n4", "units") is None
    assert swept_nodes(replaced) == {"n2"}
    assert with_entry(replaced, None, "optimizer.lr", None)["params"] == [wider]
    assert with_entry({"params": [UNITS]}, "n2", "units", None) == {}


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        (" 32 ", "int", 32),
        ("1e-3", "float", 0.001),
        ("True", "bool", True),
        ("3x3", "pair", [3, 3]),
        ("5", "pair", 5),
        ("1\u00d728x28", "ints", [1, 28, 28]),
        ("relu", "choice", "relu"),
    ],
)
def test_a_typed_value_is_read_in_its_kind_and_shown_back(text, kind, value):
    assert typed_value(text, kind) == value
    assert typed_value(shown_value(value), kind) == value


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("4.5", "int", "'4.5' is not a whole number"),
        ("fast", "float", "'fast' is not a number"),
        ("yes", "bool", "'yes' is not true or false"),
        ("3 by 3", "pair", "'3 by 3' is not a whole number or sizes such as 3x3"),
        ("8,,16", "int", "a value is empty"),
    ],
)
def test_a_value_that_is_not_one_is_named(text, kind, message):
    with pytest.raises(ValueError, match=message):
        typed_choices(text, kind)
