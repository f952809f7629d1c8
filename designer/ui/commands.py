"""Undoable edits: each runs a function on the document once, recording it, then replays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from designer.model import GraphDocument, GraphError
from designer.model.journal import Journal, recording

PARAM_EDIT_ID = 1


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
        if not isinstance(other, ParamEditCommand) or other.key != self.key:
            return False
        assert self.journal is not None and other.journal is not None
        self.journal.extend(other.journal)
        return True
