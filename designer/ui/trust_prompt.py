"""The question the app asks before it runs code a project carries: once per file, by the
SHA-256 of its bytes; the files trusted so far are kept in the settings."""

from __future__ import annotations

import hashlib
import os
from html import escape
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox, QWidget

from designer.compiler.code_trust import (
    custom_nodes,
    trust_document,
    withheld_names,
    withheld_nodes,
)
from designer.model import GraphDocument
from designer.project import Project

KEY = "trust/files"
KEPT = 1000  # the most recent answers; older files are asked about again


def saved_hash(path: str | os.PathLike) -> str | None:
    """The SHA-256 of the file as it is on disk now; None when it cannot be read."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def carries_trusted_code(doc: GraphDocument) -> bool:
    """Whether the graph carries code that needs trust, and all of it is trusted."""
    carried = [node for _, node in custom_nodes(doc) if node.params.get("code", "").strip()]
    return bool(carried) and not withheld_nodes(doc)


def trusted_files() -> list[str]:
    value = QSettings().value(KEY, [])
    return [value] if isinstance(value, str) else list(value or [])


def remember_trusted(digest: str) -> None:
    kept = [each for each in trusted_files() if each != digest][-(KEPT - 1) :]
    QSettings().setValue(KEY, [*kept, digest])


def offer_trust(parent: QWidget, project: Project, digest: str | None) -> bool:
    """Trust the code `project` carries if its file (of hash `digest`) was trusted before, else
    ask; True when it is trusted now, or carries no code that needs it."""
    if not withheld_nodes(project.graph):
        return True
    if digest is not None and digest in trusted_files():
        trust_document(project.graph)
        return True
    return ask_trust(parent, project, digest)


def ask_trust(parent: QWidget, project: Project, digest: str | None) -> bool:
    name = escape(project.name, quote=False)
    names = escape(withheld_names(project.graph), quote=False)
    answer = QMessageBox.question(
        parent,
        "Trust this project's code?",
        f"{name} carries Python code of its own in custom-code node(s) {names}. NetDesigner "
        "runs it to work out shapes, to train and to export. Code can do anything your "
        "account can: trust it only if you trust where the file came from.<br><br>Not "
        "trusted, the project opens, but the shapes after that code stay unknown until you "
        "choose File > Trust Project Code.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    trust_document(project.graph)
    if digest is not None:
        remember_trusted(digest)
    return True
