"""Undoable edits: each runs a function on the document once, recording it, then replays."""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from designer.model import GraphDocument, GraphError
from designer.model.journal import Journal, recording
from designer.project import Project

PARAM_EDIT_ID = 1
LOG = logging.getLogger(__name__)


class EditCommand(QUndoCommand):
    """One user edit: the first redo runs `edit` while a journal records every change."""

    def __init__(self, doc: GraphDocument, text: str, edit: Callable[[GraphDocument], Any]):
        super().__init__(text)
        self.doc, self.edit = doc, edit
        self.journal: Journal | None = None
        self.result: Any = None
        self.error: GraphError | None = None

    def redo(self) -> None:
        if self.journal is not None:
            self.journal.redo(self.doc)
            return
        with recording(self.doc) as journal:
            try:
                self.result = self.edit(self.doc)
            except GraphError as error:
                self.error = error
            except Exception as error:  # a bug: the graph goes back as it was, and says so
                LOG.exception("the edit %r failed", self.text())
                self.error = GraphError(f"could not {self.text().lower()}: {error!r}")
        self.journal = journal
        if self.error is not None:
            journal.undo(self.doc)
        if self.error is not None or not journal:
            self.setObsolete(True)

    def undo(self) -> None:
        assert self.journal is not None
        self.journal.undo(self.doc)


class ParamEditCommand(EditCommand):
    """A param change; typing into a field merges into one command per node and param."""

    def __init__(self, doc: GraphDocument, node_id: str, name: str, value: Any, text: str):
        super().__init__(doc, text, lambda d: d.set_param(node_id, name, value))
        self.key = (node_id, name)

    def id(self) -> int:
        return PARAM_EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        same = isinstance(other, ParamEditCommand) and other.doc is self.doc
        if not same or other.key != self.key:
            return False
        assert self.journal is not None and other.journal is not None
        self.journal.extend(other.journal)
        return True


class SectionsCommand(QUndoCommand):
    """New dataset and training sections for the project; undo puts the old ones back as they
    were. `changed` runs after each, so views show the sections now in force."""

    def __init__(
        self,
        project: Project,
        dataset: dict[str, Any],
        training: dict[str, Any],
        text: str,
        changed: Callable[[], None],
    ):
        super().__init__(text)
        self.project, self.changed = project, changed
        self.old = copy.deepcopy((project.dataset, project.training))
        self.new = copy.deepcopy((dataset, training))

    def redo(self) -> None:
        self.put(self.new)

    def undo(self) -> None:
        self.put(self.old)

    def put(self, sections: tuple[dict[str, Any], dict[str, Any]]) -> None:
        self.project.dataset, self.project.training = copy.deepcopy(sections)
        self.changed()


class ProjectInfoCommand(QUndoCommand):
    """A new name and description for the project; undo puts the old ones back."""

    def __init__(self, project: Project, name: str, description: str, text: str):
        super().__init__(text)
        self.project = project
        self.old = (project.name, project.description)
        self.new = (name, description)

    def redo(self) -> None:
        self.project.name, self.project.description = self.new

    def undo(self) -> None:
        self.project.name, self.project.description = self.old


class SweepCommand(QUndoCommand):
    """A new sweep section (what an experiment searches); undo puts the old one back.
    `changed` runs after each, so the canvas and inspector show what is swept now."""

    def __init__(
        self, project: Project, sweep: dict[str, Any], text: str, changed: Callable[[], None]
    ):
        super().__init__(text)
        self.project, self.changed = project, changed
        self.old, self.new = copy.deepcopy(project.sweep), copy.deepcopy(sweep)

    def redo(self) -> None:
        self.project.sweep = copy.deepcopy(self.new)
        self.changed()

    def undo(self) -> None:
        self.project.sweep = copy.deepcopy(self.old)
        self.changed()
