"""Menu entries that act on one node yet show the shortcut of the window's matching action."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu


def add_like(menu: QMenu, shared: QAction, slot, text: str | None = None) -> QAction:
    """Add an entry running `slot`, worded and keyed as `shared` (its keys work in the menu)."""
    entry = menu.addAction(text or shared.text(), slot)
    entry.setShortcuts(shared.shortcuts())
    entry.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # no clash with `shared`
    return entry
