"""The Layer Table dock's content: a layer table for each canvas of the project, the shown one's
in front."""

from __future__ import annotations

from PySide6.QtWidgets import QStackedWidget, QWidget

from designer.ui.canvas_tabs import Canvas, CanvasTabs
from designer.ui.layer_table import LayerTableWidget


class LayerTables(QStackedWidget):
    """Follows a project's canvas tabs: a table is made with each canvas and goes with it."""

    def __init__(self, batch_size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.batch_size = batch_size
        self.dock_shown = True
        self.tabs: CanvasTabs | None = None
        self.tables: dict[Canvas, LayerTableWidget] = {}

    def follow(self, tabs: CanvasTabs | None) -> None:
        """Show the tables of `tabs`' canvases (None: of no project), dropping the old ones."""
        if self.tabs is not None:
            self.tabs.canvas_added.disconnect(self.add)
            self.tabs.canvas_removed.disconnect(self.remove)
            self.tabs.current_changed.disconnect(self.show_canvas)
        for table in self.tables.values():
            self.removeWidget(table)
            table.deleteLater()
        self.tables, self.tabs = {}, tabs
        if tabs is None:
            return
        for canvas in tabs.canvases:
            self.add(canvas)
        tabs.canvas_added.connect(self.add)
        tabs.canvas_removed.connect(self.remove)
        tabs.current_changed.connect(self.show_canvas)
        self.show_canvas(tabs.current)

    def add(self, canvas: Canvas) -> None:
        table = LayerTableWidget(canvas.editor, canvas.scene, canvas.view, self.batch_size)
        table.dock_shown = self.dock_shown
        self.tables[canvas] = table
        self.addWidget(table)

    def remove(self, canvas: Canvas) -> None:
        table = self.tables.pop(canvas)
        self.removeWidget(table)
        table.deleteLater()

    def show_canvas(self, canvas: Canvas) -> None:
        self.setCurrentWidget(self.tables[canvas])

    def table(self) -> LayerTableWidget | None:
        """The table of the canvas shown."""
        current = self.currentWidget()
        return current if isinstance(current, LayerTableWidget) else None

    def set_dock_shown(self, shown: bool) -> None:
        """Whether the dock is in sight: tables out of sight leave their work until they are."""
        self.dock_shown = shown
        for table in self.tables.values():
            table.set_dock_shown(shown)

    def set_batch_size(self, batch_size: int) -> None:
        self.batch_size = batch_size
        for table in self.tables.values():
            table.set_batch_size(batch_size)
