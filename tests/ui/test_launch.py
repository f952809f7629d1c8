"""Starting the app: no arguments gives the start page, a file opens it, subcommands are CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from designer.ui import app as app_module
from designer.ui.launch import main
from tests.helpers import PROJECTS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def opened(monkeypatch):
    """Windows that `netdesigner` opens, with the event loop returning at once."""
    windows = []
    real_open = app_module.open_window

    def open_and_keep(path=None):
        window = real_open(path)
        window.confirm_discard = lambda: True
        windows.append(window)
        return window

    monkeypatch.setattr(app_module, "open_window", open_and_keep)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    yield windows
    for window in windows:
        window.close()


def test_no_arguments_opens_the_start_page(opened):
    assert main([]) == 0
    (window,) = opened
    assert window.isVisible() and window.stack.currentWidget() is window.start_page
    assert window.windowTitle() == "NetDesigner"


def test_a_file_argument_opens_that_project(opened):
    assert main([str(PROJECTS / "lenet5_digits.json")]) == 0
    (window,) = opened
    assert window.editor.project.name == "LeNet-5 on digits"
    assert window.editor.report.total_params == 61_706


def test_subcommands_run_the_command_line(capsys, opened):
    assert main(["validate", str(PROJECTS / "mlp_iris.json")]) == 0
    assert "valid" in capsys.readouterr().out
    assert opened == []


def start_xvfb() -> tuple[subprocess.Popen, str]:
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with open(read) as stream:
        display = stream.readline().strip()
    return server, f":{display}"


@pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb (make test installs it)")
def test_screenshot_of_the_real_window_under_xvfb(tmp_path):
    server, display = start_xvfb()
    try:
        output = tmp_path / "designer.png"
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        result = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "screenshot.py"), str(output)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result.returncode == 0, result.stderr
    image = QImage(str(output))
    assert (image.width(), image.height()) == (1440, 900)
    colors = {image.pixel(x, y) for x in range(0, 1440, 16) for y in range(0, 900, 16)}
    assert len(colors) > 30, "the window looks blank"
    canvas = image.pixel(700, 120)
    assert canvas != 0xFF000000


def test_the_window_opens_without_torch_sklearn_or_pyqtgraph():
    code = (
        "import sys; import designer.ui.app, designer.ui.main_window; "
        "heavy = [m for m in ('torch', 'sklearn', 'pyqtgraph') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_opening_a_file_after_a_crash_offers_its_recovery_copy(opened, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from designer.project import load_project, save_project
    from designer.ui import recovery

    path = save_project(load_project(PROJECTS / "mlp_iris.json"), tmp_path / "iris.json")
    crashed = load_project(path)
    crashed.graph.set_param(crashed.graph.find("hidden1").id, "units", 99)
    recovery.write_recovery(crashed)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert main([str(path)]) == 0
    (window,) = opened
    assert window.editor.doc.find("hidden1").params["units"] == 99
    assert window.isWindowModified()
