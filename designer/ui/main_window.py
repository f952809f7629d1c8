"""The designer window: canvas, palette, inspector, problems, menus, files and status."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSpinBox,
    QStackedWidget,
)
from shiboken6 import isValid

from designer.compiler import CompileError, GraphReport, generate
from designer.compiler.code_trust import withheld_nodes
from designer.compiler.summary import human, human_bytes
from designer.model.edits import add_after, delete, splice, wire
from designer.model.layout import apply_layout
from designer.model.placement import free_spot
from designer.project import Project, ProjectError, load_project
from designer.project.block_sharing import fragment_with_blocks, paste_with_blocks
from designer.project.examples import examples
from designer.ui import recovery
from designer.ui.block_actions import group_selection, ungroup_selection
from designer.ui.cached_analysis import analyzed_from_cache
from designer.ui.canvas.items import NodeItem
from designer.ui.canvas.scene import GraphScene
from designer.ui.canvas.view import GraphView
from designer.ui.canvas_tabs import Canvas, CanvasTabs
from designer.ui.clipboard import copy_fragment, read_fragment
from designer.ui.editor import Editor, GraphEditor
from designer.ui.experiments.dock import ExperimentsDock
from designer.ui.inspector import InspectorWidget
from designer.ui.layer_menu import LayerMenu
from designer.ui.layer_profiling import LayerProfiling
from designer.ui.layer_tables import LayerTables
from designer.ui.menu_entries import add_like
from designer.ui.palette import PaletteWidget
from designer.ui.palette_target import palette_layer, wire_source
from designer.ui.problems import ProblemsWidget
from designer.ui.rename import RenameField
from designer.ui.start_page import StartPage
from designer.ui.theme import app_icon
from designer.ui.torch_loader import torch_loader
from designer.ui.training.panel import TrainPanel
from designer.ui.transfer_actions import (
    add_freezing_entries,
    ask_replace_head,
    can_be_head,
    set_selection_trainable,
)
from designer.ui.trust_prompt import (
    ask_trust,
    carries_trusted_code,
    offer_trust,
    remember_trusted,
    saved_hash,
)
from designer.ui.user_blocks import add_from_library, fill_library_menu, save_to_library
from nodes import Role
from nodes.block import BLOCK_KIND, BLOCK_PARAM

MAX_RECENT = 8
DEFAULT_BATCH = 32
FILE_FILTER = "NetDesigner projects (*.json)"
WORKING_OUT_SHAPES = "Working out shapes\u2026"


class MainWindow(QMainWindow):
    """One window holds one project; every edit goes through its Editor's undo stack."""

    def __init__(self) -> None:
        super().__init__()
        self.setWindowIcon(app_icon())
        self.resize(1400, 860)
        self.editor: Editor | None = None
        self.tabs: CanvasTabs | None = None
        self.stack = QStackedWidget()
        self.start_page = StartPage()
        self.stack.addWidget(self.start_page)
        self.setCentralWidget(self.stack)
        self.palette = PaletteWidget()
        self.palette_dock = self.add_dock(
            "Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.inspectors, self.problem_lists = QStackedWidget(), QStackedWidget()
        self.inspector_dock = self.add_dock(
            "Inspector", self.inspectors, Qt.DockWidgetArea.RightDockWidgetArea
        )
        self.problems_dock = self.add_dock(
            "Problems", self.problem_lists, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.training_dock = self.add_dock("Training", None, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.problems_dock, self.training_dock)
        self.layer_tables = LayerTables(DEFAULT_BATCH)
        self.layer_table_dock = self.add_dock(
            "Layer Table", self.layer_tables, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.tabifyDockWidget(self.training_dock, self.layer_table_dock)
        self.experiments_dock = ExperimentsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.experiments_dock)
        self.tabifyDockWidget(self.training_dock, self.experiments_dock)
        self.layer_table_dock.visibilityChanged.connect(self.layer_tables.set_dock_shown)
        self.layer_table_dock.toggleViewAction().triggered.connect(
            lambda shown: shown and self.layer_table_dock.raise_()
        )
        self.problems_dock.raise_()
        self.training_dock.visibilityChanged.connect(self.training_dock_shown)
        self._train_panel = None
        self.status_totals = QLabel("No project open")
        self.batch_size = QSpinBox(minimum=1, maximum=65_536, value=DEFAULT_BATCH)
        self.batch_size.setPrefix("batch ")
        self.batch_size.setToolTip("Batch size for the activation memory estimate")
        self.batch_size.valueChanged.connect(
            lambda _: self.editor and self.show_totals(self.editor.report)
        )
        self.batch_size.valueChanged.connect(self.layer_tables.set_batch_size)
        self.statusBar().addPermanentWidget(self.status_totals)
        self.statusBar().addPermanentWidget(self.batch_size)
        self.status_valid = QLabel()
        self.statusBar().addPermanentWidget(self.status_valid)
        self.autosave = QTimer(self, singleShot=True, interval=1500)
        self.recovery_copy: Path | None = None
        self.autosave.timeout.connect(self.write_recovery)
        self.build_actions()
        self.build_menus()
        self.palette.kind_activated.connect(self.add_layer_from_palette)
        self.start_page.new_requested.connect(self.new_project)
        self.start_page.open_requested.connect(lambda: self.open_file())
        self.start_page.path_chosen.connect(self.open_file)
        self.start_page.pretrained_chosen.connect(self.new_from_pretrained)
        self.resizeDocks(
            [self.palette_dock, self.inspector_dock], [230, 320], Qt.Orientation.Horizontal
        )
        self.resizeDocks([self.problems_dock], [150], Qt.Orientation.Vertical)
        settings = QSettings()
        self.restoreGeometry(settings.value("window/geometry", b""))
        self.restoreState(settings.value("window/state", b""))
        self.refresh_recent()
        self.update_state()

    # -- construction --------------------------------------------------------------------------

    def add_dock(self, title: str, widget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower()}")
        if widget is not None:
            dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def action(self, text: str, slot, shortcut=None, needs_project: bool = True) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            sequences = []
            for key in shortcuts:
                for sequence in (
                    QKeySequence.keyBindings(key)
                    if not isinstance(key, str)
                    else [QKeySequence(key)]
                ):
                    if sequence not in sequences:
                        sequences.append(sequence)
            action.setShortcuts(sequences)
        action.triggered.connect(lambda _=False: slot())
        action.setProperty("needs_project", needs_project)
        self.addAction(action)
        return action

    def build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_action = self.action("&New", self.new_project, keys.New, needs_project=False)
        self.open_action = self.action(
            "&Open\u2026", self.open_file, keys.Open, needs_project=False
        )
        self.save_action = self.action("&Save", self.save, keys.Save)
        self.save_as_action = self.action("Save &As\u2026", self.save_as, keys.SaveAs)
        self.revert_action = self.action("&Revert", self.revert)
        self.properties_action = self.action("Project Propert&ies\u2026", self.edit_properties)
        self.import_action = self.action(
            "&Import PyTorch Module\u2026", self.import_module, needs_project=False
        )
        self.pretrained_action = self.action(
            "New From &Pretrained\u2026", self.new_from_pretrained, needs_project=False
        )
        self.export_action = self.action("&Export\u2026", self.export, "Ctrl+E")
        self.trust_action = self.action("&Trust Project Code\u2026", self.trust_code)
        self.quit_action = self.action("&Quit", self.close, keys.Quit, needs_project=False)
        self.undo_action = self.action("&Undo", lambda: self.editor.undo(), keys.Undo)
        self.redo_action = self.action(
            "&Redo", lambda: self.editor.redo(), [keys.Redo, "Ctrl+Shift+Z", "Ctrl+Y"]
        )
        self.cut_action = self.action("Cu&t", self.cut, keys.Cut)
        self.copy_action = self.action("&Copy", self.copy, keys.Copy)
        self.paste_action = self.action("&Paste", self.paste, keys.Paste)
        self.duplicate_action = self.action("D&uplicate", self.duplicate, "Ctrl+D")
        self.delete_action = self.action(
            "&Delete", self.delete_selection, [keys.Delete, "Backspace"]
        )
        self.select_all_action = self.action("Select &All", self.select_all, keys.SelectAll)
        self.rename_action = self.action("Re&name", self.rename_selected, "F2")
        self.group_action = self.action(
            "&Group into Block\u2026",
            lambda: group_selection(self, self.current_editor, self.scene),
            "Ctrl+G",
        )
        self.ungroup_action = self.action(
            "U&ngroup Block",
            lambda: ungroup_selection(self.current_editor, self.scene),
            "Ctrl+Shift+G",
        )
        self.save_block_action = self.action(
            "Save Block to My &Library", self.save_block_to_library
        )
        self.layout_action = self.action("Auto &Layout", self.auto_layout, "Ctrl+L")
        self.layout_down_action = self.action(
            "Auto Layout, Top to &Bottom", lambda: self.auto_layout("down"), "Ctrl+Shift+L"
        )
        self.fit_action = self.action("&Fit to View", lambda: self.view.fit_all(), "F")
        self.zoom_in_action = self.action(
            "Zoom &In", lambda: self.view.zoom_in(), ["Ctrl++", "Ctrl+="]
        )
        self.zoom_out_action = self.action("Zoom &Out", lambda: self.view.zoom_out(), "Ctrl+-")
        self.actual_size_action = self.action(
            "&Actual Size (100%)", lambda: self.view.actual_size(), "Ctrl+0"
        )
        self.code_action = self.action("Show &Code", self.show_code, "Ctrl+Shift+C")
        self.replace_head_action = self.action("Replace &Head\u2026", self.replace_head)
        self.freeze_action = self.action(
            "&Freeze Selected Layers", lambda: self.set_selection_trainable(False)
        )
        self.unfreeze_action = self.action(
            "Unfree&ze Selected Layers", lambda: self.set_selection_trainable(True)
        )

    def build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.pretrained_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        examples_menu = file_menu.addMenu("&Examples")
        for title, path in examples():
            examples_menu.addAction(title, lambda p=path: self.open_file(p))
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action, self.revert_action])
        file_menu.addAction(self.properties_action)
        file_menu.addSeparator()
        file_menu.addActions([self.import_action, self.export_action, self.trust_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions(
            [self.cut_action, self.copy_action, self.paste_action, self.duplicate_action]
        )
        edit_menu.addActions([self.delete_action, self.select_all_action, self.rename_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.group_action, self.ungroup_action, self.save_block_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.freeze_action, self.unfreeze_action, self.replace_head_action])
        self.library_menu = edit_menu.addMenu("Add Block from My Li&brary")
        self.library_menu.aboutToShow.connect(
            lambda: fill_library_menu(self.library_menu, self.add_library_block)
        )
        view_menu = bar.addMenu("&View")
        view_menu.addActions(
            [self.zoom_in_action, self.zoom_out_action, self.actual_size_action, self.fit_action]
        )
        view_menu.addSeparator()
        view_menu.addActions([self.layout_action, self.layout_down_action, self.code_action])
        view_menu.addSeparator()
        for dock in (
            self.palette_dock,
            self.inspector_dock,
            self.problems_dock,
            self.training_dock,
            self.experiments_dock,
            self.layer_table_dock,
        ):
            view_menu.addAction(dock.toggleViewAction())
        self.profiling = LayerProfiling(self, view_menu)

    # -- the open project ------------------------------------------------------------------------

    def set_project(self, project: Project, modified: bool = False) -> None:
        """Show `project` in this window, replacing what was open."""
        self.retire_project()
        editor = self.editor = Editor(project, self)
        self.tabs = CanvasTabs(editor)
        self.add_canvas(self.tabs.main)
        self.layer_tables.follow(self.tabs)
        self.tabs.canvas_added.connect(self.add_canvas)
        self.tabs.canvas_removed.connect(self.remove_canvas)
        self.tabs.current_changed.connect(self.canvas_shown)
        self.stack.addWidget(self.tabs)
        self.stack.setCurrentWidget(self.tabs)
        self.canvas_shown(self.tabs.main)
        self.experiments_dock.follow(editor)
        if self.training_dock.isVisible() and not self.training_dock.visibleRegion().isEmpty():
            self.train_panel.show()
        blocks = editor.doc.blocks.events
        for signal in (blocks.block_added, blocks.block_removed, blocks.block_replaced):
            signal.connect(self.show_blocks)
        events = editor.doc.events
        for signal in (
            events.node_added,
            events.node_removed,
            events.edge_added,
            events.edge_removed,
            events.param_changed,
            blocks.block_changed,
        ):
            signal.connect(self.network_changed)
        self.show_blocks()
        editor.analysis_changed.connect(self.show_totals)
        editor.state_changed.connect(self.update_state)
        # Bound methods, not lambdas: Qt drops these connections when the window goes away.
        editor.edit_failed.connect(self.show_refusal)
        editor.undo_stack.indexChanged.connect(self.edited)
        editor.undo_stack.canUndoChanged.connect(self.update_state)
        editor.undo_stack.canRedoChanged.connect(self.update_state)
        if modified:
            editor.undo_stack.resetClean()
        self.update_state()
        self.view.fit_all()
        if not analyzed_from_cache(editor):
            self.status_totals.setText(WORKING_OUT_SHAPES)  # until the first analysis is shown
            self.status_valid.clear()
            self.statusBar().showMessage("Loading PyTorch to work out shapes\u2026")
            torch_loader().when_ready(lambda: self.first_analysis(editor))

    def retire_project(self) -> None:
        """Let go of the open project: nothing it holds may call back into this window."""
        if self.editor is None:
            return
        self.drop_recovery()
        self.profiling.clear()
        self.layer_tables.follow(None)
        self.experiments_dock.follow(None)
        if self._train_panel is not None:
            self._train_panel.shut_down()
            self._train_panel.deleteLater()
            self._train_panel = None
        self.tabs.retire()
        main = self.tabs.main
        main.scene.blockSignals(True)
        self.editor.doc.events.disconnect()
        self.editor.doc.blocks.events.disconnect()
        self.editor.blockSignals(True)
        self.editor.undo_stack.blockSignals(True)
        self.remove_canvas(main)
        self.stack.removeWidget(self.tabs)
        for old in (self.tabs, main.scene, self.editor, main.inspector, main.problems):
            old.deleteLater()
        self.editor, self.tabs = None, None

    @property
    def scene(self) -> GraphScene | None:
        """The scene of the canvas shown: the network's, or an opened block's."""
        return self.tabs.current.scene if self.tabs is not None else None

    @property
    def view(self) -> GraphView | None:
        return self.tabs.current.view if self.tabs is not None else None

    @property
    def inspector(self) -> InspectorWidget | None:
        return self.tabs.current.inspector if self.tabs is not None else None

    @property
    def problems(self) -> ProblemsWidget | None:
        return self.tabs.current.problems if self.tabs is not None else None

    @property
    def current_editor(self) -> GraphEditor:
        """The editor of the graph shown: edits from menus and the canvas go to it."""
        return self.tabs.current.editor

    def add_canvas(self, canvas: Canvas) -> None:
        """Connect a new canvas (the network's or a block's) to the window."""
        canvas.scene.selectionChanged.connect(self.selection_changed)
        canvas.scene.wire_dropped_on_canvas.connect(self.offer_layers_for_wire)
        canvas.scene.rename_requested.connect(self.start_rename)
        canvas.scene.open_requested.connect(self.open_block_of)
        canvas.scene.context_menu_requested.connect(self.node_menu)
        canvas.view.kind_dropped.connect(self.add_layer)
        canvas.view.kind_dropped_on_wire.connect(self.splice_layer)
        canvas.problems.node_requested.connect(self.frame_node)
        self.inspectors.addWidget(canvas.inspector)
        self.problem_lists.addWidget(canvas.problems)
        self.profiling.paint(canvas)

    def remove_canvas(self, canvas: Canvas) -> None:
        self.inspectors.removeWidget(canvas.inspector)
        self.problem_lists.removeWidget(canvas.problems)

    def canvas_shown(self, canvas: Canvas) -> None:
        self.inspectors.setCurrentWidget(canvas.inspector)
        self.problem_lists.setCurrentWidget(canvas.problems)
        self.selection_changed()

    def open_block_of(self, node_id: str) -> None:
        """Open the inside of the block instance `node_id` of the canvas shown, in its tab."""
        node = self.current_editor.doc.node(node_id)
        if node.kind == BLOCK_KIND:
            self.tabs.open_block(node.params[BLOCK_PARAM])

    @property
    def train_panel(self) -> TrainPanel:
        """The open project's Train panel, made when first needed (it brings in pyqtgraph)."""
        if self._train_panel is None:
            self._train_panel = TrainPanel(self.editor)
            self._train_panel.progress_changed.connect(self.statusBar().showMessage)
            self._train_panel.layers_sampled.connect(self.show_live_layers)
            self.selection_changed()
            self.training_dock.setWidget(self._train_panel)
        return self._train_panel

    def training_dock_shown(self, visible: bool) -> None:
        if visible and self.editor is not None:
            self.train_panel.show()

    def first_analysis(self, editor: Editor) -> None:
        if editor is self.editor:
            self.statusBar().clearMessage()
            editor.refresh()

    def show_blocks(self, *_) -> None:
        blocks = self.editor.doc.blocks
        self.palette.show_blocks([(block.name, block.description) for block in blocks])

    def show_refusal(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)

    def edited(self, _index: int) -> None:
        self.autosave.start()
        self.view.grow_scene_rect()

    def network_changed(self, *_) -> None:
        """The live values belong to the network that ran: a changed layer, wire or block
        clears them (a move or a new name keeps them)."""
        self.tabs.main.scene.show_live({})
        self.profiling.clear()

    def show_live_layers(self, layers: dict) -> None:
        if self.tabs is not None:  # samples may still arrive while the project closes
            self.tabs.main.scene.show_live(layers)

    def update_state(self, *_) -> None:
        editor = self.editor
        for action in self.actions():
            if action.property("needs_project"):
                action.setEnabled(editor is not None)
        self.library_menu.setEnabled(editor is not None)
        if editor is None:
            self.setWindowTitle("NetDesigner")
            return
        self.undo_action.setEnabled(editor.undo_stack.canUndo())
        self.redo_action.setEnabled(editor.undo_stack.canRedo())
        self.undo_action.setText(f"&Undo {editor.undo_stack.undoText()}".strip())
        self.redo_action.setText(f"&Redo {editor.undo_stack.redoText()}".strip())
        self.revert_action.setEnabled(editor.project.path is not None)
        self.setWindowTitle(f"{editor.title}[*] \u2014 NetDesigner")
        self.tabs.show_title(editor.title)
        self.setWindowModified(editor.modified)

    def show_totals(self, report: GraphReport) -> None:
        errors = len(report.errors)
        validity = "\u2714 valid" if not errors else f"\u2716 {errors} error(s)"
        memory = human_bytes(report.activation_bytes(self.batch_size.value()))
        self.status_totals.setText(
            f"Parameters {report.total_params:,}   MACs {human(report.total_macs)}   "
            f"Activations {memory} at"
        )
        self.status_valid.setText(validity)
        # The status bar lays out its permanent widgets only when asked to.
        self.statusBar().layout().activate()

    # -- files ---------------------------------------------------------------------------------

    def new_project(self) -> None:
        if self.confirm_discard():
            self.set_project(Project())

    def open_file(self, path: Path | str | None = None) -> bool:
        if not self.confirm_discard():
            return False
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(self, "Open project", "", FILE_FILTER)
            if not chosen:
                return False
            path = chosen
        try:
            project = load_project(path)
        except ProjectError as error:
            QMessageBox.warning(self, "Cannot open the project", str(error))
            return False
        offer_trust(self, project, saved_hash(path))
        self.set_project(project)
        self.remember(Path(path))
        return True

    def import_module(self):
        """Trace a PyTorch module into a new, unsaved project; returns the dialog (for tests)."""
        from designer.ui.import_dialog import ImportDialog

        dialog = ImportDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.open_imported(dialog.result))
        dialog.open()
        return dialog

    def new_from_pretrained(self, model: str | None = None):
        """Choose a pretrained network to start a new, unsaved project from; returns the
        dialog (for tests)."""
        from designer.ui.pretrained_dialog import PretrainedDialog

        dialog = PretrainedDialog(self, model or None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.open_imported(dialog.result))
        dialog.open()
        return dialog

    def set_selection_trainable(self, trainable: bool) -> None:
        if self.tabs.current is not self.tabs.main:  # a block's inside freezes as one
            self.editor.edit_failed.emit("Freeze the block's instances on the network's tab")
            return
        set_selection_trainable(self.editor, self.scene.selected_node_ids(), trainable)

    def replace_head(self, node_id: str | None = None):
        """Ask for the classes, then resize the head; returns the dialog (for tests)."""
        if self.tabs.current is not self.tabs.main:
            self.tabs.show_canvas(self.tabs.main)
        selected = self.scene.selected_node_ids()
        node_id = node_id or (selected[0] if len(selected) == 1 else None)
        return ask_replace_head(self, self.editor, node_id)

    def open_imported(self, result) -> None:
        if not self.confirm_discard():
            return
        self.set_project(result.project, modified=True)
        layers = sum(1 for node in result.project.graph.nodes() if node.spec.role == Role.LAYER)
        self.statusBar().showMessage(f"Imported {layers} layers, {result.params:,} parameters")
        if result.notes:
            QMessageBox.information(
                self, "Imported, with notes", "\n".join(f"\u2022 {note}" for note in result.notes)
            )

    def edit_properties(self):
        """The project's name and description; OK is one undoable step. Returns the dialog (for
        tests)."""
        from designer.ui.project_dialog import ProjectDialog

        dialog = ProjectDialog(self.editor.project, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.editor.set_info(dialog.name, dialog.description))
        dialog.open()
        return dialog

    def export(self):
        """The Export dialog for a snapshot of the project as drawn; returns it (for tests)."""
        from designer.project.files import project_from_text, project_to_text
        from designer.ui.export_dialog import ExportDialog

        project = self.editor.project
        try:
            snapshot = project_from_text(project_to_text(project), project.name)
        except ProjectError as error:
            QMessageBox.warning(self, "Cannot export", str(error))
            return None
        snapshot.path = project.path
        dialog = ExportDialog(snapshot, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def save(self) -> bool:
        if self.editor.project.path is None:
            return self.save_as()
        return self.write(self.editor.project.path)

    def save_as(self) -> bool:
        start = str(self.editor.project.path or f"{self.editor.project.name}.json")
        chosen, _ = QFileDialog.getSaveFileName(self, "Save project", start, FILE_FILTER)
        return bool(chosen) and self.write(Path(chosen))

    def write(self, path: Path) -> bool:
        try:
            self.editor.save(path)
        except OSError as error:
            QMessageBox.warning(self, "Cannot save", f"{path}: {error.strerror or error}")
            return False
        except ProjectError as error:
            QMessageBox.warning(self, "Cannot save", str(error))
            return False
        self.drop_recovery()
        self.remember(path)
        if carries_trusted_code(self.editor.doc):  # the user's own save: not asked about again
            digest = saved_hash(path)
            if digest is not None:
                remember_trusted(digest)
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return True

    def trust_code(self) -> None:
        """File > Trust Project Code: ask, and on yes run the code the project carries."""
        project = self.editor.project
        if not withheld_nodes(project.graph):
            self.statusBar().showMessage("The project carries no code that waits for trust", 6000)
            return
        saved = project.path if project.path is not None and not self.editor.modified else None
        if ask_trust(self, project, saved_hash(saved) if saved is not None else None):
            for canvas in self.tabs.canvases:
                canvas.editor.refresh()

    def revert(self) -> None:
        """Reload the saved file, dropping the changes since (after asking, if there are any)."""
        path = self.editor.project.path
        if path is None or not self.confirm_stop_training():
            return
        if self.editor.modified:
            answer = QMessageBox.question(
                self,
                "Revert",
                f"Drop the changes to {escape(self.editor.title)} and reload the saved file?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            project = load_project(path)
        except ProjectError as error:
            QMessageBox.warning(self, "Cannot revert", str(error))
            return
        offer_trust(self, project, saved_hash(path))
        self.set_project(project)

    def confirm_stop_training(self) -> bool:
        """True when no run is going, or the user chose to stop it."""
        if self._train_panel is None or not self._train_panel.session.running:
            return True
        answer = QMessageBox.question(
            self,
            "Training is running",
            "Stop the training run? Its last checkpoint is kept.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def confirm_discard(self) -> bool:
        """True when no run is going (or it may stop) and there are no unsaved changes, or the
        user saved or discarded them."""
        if not self.confirm_stop_training():
            return False
        if self.editor is None or not self.editor.modified:
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {escape(self.editor.title)}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def remember(self, path: Path) -> None:
        settings = QSettings()
        recent = [str(path.resolve())] + [
            entry for entry in self.recent_paths() if entry != str(path.resolve())
        ]
        settings.setValue("files/recent", recent[:MAX_RECENT])
        self.refresh_recent()

    def recent_paths(self) -> list[str]:
        value = QSettings().value("files/recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def refresh_recent(self) -> None:
        self.recent_menu.clear()
        paths = [Path(entry) for entry in self.recent_paths()]
        for path in paths:
            self.recent_menu.addAction(str(path), lambda p=path: self.open_file(p))
        self.recent_menu.setEnabled(bool(paths))
        self.start_page.set_recent(paths)

    def write_recovery(self) -> None:
        """Keep this window's recovery copy in step: written while there are unsaved changes."""
        if self.editor is None or not self.editor.modified:
            self.drop_recovery()
            return
        try:
            written = recovery.write_recovery(self.editor.project)
        except (OSError, ProjectError) as error:
            self.statusBar().showMessage(f"Could not write the recovery copy: {error}", 8000)
            return
        if self.recovery_copy not in (None, written):
            self.recovery_copy.unlink(missing_ok=True)
        self.recovery_copy = written

    def drop_recovery(self) -> None:
        if self.recovery_copy is not None:
            self.recovery_copy.unlink(missing_ok=True)
            self.recovery_copy = None

    def offer_recovery(self, project_path: Path | None = None) -> bool:
        """At start: offer the copy a crash left of `project_path` (or of the newest project
        that left one); True when it was restored."""
        found = recovery.read_recovery(project_path)
        if found is None:
            return False
        project, copy = found
        answer = QMessageBox.question(
            self,
            "Restore unsaved work?",
            f"NetDesigner closed without saving {escape(repr(project.name))}. "
            "Restore those changes?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        digest = saved_hash(copy)
        copy.unlink(missing_ok=True)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        offer_trust(self, project, digest)
        self.set_project(project, modified=True)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.confirm_discard():
            event.ignore()
            return
        self.drop_recovery()
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        self.retire_project()
        event.accept()

    # -- editing -------------------------------------------------------------------------------

    def add_layer(self, kind: str, position: QPointF) -> str | None:
        place = (round(position.x() / 10) * 10.0, round(position.y() / 10) * 10.0)
        return self.add_node(
            kind, lambda doc, kind, params: doc.add_node(kind, params=params, position=place)
        )

    def add_layer_from_palette(self, kind: str) -> None:
        """A layer double-clicked (or Enter) in the palette: after the selected node and wired
        from it (see add_after), else at the middle of the view; in the free space nearest
        either. It is selected, so that the next one chains after it."""
        if self.editor is None:
            return
        source, why = wire_source(self.current_editor, self.scene.selected_node_ids(), kind)
        center = self.view.center_point()
        wanted = (round(center.x() / 10) * 10.0, round(center.y() / 10) * 10.0)

        def add(doc, kind, params):
            if source is not None:
                return add_after(doc, source, kind, params)
            return doc.add_node(kind, params=params, position=free_spot(doc, wanted))

        if self.add_node(kind, add) is not None and why:
            self.show_refusal(f"{why}: added unwired")

    def splice_layer(self, kind: str, edge_id: str, position: QPointF) -> None:
        """A palette layer dropped into a wire: source -> layer -> target, one undoable step."""
        self.add_node(
            kind,
            lambda doc, kind, params: splice(
                doc, doc.edge(edge_id), kind, params, (position.x(), position.y())
            ),
        )

    def add_node(self, kind: str, add) -> str | None:
        """Add a layer, or an instance of a project's block, by `add(doc, kind, params)`."""
        kind, params = palette_layer(kind)
        shown = params[BLOCK_PARAM] if params else kind
        node = self.current_editor.edit(f"Add {shown}", lambda doc: add(doc, kind, params))
        if node is None:
            return None
        self.scene.select_nodes([node.id])
        self.view.ensureVisible(self.scene.node_items[node.id], 40, 40)  # a chain grows in view
        return node.id

    def offer_layers_for_wire(self, port, position: QPointF) -> None:
        """A wire dropped on empty canvas: choose a layer that fits, add it and wire it."""
        output = self.current_editor.report.nodes.get(port.node_id)
        shape = output.output if output is not None and not port.is_input else None
        menu = LayerMenu(self, shape, wants_input=not port.is_input)
        global_position = self.view.mapToGlobal(self.view.mapFromScene(position))
        kind = menu.choose(global_position)
        menu.deleteLater()  # one menu a gesture: do not let them pile up under the window
        if kind is None:
            return
        place = (position.x(), position.y())

        def add_and_wire(doc):
            node = doc.add_node(kind, position=place)
            if port.is_input:
                wire(doc, node.id, node.spec.outputs[0].name, port.node_id, port.name)
            else:
                wire(doc, port.node_id, port.name, node.id, node.spec.inputs[0].name)
            return node

        node = self.current_editor.edit(f"Add {kind}", add_and_wire)
        if node is not None:
            self.scene.select_nodes([node.id])

    def delete_selection(self) -> None:
        nodes, edges = self.scene.selected_node_ids(), self.scene.selected_edge_ids()
        if nodes or edges:
            self.current_editor.edit("Delete", lambda doc: delete(doc, nodes, edges))

    def copy(self) -> None:
        nodes = self.scene.selected_node_ids()
        if nodes:
            copy_fragment(fragment_with_blocks(self.current_editor.doc, nodes))

    def cut(self) -> None:
        self.copy()
        nodes = self.scene.selected_node_ids()
        if nodes:
            self.current_editor.edit("Cut", lambda doc: delete(doc, nodes, []))

    def paste(self, data=None) -> None:
        data = read_fragment() if data is None else data
        if data is None:
            self.statusBar().showMessage("The clipboard holds no layers", 4000)
            return
        added = self.current_editor.edit("Paste", lambda doc: paste_with_blocks(doc, data))
        if added:
            self.scene.select_nodes(added)

    def duplicate(self) -> None:
        nodes = self.scene.selected_node_ids()
        if nodes:
            self.paste(fragment_with_blocks(self.current_editor.doc, nodes))

    def chosen_block(self) -> str | None:
        """The block of the one selected instance, else the block whose tab is shown."""
        nodes = [self.current_editor.doc.node(n) for n in self.scene.selected_node_ids()]
        if len(nodes) == 1 and nodes[0].kind == BLOCK_KIND:
            return nodes[0].params[BLOCK_PARAM]
        return self.tabs.current.block

    def save_block_to_library(self) -> None:
        name = self.chosen_block()
        if name is None:
            self.show_refusal("Select a block instance, or open a block, to save it")
            return
        path = save_to_library(self, self.editor, name)
        if path is not None:
            self.statusBar().showMessage(f"Saved the block {name} to your library: {path}", 8000)

    def add_library_block(self, path: Path) -> None:
        name = add_from_library(self, self.editor, path)
        if name is not None:
            self.statusBar().showMessage(
                f"The block {name} is in the Layers palette, under Blocks", 8000
            )

    def select_all(self) -> None:
        self.scene.select_nodes(list(self.scene.node_items))

    def auto_layout(self, direction: str = "right") -> None:
        room = self.view.layout_room()
        self.current_editor.edit("Auto layout", lambda doc: apply_layout(doc, direction, room))
        self.view.fit_all()

    def rename_selected(self) -> None:
        nodes = self.scene.selected_node_ids()
        if len(nodes) == 1:
            self.start_rename(nodes[0])

    def start_rename(self, node_id: str) -> None:
        item = self.scene.node_items[node_id]
        field = RenameField(self.view, item)
        field.renamed.connect(
            lambda name, editor=self.current_editor: editor.edit(
                f"Rename to {name}", lambda doc: doc.rename(node_id, name)
            )
        )

    def disconnect_node(self, node_id: str) -> None:
        editor = self.current_editor
        edges = [edge.id for edge in editor.doc.in_edges(node_id)]
        edges += [edge.id for edge in editor.doc.out_edges(node_id)]
        if edges:
            editor.edit("Disconnect", lambda doc: delete(doc, [], edges))

    def node_menu(self, node_id: str, screen_position) -> None:
        if node_id not in self.scene.selected_node_ids():
            self.scene.select_nodes([node_id])
        menu = QMenu(self)
        add_like(menu, self.rename_action, lambda: self.start_rename(node_id))
        menu.addAction(self.duplicate_action)
        menu.addAction(self.delete_action)
        menu.addAction("Disconnect", lambda: self.disconnect_node(node_id))
        menu.addSeparator()
        menu.addAction(self.group_action)
        if self.current_editor.doc.node(node_id).kind == BLOCK_KIND:
            menu.addAction("Open Block", lambda: self.open_block_of(node_id))
            menu.addAction(self.ungroup_action)
        if self.tabs.current is self.tabs.main:
            menu.addSeparator()
            add_freezing_entries(menu, self.editor, self.scene.selected_node_ids())
            if can_be_head(self.editor, node_id):
                menu.addAction("Replace Head\u2026", lambda: self.replace_head(node_id))
        menu.addSeparator()
        add_like(menu, self.code_action, lambda: self.show_code(node_id), "Show in Code")
        menu.exec(screen_position)
        menu.deleteLater()

    def show_code(self, node_id: str | None = None):
        try:
            code = generate(self.editor.doc, self.editor.report, self.editor.project.name)
        except CompileError as error:
            QMessageBox.information(
                self, "No code yet", f"Fix these first:\n\n{error}".replace("  ", "\u2022 ")
            )
            return None
        from designer.ui.code_view import CodeDialog  # only when asked for: keeps start-up quick

        dialog = CodeDialog(code.source, f"{code.class_name} \u2014 generated code", self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        selected = self.scene.selected_node_ids()
        node_id = node_id or (selected[0] if len(selected) == 1 else None)
        if node_id is not None and self.tabs.current is self.tabs.main:
            dialog.show_lines(code.lines.get(node_id, []))
        dialog.show()
        return dialog

    # -- selection -----------------------------------------------------------------------------

    def selection_changed(self) -> None:
        if not isValid(self.scene):  # the scene's own teardown clears its selection
            return
        nodes = self.scene.selected_node_ids()
        node_id = nodes[0] if len(nodes) == 1 else None
        self.inspector.show_node(node_id)
        if self._train_panel is not None and self.tabs.current is self.tabs.main:
            name = self.editor.doc.node(node_id).name if node_id is not None else ""
            self._train_panel.layer_plots.select(node_id, name)

    def frame_node(self, node_id: str) -> None:
        item: NodeItem | None = self.scene.node_items.get(node_id)
        if item is not None:
            self.scene.select_nodes([node_id])
            self.view.centerOn(item)
