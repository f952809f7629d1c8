"""Layers on the clipboard as project JSON text, so they paste into this or another window."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtGui import QGuiApplication

# Plain text, not a custom QMimeData: PySide6 6.11 crashes at exit when the clipboard still owns
# a QMimeData made in Python. The JSON's own "format" field tells our layers from other text.


def copy_fragment(data: dict[str, Any]) -> None:
    QGuiApplication.clipboard().setText(json.dumps(data, ensure_ascii=False))


def read_fragment() -> Any | None:
    """The clipboard's text as parsed JSON, or None when it is not JSON."""
    text = QGuiApplication.clipboard().text()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
