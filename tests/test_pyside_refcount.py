"""Regression: PySide6 6.12.0's shiboken drops a reference to None per void call on Python 3.11."""

from __future__ import annotations

import sys

import pytest

CALLS = 1_000_000


def test_void_qt_calls_keep_none_alive():
    qtcore = pytest.importorskip("PySide6.QtCore")
    point = qtcore.QPointF()
    before = sys.getrefcount(None)
    for value in range(CALLS):
        point.setX(value)
    # A leak-free build leaves the count where it was; the broken one loses one per call.
    assert sys.getrefcount(None) > before - CALLS // 100
