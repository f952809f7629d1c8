"""Start the designer: the application object, theme, window, and the file or start page."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from designer.cli_inspection import KINETO_QUIET
from designer.ui.main_window import MainWindow
from designer.ui.theme import app_icon, apply_theme
from designer.ui.torch_loader import torch_loader


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("NetDesigner")
    app.setOrganizationName("NetDesigner")
    app.setWindowIcon(app_icon())
    apply_theme(app)
    app.styleHints().colorSchemeChanged.connect(lambda _: follow_color_scheme(app))
    return app


def follow_color_scheme(app: QApplication) -> None:
    """The system switched between light and dark: restyle widgets and repaint canvases."""
    apply_theme(app)
    for widget in app.topLevelWidgets():
        if isinstance(widget, MainWindow) and widget.scene is not None:
            for item in widget.scene.items():
                item.update()
            widget.scene.update()


def open_window(path: str | None = None) -> MainWindow:
    """A shown window: the given project, else a recovered one, else the start page."""
    torch_loader().start()
    window = MainWindow()
    window.show()
    if path is None:
        window.offer_recovery()
    elif not window.offer_recovery(Path(path)):
        window.open_file(Path(path))
    return window


def run(argv: list[str]) -> int:
    # Read when torch loads: Profile Layers' library otherwise prints trace lines to stderr.
    os.environ.setdefault("KINETO_LOG_LEVEL", KINETO_QUIET)
    app = application()
    window = open_window(argv[0] if argv else None)
    window.raise_()
    return app.exec()
