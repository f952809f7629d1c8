"""The canvases of a project: the network's, and one tab per opened block, with breadcrumbs."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTabWidget, QToolButton, QVBoxLayout, QWidget

from designer.sweep.marks import swept_nodes
from designer.ui.block_panel import BlockPanel
from designer.ui.canvas.scene import GraphScene
from designer.ui.canvas.view import GraphView
from designer.ui.editor import BlockEditor, Editor, GraphEditor
from designer.ui.inspector import InspectorWidget
from designer.ui.problems import ProblemsWidget

CRUMB_SEPARATOR = "\u203a"


@dataclass(eq=False)
class Canvas:
    """One graph on screen: its editor, scene and view, and its own inspector and problems.
    `trail` names the blocks opened on the way here, outermost first (empty for the network)."""

    editor: GraphEditor
    scene: GraphScene
    view: GraphView
    page: QWidget
    panel: BlockPanel | None
    inspector: InspectorWidget
    problems: ProblemsWidget
    trail: list[str] = field(default_factory=list)

    @property
    def block(self) -> str | None:
        return self.trail[-1] if self.trail else None


def make_canvas(editor: GraphEditor, trail: list[str]) -> Canvas:
    scene = GraphScene(editor)
    view = GraphView(scene)
    page: QWidget = view
    panel = None
    if isinstance(editor, BlockEditor):
        page, panel = QWidget(), BlockPanel(editor, scene)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(panel)
        layout.addWidget(view, 1)
    inspector, problems = InspectorWidget(editor), ProblemsWidget(editor)
    return Canvas(editor, scene, view, page, panel, inspector, problems, trail)


class CanvasTabs(QWidget):
    """Tabs of canvases over one project editor; the network's tab is first and stays open.

    A block's tab closes itself when the block goes away (an undone grouping, say)."""

    canvas_added = Signal(object)
    canvas_removed = Signal(object)
    current_changed = Signal(object)

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.crumbs = QHBoxLayout()
        self.crumbs.setContentsMargins(6, 2, 6, 2)
        self.crumb_bar = QWidget()
        self.crumb_bar.setLayout(self.crumbs)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(lambda index: self.close_canvas(self.canvases[index]))
        self.tabs.currentChanged.connect(self._current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.crumb_bar)
        layout.addWidget(self.tabs, 1)
        self.canvases: list[Canvas] = []
        self.main = self._add(make_canvas(editor, []), editor.title)
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        blocks = editor.doc.blocks.events
        blocks.block_removed.connect(self._close_gone)
        blocks.block_replaced.connect(self._close_gone)
        editor.sections_changed.connect(self.show_frozen)
        self.show_frozen()
        editor.sweep_changed.connect(self.show_swept)
        self.show_swept()
        self._current_changed(0)

    def show_frozen(self) -> None:
        """The network's canvas greys and locks the layers training.freeze keeps."""
        self.main.scene.show_frozen(self.editor.frozen)

    def show_swept(self) -> None:
        """The network's canvas tags the layers with a swept param."""
        self.main.scene.show_swept(swept_nodes(self.editor.project.sweep))

    @property
    def current(self) -> Canvas:
        return self.canvases[max(self.tabs.currentIndex(), 0)]

    def canvas_of(self, block: str) -> Canvas | None:
        return next((each for each in self.canvases if each.block == block), None)

    def open_block(self, name: str) -> Canvas:
        """Show the inside of the block `name` in its tab, made if needed, reached from the
        canvas shown now."""
        return self._show_block([*self.current.trail, name])

    def show_canvas(self, canvas: Canvas) -> None:
        self.tabs.setCurrentIndex(self.canvases.index(canvas))

    def show_trail(self, depth: int) -> None:
        """Go back to the canvas `depth` steps along the current trail (0: the network)."""
        trail = self.current.trail[:depth]
        if not trail or trail[-1] not in self.editor.doc.blocks:
            self.show_canvas(self.main)
            return
        self._show_block(trail)

    def _show_block(self, trail: list[str]) -> Canvas:
        """Show the tab of the last block of `trail`, made (with that trail) if there is none."""
        canvas = self.canvas_of(trail[-1])
        if canvas is None:
            editor = self.editor.block_editor(trail[-1])
            canvas = self._add(make_canvas(editor, trail), trail[-1])
            editor.refresh()
            # Fit once the tab has its size: when the event loop has laid it out.
            QTimer.singleShot(0, canvas.view, canvas.view.fit_all)
        self.show_canvas(canvas)
        return canvas

    def close_canvas(self, canvas: Canvas) -> None:
        if canvas is self.main:
            return
        index = self.canvases.index(canvas)
        self.canvases.pop(index)
        self.tabs.removeTab(index)
        canvas.scene.blockSignals(True)
        canvas.scene.detach()
        canvas.inspector.detach()
        if canvas.panel is not None:
            canvas.panel.detach()
        canvas.editor.undo_stack.indexChanged.disconnect(canvas.editor._changed)
        self.canvas_removed.emit(canvas)
        for widget in (canvas.page, canvas.scene, canvas.inspector, canvas.problems):
            widget.deleteLater()
        canvas.editor.deleteLater()

    def retire(self) -> None:
        """Close every block tab and let go of the library's signals."""
        for canvas in list(self.canvases[1:]):
            self.close_canvas(canvas)
        blocks = self.editor.doc.blocks.events
        blocks.block_removed.disconnect(self._close_gone)
        blocks.block_replaced.disconnect(self._close_gone)

    def show_title(self, title: str) -> None:
        self.tabs.setTabText(0, title)
        self._show_crumbs()

    def _add(self, canvas: Canvas, title: str) -> Canvas:
        self.canvases.append(canvas)
        self.canvas_added.emit(canvas)
        index = self.tabs.addTab(canvas.page, title)
        if canvas.block is not None:
            self.tabs.setTabToolTip(index, f"Inside the block {canvas.block}")
        return canvas

    def _close_gone(self, *_) -> None:
        """Close the tabs of blocks gone; trails lose the blocks gone from them."""
        blocks = self.editor.doc.blocks
        for canvas in list(self.canvases[1:]):
            if not canvas.editor.alive:
                self.close_canvas(canvas)
            else:
                canvas.trail = [name for name in canvas.trail if name in blocks]
        self._show_crumbs()

    def _current_changed(self, index: int) -> None:
        if 0 <= index < len(self.canvases):
            self._show_crumbs()
            self.current_changed.emit(self.canvases[index])

    def _show_crumbs(self) -> None:
        while self.crumbs.count():
            item = self.crumbs.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        trail = self.current.trail
        self.crumb_bar.setVisible(bool(trail))
        names = [self.editor.title, *trail]
        for depth, name in enumerate(names):
            if depth:
                self.crumbs.addWidget(QLabel(CRUMB_SEPARATOR))
            if depth == len(names) - 1:
                self.crumbs.addWidget(QLabel(f"<b>{escape(name)}</b>"))
                continue
            button = QToolButton(text=name)
            button.setAutoRaise(True)
            button.setToolTip(f"Back to {name}")
            button.clicked.connect(lambda _=False, d=depth: self.show_trail(d))
            self.crumbs.addWidget(button)
        self.crumbs.addStretch(1)
