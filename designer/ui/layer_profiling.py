"""Profile Layers: a training step measured layer by layer in a worker thread (on the
training device, at the training batch size), then shown as a heat map on the canvases, a
table in its dock and the step's total in the status bar. The heat map is a view state: no
undo entry, nothing saved; a change to the network clears it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QToolBar

from designer.ui.background_task import BackgroundTask
from designer.ui.canvas.items import Heat

NO_DATASET = "Layer profile: choose a dataset in the Training panel's Settings\u2026 first"


def heat_map(times: dict[str, float], step: float) -> dict[str, Heat]:
    """Each node's colour share (of the slowest) and its time and share of the step."""
    slowest = max(times.values(), default=0.0) or 1.0
    return {
        node: Heat(time / slowest, f"{time * 1e3:.2f} ms ({time / step:.0%})")
        for node, time in times.items()
    }


def profiled(project, training: dict):
    """The step profile of `project` (a snapshot) with `training` settings."""
    from designer.inspection.layer_profile import profile_run
    from designer.training import prepare_run

    return profile_run(prepare_run(project, training=training), beside_window=True)


class LayerProfiling(QObject):
    """The actions, the toolbar, the table's dock, and the heat map on `window`'s canvases."""

    def __init__(self, window, view_menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.profile = None  # the StepProfile shown, of `editor`'s network
        self.editor = None
        self.measuring = None  # the editor whose network is being measured
        self.task: BackgroundTask | None = None
        self.profile_action = QAction("Profile &Layers", window)
        self.profile_action.setToolTip(
            "Measure a training step's time and memory layer by layer, on the training device "
            "at the training batch size, and colour the layers by their time"
        )
        self.profile_action.setProperty("needs_project", True)  # enabled with a project
        window.addAction(self.profile_action)
        self.profile_action.triggered.connect(self.start)
        self.clear_action = QAction("Clear Layer &Profile", window)
        self.clear_action.setToolTip("Give the layers their own colours again")
        self.clear_action.setEnabled(False)
        self.clear_action.triggered.connect(self.clear)
        self.tree = None  # made with the first profile: its module brings in torch
        self.dock = window.add_dock("Layer Profile", None, Qt.DockWidgetArea.BottomDockWidgetArea)
        window.tabifyDockWidget(window.layer_table_dock, self.dock)
        self.dock.hide()
        self.toolbar = QToolBar("Profile", window)
        self.toolbar.setObjectName("toolbar_profile")
        self.toolbar.addActions([self.profile_action, self.clear_action])
        window.addToolBar(self.toolbar)
        view_menu.addSeparator()
        view_menu.addActions([self.profile_action, self.clear_action, self.dock.toggleViewAction()])

    def start(self) -> None:
        """Measure the open network in a worker thread."""
        from designer.ui.training.explained_run import snapshot

        window = self.window
        editor = window.editor
        if editor is None or (self.task is not None and self.task.running):
            return
        if not editor.project.dataset.get("source"):
            window.statusBar().showMessage(NO_DATASET, 8000)
            return
        training = window.train_panel.training_settings()
        project = snapshot(editor.project)
        self.profile_action.setEnabled(False)
        window.statusBar().showMessage(
            f"Profiling a training step at batch {training['batch_size']}\u2026"
        )
        self.measuring = editor
        task = self.task = BackgroundTask(lambda: profiled(project, training), "profile")
        task.done.connect(self.show)
        task.failed.connect(self.refused)
        task.ended.connect(self.ended)
        task.start()

    def refused(self, message: str) -> None:
        self.window.statusBar().showMessage(f"Not profiled: {message}")

    def ended(self) -> None:
        self.task = None
        self.profile_action.setEnabled(self.window.editor is not None)

    def show(self, profile) -> None:
        """Show `profile` if the network measured is still the one open."""
        window, editor = self.window, self.measuring
        if editor is not window.editor:
            return
        self.editor, self.profile = editor, profile
        for canvas in window.tabs.canvases:
            self.paint(canvas)
        self.table().show_profile(profile)
        self.dock.show()
        self.dock.raise_()
        self.clear_action.setEnabled(True)
        layers = sum(layer.time for layer in profile.layers)
        window.statusBar().showMessage(
            f"Layer profile: one training step {profile.step * 1e3:.2f} ms at batch "
            f"{profile.batch_size} on {profile.device} (layers {layers * 1e3:.2f} ms, loss "
            f"{profile.loss * 1e3:.2f}, optimizer {profile.optimizer * 1e3:.2f}, other "
            f"{profile.other * 1e3:.2f})"
        )

    def table(self):
        """The profile's table in its dock, made when first needed."""
        if self.tree is None:
            from designer.ui.profile_tree import ProfileTree

            self.tree = ProfileTree()
            self.tree.node_chosen.connect(self.window.frame_node)
            self.dock.setWidget(self.tree)
        return self.tree

    def paint(self, canvas) -> None:
        """The heat map on `canvas`: the network's, or an opened block's (its layers summed
        over the block's instances)."""
        profile = self.profile
        if profile is None:
            return  # every canvas a project opens: torch is not loaded for it
        from designer.inspection.layer_nodes import inner_node_times, node_times

        if canvas.block is None:
            times = node_times(profile.layers)
        elif len(canvas.trail) == 1:
            doc = canvas.editor.doc
            times = inner_node_times(
                profile.layers, self.editor.doc, canvas.block, doc, canvas.editor.report.order
            )
        else:  # a block inside a block: only the table goes that deep
            times = {}
        canvas.scene.show_heat(heat_map(times, profile.step))

    def clear(self) -> None:
        """Clear the heat map (the table stays until the next profile)."""
        if self.profile is not None and self.window.tabs is not None:
            for canvas in self.window.tabs.canvases:
                canvas.scene.show_heat({})
        self.profile, self.editor = None, None
        self.clear_action.setEnabled(False)
