"""GUI test set-up: offscreen Qt, isolated settings and recovery files, and a window fixture."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
import torch  # noqa: F401  (imported up front so the window's analysis runs at once)
from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QMenu

from designer.ui.main_window import MainWindow
from designer.ui.theme import apply_theme


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path, monkeypatch):
    """Each test gets empty settings and its own recovery and block library folders."""
    qapp.setApplicationName("NetDesignerTests")
    qapp.setOrganizationName("NetDesignerTests")
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings")
    )
    QSettings().clear()
    monkeypatch.setattr("designer.ui.recovery.recovery_folder", lambda: tmp_path / "recovery")
    monkeypatch.setattr("designer.ui.user_blocks.library_folder", lambda: tmp_path / "blocks")
    apply_theme(qapp)
    yield


class UnexpectedDialog(AssertionError):
    """A modal dialog or menu opened that the test did not answer."""


@pytest.fixture(autouse=True)
def no_blocking_dialogs(monkeypatch):
    """Modal dialogs and menus would wait forever offscreen; tests that expect one answer it."""

    def refuse(*args, **kwargs):
        raise UnexpectedDialog(f"unexpected dialog: {args[1:3]}")

    for name in ("question", "warning", "information", "critical"):
        monkeypatch.setattr(f"PySide6.QtWidgets.QMessageBox.{name}", refuse)
    monkeypatch.setattr("designer.ui.layer_menu.LayerMenu.choose", refuse)

    # PySide6 does not look up a patched `exec` on its own class, so a subclass stands in.
    class RefusedMenu(QMenu):
        def exec(self, *args, **kwargs):
            refuse(self, *args)

    monkeypatch.setattr("designer.ui.main_window.QMenu", RefusedMenu)


@pytest.fixture
def window(qtbot):
    """A shown main window that closes without asking about unsaved changes."""
    main = MainWindow()
    qtbot.addWidget(main)
    main.resize(1400, 900)
    main.show()
    qtbot.waitExposed(main)
    main.confirm_discard = lambda: True
    yield main


@pytest.fixture
def example():
    """The path of an example project by name."""
    from tests.helpers import PROJECTS

    return lambda name: PROJECTS / f"{name}.json"
