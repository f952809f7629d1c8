"""Crash recovery: the app killed (SIGKILL) after edits offers them at the next start."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from designer.project.files import project_to_text
from designer.ui import app, recovery
from tests.helpers import PROJECTS

ROOT = Path(__file__).resolve().parents[2]


def edit_and_kill(project: Path, folder: Path, home: Path) -> str:
    """Run the real window in its own process, edit, wait for the recovery copy, SIGKILL it;
    returns the edited project's JSON."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home)}
    env["XDG_CONFIG_HOME"], env["XDG_DATA_HOME"] = str(home / "config"), str(home / "data")
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ui.crashing_app", str(project), str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = child.stdout.readline()
        assert line, child.stderr.read()
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return json.loads(line)


@pytest.fixture
def killed_after_edits(tmp_path):
    """A project file, the edits the killed app made to it, and its recovery copy."""
    project = tmp_path / "lenet.json"
    shutil.copy(PROJECTS / "lenet5_digits.json", project)
    edited = edit_and_kill(project, tmp_path / "recovery", tmp_path / "home")
    copy = recovery.recovery_file(project)
    assert copy.exists()
    return project, edited, copy


@pytest.fixture
def started(qtbot):
    """The app's own start-up (open_window) on a file, its window closing without asking."""
    windows = []

    def start(path: Path):
        window = app.open_window(str(path))
        qtbot.addWidget(window)
        window.confirm_discard = lambda: True
        windows.append(window)
        return window

    return start


def answer(monkeypatch, button) -> list:
    asked = []

    def question(*args, **kwargs):
        asked.append(args[1])
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_restoring_after_a_kill_gives_the_edited_graph(killed_after_edits, started, monkeypatch):
    project, edited, copy = killed_after_edits
    assert edited != project.read_text(encoding="utf-8")
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    window = started(project)
    assert asked == ["Restore unsaved work?"]
    assert project_to_text(window.editor.project) == edited
    assert window.editor.project.path == project and window.isWindowModified()
    assert window.editor.doc.find("drop").params["p"] == 0.25
    assert not copy.exists()


def test_declining_after_a_kill_removes_the_copy(killed_after_edits, started, monkeypatch):
    project, _, copy = killed_after_edits
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    window = started(project)
    assert asked == ["Restore unsaved work?"]
    assert not copy.exists()
    assert project_to_text(window.editor.project) == project.read_text(encoding="utf-8")
    assert not window.isWindowModified()
