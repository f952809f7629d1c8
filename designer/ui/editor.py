"""The open project in the window: document, analysis, undo stack and file state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from designer.compiler import Analyzer, Diagnostic, GraphReport
from designer.compiler.analysis import Findings
from designer.compiler.code_trust import fingerprint, needs_consent, trust
from designer.model import GraphDocument
from designer.project import Project, save_project
from designer.ui.commands import (
    EditCommand,
    ParamEditCommand,
    ProjectInfoCommand,
    SectionsCommand,
    SweepCommand,
)
from designer.ui.torch_loader import torch_loader
from nodes.catalog.custom_code import CUSTOM_KIND


class GraphEditor(QObject):
    """Edits of one graph (the network, or a block's inside) as undoable commands on a stack
    the whole project shares, and that graph's analysis; views listen to its signals."""

    analysis_changed = Signal(object)
    edit_failed = Signal(str)

    def __init__(
        self,
        doc: GraphDocument,
        undo_stack: QUndoStack,
        parent: QObject | None = None,
        findings: Findings | None = None,
    ) -> None:
        """`findings`: diagnostics from outside the graph, for its analysis to add."""
        super().__init__(parent)
        self._doc = doc
        self.findings = findings
        self.analyzer = Analyzer(doc, findings)
        self.undo_stack = undo_stack
        self._report: GraphReport | None = None

    @property
    def doc(self) -> GraphDocument:
        return self._doc

    @property
    def report(self) -> GraphReport:
        """The analysis of the graph as it is now (incremental, cached between edits)."""
        if self._report is None:
            self._report = self.analyzer.report()
        return self._report

    def refused(self) -> bool:
        """Whether edits are refused now (saying why); the project's editor decides."""
        return False

    def edit(self, text: str, change: Callable[[GraphDocument], Any]) -> Any:
        """Run `change` as one undoable command; a GraphError becomes a message, not a crash."""
        if self.refused():
            return None
        command = EditCommand(self.doc, text, change)
        self.undo_stack.push(command)
        if command.error is not None:
            self.rolled_back()
            self.edit_failed.emit(str(command.error))
        return command.result

    def rolled_back(self) -> None:
        """A refused edit was taken back: analyse anew, from scratch (a view that failed on the
        way may have kept the incremental analysis from hearing of a change)."""
        self.analyzer = Analyzer(self.doc, self.findings)
        self.refresh()

    def set_param(self, node_id: str, name: str, value: Any) -> None:
        node = self.doc.node(node_id)
        if node.params.get(name) == value or self.refused():
            return
        text = f"Set {node.name}.{name}"
        if node.kind == CUSTOM_KIND and not needs_consent(node.params):
            trust([fingerprint({**node.params, name: value})])  # the user's own edit of code
        self.undo_stack.push(ParamEditCommand(self.doc, node_id, name, value, text))

    def refresh(self) -> None:
        """Re-analyze now and tell the views."""
        self._report = None
        self.analysis_changed.emit(self.report)


class BlockEditor(GraphEditor):
    """Edits inside the block `name`: undone with the project's, refused when it refuses."""

    def __init__(self, project_editor: Editor, name: str) -> None:
        definition = project_editor.doc.blocks.get(name)
        super().__init__(definition.graph, project_editor.undo_stack, project_editor)
        self.name = name
        self.project_editor = project_editor
        self.edit_failed.connect(project_editor.edit_failed)
        project_editor.undo_stack.indexChanged.connect(self._changed)

    def refused(self) -> bool:
        return self.project_editor.refused()

    def rolled_back(self) -> None:
        super().rolled_back()
        self.project_editor.rolled_back()  # the library may have changed and changed back

    @property
    def alive(self) -> bool:
        """Whether the project still has this block with this inside (undo can take it away)."""
        blocks = self.project_editor.doc.blocks
        return self.name in blocks and blocks.get(self.name).graph is self.doc

    def _changed(self, _index: int) -> None:
        if self.alive:
            self.refresh()


class Editor(GraphEditor):
    """The project's editor: the network's graph, the sections, saving, and the lock that a
    running training puts on every edit of the project, inside blocks too."""

    state_changed = Signal()
    sections_changed = Signal()  # the project's dataset or training section was replaced
    sweep_changed = Signal()  # the project's sweep section was replaced

    def __init__(self, project: Project, parent: QObject | None = None) -> None:
        super().__init__(project.graph, QUndoStack(), parent, self.data_findings)
        self.undo_stack.setParent(self)
        self.project = project
        self.undo_stack.indexChanged.connect(self._changed)
        self.undo_stack.cleanChanged.connect(self.state_changed)
        self.sections_changed.connect(self._sections_changed)
        loader = torch_loader()
        if not loader.is_ready:
            loader.ready.connect(self._data_readers_ready)
        self.locked: str | None = None

    @property
    def doc(self) -> GraphDocument:
        return self.project.graph

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def data_findings(self, doc: GraphDocument) -> list[Diagnostic]:
        """The project's data against its Input node, naming settings as the Settings dialog
        does. The data's readers come with PyTorch: none until it is loaded, then asked."""
        if not torch_loader().is_ready:
            return []
        from designer.data.graph_fit import design_diagnostics
        from designer.training.setting_words import in_user_words

        project = self.project
        base = project.path.parent if project.path is not None else None
        sections = {"dataset": project.dataset, "training": project.training}
        return [
            replace(diagnostic, message=in_user_words(diagnostic.message, sections))
            for diagnostic in design_diagnostics(doc, project.dataset, base)
        ]

    @property
    def title(self) -> str:
        return self.project.path.stem if self.project.path else self.project.name

    def block_editor(self, name: str) -> BlockEditor:
        """An editor for the inside of the block `name` (KeyError when there is none)."""
        return BlockEditor(self, name)

    def lock(self, reason: str) -> None:
        """Refuse every edit, undo and redo, saying `reason`, until unlock()."""
        self.locked = reason

    def unlock(self) -> None:
        self.locked = None

    def refused(self) -> bool:
        if self.locked is not None:
            self.edit_failed.emit(self.locked)
        return self.locked is not None

    def undo(self) -> None:
        if not self.refused():
            self.undo_stack.undo()

    def redo(self) -> None:
        if not self.refused():
            self.undo_stack.redo()

    def set_sections(
        self,
        dataset: dict[str, Any],
        training: dict[str, Any],
        text: str = "Change training settings",
    ) -> None:
        """Replace the project's dataset and training sections as one undoable command."""
        unchanged = (dataset, training) == (self.project.dataset, self.project.training)
        if unchanged or self.refused():
            return
        command = SectionsCommand(self.project, dataset, training, text, self.sections_changed.emit)
        self.undo_stack.push(command)

    def set_sweep(self, sweep: dict[str, Any], text: str) -> None:
        """Replace the project's sweep section as one undoable command."""
        if sweep == self.project.sweep or self.refused():
            return
        self.undo_stack.push(SweepCommand(self.project, sweep, text, self.sweep_changed.emit))

    def set_info(self, name: str, description: str) -> None:
        """Rename the project and describe it, as one undoable command."""
        unchanged = (name, description) == (self.project.name, self.project.description)
        if unchanged or self.refused():
            return
        text = (
            f"Rename the project to {name}"
            if name != self.project.name
            else "Change the project's description"
        )
        self.undo_stack.push(ProjectInfoCommand(self.project, name, description, text))

    @property
    def frozen(self) -> set[str]:
        """The ids of the nodes whose layers keep their starting weights (training.freeze)."""
        listed = self.project.training.get("freeze", [])
        return (
            {node for node in listed if isinstance(node, str)}
            if isinstance(listed, list)
            else set()
        )

    def set_trainable(self, node_ids: list[str], trainable: bool) -> None:
        """Freeze the layers of `node_ids`, or let them train again, as one undoable step."""
        listed = self.project.training.get("freeze", [])
        kept = [node for node in listed if node not in node_ids] if isinstance(listed, list) else []
        frozen = kept if trainable else kept + [node for node in node_ids if node not in kept]
        training = {**self.project.training, "freeze": frozen}
        if not frozen:
            del training["freeze"]
        count = f"{len(node_ids)} layers" if len(node_ids) > 1 else self.doc.node(node_ids[0]).name
        text = f"{'Unfreeze' if trainable else 'Freeze'} {count}"
        self.set_sections(self.project.dataset, training, text)

    def replace_head(self, head: str, classes: int) -> None:
        """Give the Dense layer `head` `classes` outputs, out of the start weights and
        trainable, as one undoable step."""
        from designer.importer.head import replace_head  # the analysis of layer names

        if self.refused():
            return
        self.undo_stack.beginMacro(f"Replace the head: {classes} classes")
        training = self.edit(
            "Resize the head", lambda doc: replace_head(doc, self.project.training, head, classes)
        )
        if training is not None:
            self.set_sections(self.project.dataset, training, "Start the head afresh")
        self.undo_stack.endMacro()

    def save(self, path: Path | None = None) -> Path:
        saved = save_project(self.project, path)
        self.undo_stack.setClean()
        self.state_changed.emit()
        return saved

    def _changed(self, _index: int) -> None:
        self.refresh()
        self.state_changed.emit()

    def _sections_changed(self) -> None:
        self.analyzer.findings_changed()  # the data may fit the Input node differently now

    def _data_readers_ready(self) -> None:
        self.analyzer.findings_changed()
        if self._report is not None:  # an analysis is shown: with what the data says now
            self.refresh()
