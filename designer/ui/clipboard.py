"""Layers on the clipboard as project JSON, so they paste into this or another window."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication

FRAGMENT_MIME = "application/x-netdesigner-fragment"


def copy_fragment(data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False)
    mime = QMimeData()
    mime.setData(FRAGMENT_MIME, text.encode("utf-8"))
    mime.setText(text)
    QGuiApplication.clipboard().setMimeData(mime)


def read_fragment() -> Any | None:
    """The clipboard's layers as parsed JSON, or None when it holds something else."""
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None:
        return None
    if mime.hasFormat(FRAGMENT_MIME):
        text = bytes(mime.data(FRAGMENT_MIME)).decode("utf-8", errors="replace")
    elif mime.hasText():
        text = mime.text()
    else:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
