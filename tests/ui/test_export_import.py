"""File > Export and File > Import Module, driven with real keys and clicks: the preview is the
file written, checked formats land beside it, and a module file becomes a new graph."""

from __future__ import annotations

import shutil

import pytest
import torch
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from designer.compiler import Analyzer, compile_graph, generate
from designer.export.bundle import script_source
from designer.project import load_project
from designer.training import Trainer, new_run, prepare_run
from designer.ui.export_dialog import ExportDialog
from designer.ui.import_dialog import ImportDialog

EXPORT_TIMEOUT = 120_000
LEFT = Qt.MouseButton.LeftButton
MODULE = """
import torch
from torch import nn


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(6, 8), nn.ReLU())
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        return self.head(self.body(x))


def helper():
    return 1
"""


def open_copy(window, example, tmp_path, name="mlp_iris"):
    path = tmp_path / f"{name}.json"
    shutil.copy(example(name), path)
    window.open_file(path)
    return path


def press_export(window, qtbot) -> ExportDialog:
    """Ctrl+E, and the dialog once its first preview is built."""
    QTest.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(ExportDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    wait_for_preview(dialog, qtbot)
    return dialog


def wait_for_preview(dialog, qtbot) -> None:
    """The preview is built in the background: wait until it shows the latest choice."""
    qtbot.waitUntil(lambda: not dialog.previews.pending, timeout=EXPORT_TIMEOUT)


def tick(button) -> None:
    """Click a check box or radio button on its box, as a person does (a click on the empty
    stretch beside its text does nothing)."""
    QTest.mouseClick(button, LEFT, pos=QPoint(8, button.height() // 2))


def click_export(dialog, qtbot) -> None:
    with qtbot.waitSignal(dialog.finished_writing, timeout=EXPORT_TIMEOUT):
        QTest.mouseClick(dialog.export_button, LEFT)


def test_the_preview_is_what_is_written_and_checked_formats_land_beside_it(
    window, example, tmp_path, qtbot
):
    path = open_copy(window, example, tmp_path)
    dialog = press_export(window, qtbot)
    project = load_project(path)
    assert dialog.preview.toPlainText() == script_source(project, model_only=False)
    tick(dialog.model_only)
    wait_for_preview(dialog, qtbot)
    model_source = generate(project.graph, Analyzer(project.graph).report(), project.name).source
    assert dialog.preview.toPlainText() == model_source
    tick(dialog.onnx)
    tick(dialog.torchscript)
    assert dialog.files.text().split("\n") == [
        "mlp_iris.py",
        "mlp_iris.onnx",
        "mlp_iris.torchscript.pt",
    ]
    click_export(dialog, qtbot)
    assert (tmp_path / "mlp_iris.py").read_text(encoding="utf-8") == model_source
    assert (tmp_path / "mlp_iris.onnx").stat().st_size > 0
    assert (tmp_path / "mlp_iris.torchscript.pt").stat().st_size > 0
    log = dialog.log.text()
    assert "onnxruntime matches torch" in log and "torch.jit" in log
    assert dialog.export_button.isEnabled()


def test_weights_come_from_a_run_and_load_into_the_exported_class(window, example, tmp_path, qtbot):
    path = open_copy(window, example, tmp_path)
    project = load_project(path)
    trainer = Trainer(prepare_run(project, epochs=1), new_run(path))
    trainer.run()
    dialog = press_export(window, qtbot)
    assert dialog.weights.isEnabled()
    tick(dialog.weights)
    dialog.weight_format.setCurrentIndex(2)  # both formats
    tick(dialog.model_only)
    wait_for_preview(dialog, qtbot)
    click_export(dialog, qtbot)
    assert "Not exported" not in dialog.log.text()
    from safetensors.torch import load_file

    module, _ = compile_graph(project.graph, project.name)
    module.load_state_dict(load_file(tmp_path / "mlp_iris.safetensors"))
    expected = trainer.monitor.best_state or trainer.model.state_dict()
    for name, tensor in module.state_dict().items():
        assert torch.equal(tensor, expected[name])
    plain = torch.load(tmp_path / "mlp_iris.pt", weights_only=True)
    assert all(torch.equal(plain[name], expected[name]) for name in expected)


def test_a_graph_with_errors_shows_why_and_exports_nothing(window, example, tmp_path, qtbot):
    open_copy(window, example, tmp_path)
    doc = window.editor.doc
    window.editor.edit("Cut", lambda d: d.disconnect(d.in_edges(d.find("relu1").id)[0].id))
    dialog = press_export(window, qtbot)
    assert dialog.preview.toPlainText().startswith("# Cannot write this script")
    assert not dialog.export_button.isEnabled()
    assert doc.find("relu1") is not None


def test_a_module_file_becomes_a_new_graph(window, example, tmp_path, qtbot):
    module_file = tmp_path / "small.py"
    module_file.write_text(MODULE, encoding="utf-8")
    dialog = window.import_module()
    assert isinstance(dialog, ImportDialog)
    QTest.keyClicks(dialog.file, str(module_file))
    assert [dialog.name.itemText(i) for i in range(dialog.name.count())] == ["Small", "helper"]
    QTest.keyClicks(dialog.shapes, "6")
    QTest.mouseClick(dialog.import_button, LEFT)
    doc = window.editor.doc
    kinds = sorted(node.kind for node in doc.nodes())
    assert kinds == ["dense", "dense", "input", "output", "relu"]
    assert window.editor.modified and window.editor.project.path is None
    assert window.editor.report.total_params == 6 * 8 + 8 + 8 * 3 + 3


def test_import_problems_are_shown_in_the_dialog(window, tmp_path, qtbot):
    module_file = tmp_path / "small.py"
    module_file.write_text(MODULE, encoding="utf-8")
    dialog = window.import_module()
    QTest.keyClicks(dialog.file, str(module_file))
    QTest.keyClicks(dialog.shapes, "6xq")
    QTest.mouseClick(dialog.import_button, LEFT)
    assert "6xq" in dialog.message.text()
    assert dialog.isVisible() and window.editor is None  # nothing replaced the start page
    dialog.shapes.clear()
    QTest.keyClicks(dialog.shapes, "5")
    QTest.mouseClick(dialog.import_button, LEFT)
    assert "small.py" in dialog.message.text() or "Small" in dialog.message.text()
    assert dialog.isVisible()


def test_the_import_dialog_records_a_weights_file_or_says_why_not(window, tmp_path):
    from designer.importer import load_module

    module_file = tmp_path / "small.py"
    module_file.write_text(MODULE, encoding="utf-8")
    other = tmp_path / "other.pt"
    torch.save(torch.nn.Linear(6, 3).state_dict(), other)
    dialog = window.import_module()
    QTest.keyClicks(dialog.file, str(module_file))
    QTest.keyClicks(dialog.shapes, "6")
    QTest.keyClicks(dialog.weights, str(other))
    QTest.mouseClick(dialog.import_button, LEFT)
    message = dialog.message.text()
    assert message.startswith(f"{other}: is not a state dict of Small:")
    assert "not in the module (2): weight, bias" in message and dialog.isVisible()
    weights = tmp_path / "small.pt"
    torch.save(load_module(f"{module_file}:Small").state_dict(), weights)
    dialog.weights.clear()
    QTest.keyClicks(dialog.weights, str(weights))
    QTest.mouseClick(dialog.import_button, LEFT)
    recorded = window.editor.project.training["start_weights"]
    assert recorded["path"] == str(weights.resolve()) and len(recorded["keys"]) == 4


REPEATED = """
import torch.nn as nn


class Step(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 6)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.fc(x)) + x


class Stack(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Step()
        self.head = nn.Linear(6, 2)
        self.second = Step()

    def forward(self, x):
        return self.head(self.second(self.first(x)))
"""

SEQUENCE_FIRST = """
from torch import nn


class Word(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(20, 4)
        self.gru = nn.GRU(4, 6)
        self.head = nn.Linear(6, 5)

    def forward(self, tokens):
        return self.head(self.gru(self.embed(tokens))[0])
"""


def import_stack(window, tmp_path, keep_blocks: bool) -> None:
    module_file = tmp_path / "stack.py"
    module_file.write_text(REPEATED, encoding="utf-8")
    dialog = window.import_module()
    QTest.keyClicks(dialog.file, str(module_file))
    dialog.name.setCurrentText("Stack")
    assert dialog.keep_blocks.isChecked()
    if not keep_blocks:
        QTest.mouseClick(dialog.keep_blocks, LEFT, pos=QPoint(8, dialog.keep_blocks.height() // 2))
    QTest.keyClicks(dialog.shapes, "6")
    QTest.mouseClick(dialog.import_button, LEFT)


@pytest.mark.parametrize("keep_blocks", [True, False])
def test_the_import_dialog_keeps_repeated_classes_as_blocks_unless_told(
    window, tmp_path, keep_blocks
):
    import_stack(window, tmp_path, keep_blocks)
    doc = window.editor.doc
    uses = sum(node.params["repeat"] for node in doc.nodes() if node.kind == "block")
    assert uses == (2 if keep_blocks else 0)  # one instance chaining two copies
    assert ("Step" in doc.blocks) is keep_blocks
    assert window.editor.report.ok
    assert window.editor.report.total_params == 2 * (6 * 6 + 6) + 6 * 2 + 2


def test_the_import_dialog_imports_sequence_first_when_told(window, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: shown.append(args[2]))
    module_file = tmp_path / "word.py"
    module_file.write_text(SEQUENCE_FIRST, encoding="utf-8")
    dialog = window.import_module()
    QTest.keyClicks(dialog.file, str(module_file))
    QTest.keyClicks(dialog.shapes, "9")
    QTest.mouseClick(dialog.import_button, LEFT)
    assert "batch_first=False" in dialog.message.text() and dialog.isVisible()
    box = dialog.sequence_first
    QTest.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))
    QTest.mouseClick(dialog.import_button, LEFT)
    kinds = sorted(node.kind for node in window.editor.doc.nodes())
    assert kinds == ["dense", "embedding", "gru", "input", "output"]
    head = next(node for node in window.editor.doc.nodes() if node.kind == "dense")
    assert window.editor.report.nodes[head.id].output.shape == (9, 5)  # (sequence, classes)
    assert shown[0].startswith("\u2022 the layout changed")
