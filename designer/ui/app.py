"""Start the designer: the application object, theme, window, and the file or start page."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from designer.ui.main_window import MainWindow
from designer.ui.theme import app_icon, apply_theme
from designer.ui.torch_loader import torch_loader


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NetDesigner")
    app.setOrganizationName("NetDesigner")
    app.setWindowIcon(app_icon())
    apply_theme(app)
    return app


def open_window(path: str | None = None) -> MainWindow:
    """A shown window: the given project, else a recovered one, else the start page."""
    torch_loader().start()
    window = MainWindow()
    window.show()
    if path is not None:
        window.open_file(Path(path))
    else:
        window.offer_recovery()
    return window


def run(argv: list[str]) -> int:
    app = application()
    window = open_window(argv[0] if argv else None)
    window.raise_()
    return app.exec()
