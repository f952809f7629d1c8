"""The Experiments dock: the open project's Experiments panel, made when the dock is first
shown (it brings in Optuna and pyqtgraph), and let go with the project."""

from __future__ import annotations

from PySide6.QtWidgets import QDockWidget, QWidget

from designer.ui.editor import Editor


class ExperimentsDock(QDockWidget):
    def __init__(self, parent: QWidget) -> None:
        super().__init__("Experiments", parent)
        self.setObjectName("dock_experiments")
        self.editor: Editor | None = None
        self._panel = None
        self.visibilityChanged.connect(self.shown)

    def follow(self, editor: Editor | None) -> None:
        """Show `editor`'s project from now on (None: no project is open)."""
        if self._panel is not None:
            self._panel.shut_down()
            self._panel.deleteLater()
            self._panel = None
        self.editor = editor
        if editor is not None and self.isVisible() and not self.visibleRegion().isEmpty():
            self.shown(True)

    @property
    def panel(self):
        """The open project's panel, made when first needed."""
        if self._panel is None and self.editor is not None:
            from designer.ui.experiments.panel import ExperimentPanel

            self._panel = ExperimentPanel(self.editor)
            self.setWidget(self._panel)
        return self._panel

    def shown(self, visible: bool) -> None:
        if visible and self.editor is not None:
            self.panel.show()
