"""Shared fixtures: each example project in turn."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import EXAMPLES


@pytest.fixture(params=EXAMPLES, ids=[path.stem for path in EXAMPLES])
def example_path(request) -> Path:
    return request.param
