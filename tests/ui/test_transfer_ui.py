"""Transfer learning in the window: a pretrained network chosen from the start page (its
weights in a temporary hub cache, or downloaded from a local server with a progress bar),
layers frozen and unfrozen from the inspector and the node menu, and the head replaced, each
one undoable step shown on the canvas."""

from __future__ import annotations

import dataclasses
import hashlib
import http.server
import threading

import pytest
import torch
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu

from designer.importer.head import head_node
from designer.training.runs import list_runs
from designer.ui.pretrained_dialog import PretrainedDialog
from designer.ui.start_page import FEATURED, MORE
from tests.pretrained_helpers import FILE, image_folder, models, seeded_hub
from tests.ui.gestures import click, key

LEFT = Qt.MouseButton.LeftButton
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def hub(tmp_path, monkeypatch):
    return seeded_hub(tmp_path, monkeypatch)


def test_the_start_page_offers_torchvisions_networks():
    listed = set(models().list_models(module=models()))
    assert {model for model, _ in FEATURED} <= listed


def choose_on_start_page(window, qtbot, model: str) -> PretrainedDialog:
    pretrained = window.start_page.pretrained
    row = next(
        i for i in range(pretrained.count()) if pretrained.item(i).data(Qt.UserRole) == model
    )
    pretrained.setFocus()
    pretrained.setCurrentRow(row)
    key(pretrained, Qt.Key.Key_Return)
    dialog = window.findChild(PretrainedDialog)
    qtbot.waitUntil(lambda: dialog.table.topLevelItemCount() > 0, timeout=60_000)
    return dialog


def make_from(dialog, window, qtbot) -> None:
    QTest.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), LEFT)
    qtbot.waitUntil(lambda: window.editor is not None, timeout=120_000)
    window.activateWindow()  # as the window manager does once a dialog closes
    qtbot.waitUntil(window.isActiveWindow)


def test_a_network_chosen_on_the_start_page_comes_in_sized_frozen_and_shown(
    window, qtbot, hub, tmp_path
):
    dialog = choose_on_start_page(window, qtbot, "resnet18")
    assert dialog.chosen.model == "resnet18"
    assert "69.8%" in [dialog.table.currentItem().text(c) for c in range(5)]
    assert f"In torch's cache: {hub / FILE}" in dialog.weights.text()
    pictures = image_folder(tmp_path / "pictures")
    QTest.keyClicks(dialog.folder, str(pictures))  # counted once typing pauses
    qtbot.waitUntil(lambda: dialog.classes.value() == 2)
    assert "2 classes in" in dialog.status.text() and dialog.freeze.isChecked()
    make_from(dialog, window, qtbot)
    project = window.editor.project
    head = head_node(project.graph)
    assert project.graph.node(head).params["units"] == 2
    assert project.dataset["path"] == str(pictures.resolve())
    assert window.editor.modified and project.path is None
    frozen = window.editor.frozen
    items = window.scene.node_items
    assert frozen and head not in frozen
    assert all(items[node].frozen for node in frozen) and not items[head].frozen
    assert "frozen" in items[next(iter(frozen))].toolTip()


def test_the_list_filters_and_a_closed_dialog_opens_nothing(window, qtbot):
    dialog = choose_on_start_page(window, qtbot, MORE)
    assert dialog.chosen is None  # nothing chosen yet: nothing to create
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    QTest.keyClicks(dialog.filter, "mobilenet v3")
    shown = [
        dialog.table.topLevelItem(i).text(0)
        for i in range(dialog.table.topLevelItemCount())
        if not dialog.table.topLevelItem(i).isHidden()
    ]
    # torchvision's, then timm's (a test dependency) under its own name
    assert shown == ["mobilenet_v3_large", "mobilenet_v3_small", "timm:mobilenetv3_large_100"]
    QTest.keyClicks(dialog.folder, str(window.windowTitle()))  # not a folder
    qtbot.waitUntil(lambda: "not a folder of class folders" in dialog.status.text())
    key(dialog, Qt.Key.Key_Escape)
    assert window.editor is None


@pytest.fixture
def pretrained_window(window, qtbot, hub, tmp_path):
    """resnet18, its head sized for two classes and its backbone frozen, in the window."""
    dialog = choose_on_start_page(window, qtbot, "resnet18")
    dialog.classes.setValue(2)
    make_from(dialog, window, qtbot)
    return window


def test_the_inspector_switch_freezes_and_unfreezes_one_layer(pretrained_window):
    window = pretrained_window
    editor, scene = window.editor, window.scene
    conv = next(node.id for node in editor.doc.nodes() if node.kind == "conv2d")
    assert conv in editor.frozen
    click(window.view, scene.node_items[conv].sceneBoundingRect().center())
    switch = window.inspector.trainable
    assert switch is not None and not switch.isChecked() and switch.isEnabled()
    QTest.mouseClick(switch, LEFT, pos=QPoint(8, switch.height() // 2))
    assert conv not in editor.frozen and not scene.node_items[conv].frozen
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert conv in editor.frozen and scene.node_items[conv].frozen and not switch.isChecked()
    relu = next(node.id for node in editor.doc.nodes() if node.kind == "relu")
    click(window.view, scene.node_items[relu].sceneBoundingRect().center())
    assert not window.inspector.trainable.isEnabled()  # no weights to keep or learn


def test_the_node_menu_freezes_a_selection_in_one_step(pretrained_window, monkeypatch):
    window = pretrained_window
    editor = window.editor
    head = head_node(editor.doc)
    shown: list[list[str]] = []

    class Menu(QMenu):
        def exec(self, _position):
            shown.append([action.text() for action in self.actions() if action.text()])
            next(a for a in self.actions() if a.text() == "Freeze").trigger()

    monkeypatch.setattr("designer.ui.main_window.QMenu", Menu)
    before = editor.undo_stack.count()
    window.node_menu(head, QPoint())
    assert "Replace Head\u2026" in shown[0] and "Unfreeze" not in shown[0]
    assert head in editor.frozen and window.scene.node_items[head].frozen
    assert editor.undo_stack.count() == before + 1
    assert editor.undo_stack.undoText() == f"Freeze {editor.doc.node(head).name}"


def test_replacing_the_head_resizes_it_drops_its_weights_and_undoes_in_one_step(
    pretrained_window, qtbot
):
    window = pretrained_window
    editor = window.editor
    head = head_node(editor.doc)
    start = editor.project.training["start_weights"]
    kept = dict(start["keys"])
    window.scene.select_nodes([head])
    editor.set_trainable([head], False)  # frozen, it comes back to learn once replaced
    dialog = window.replace_head()
    assert dialog.intValue() == 2
    dialog.setIntValue(5)
    key(dialog, Qt.Key.Key_Return)
    assert editor.doc.node(head).params["units"] == 5 and head not in editor.frozen
    assert editor.project.training["start_weights"]["keys"] == kept  # its tensors were out
    assert editor.undo_stack.undoText() == "Replace the head: 5 classes"
    key(window.view, Qt.Key.Key_Z, CTRL)
    assert editor.doc.node(head).params["units"] == 2 and head in editor.frozen


class Serving(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def sha256_start(file) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()[:8]


def serve_choices(monkeypatch, url: str, file) -> None:
    """The dialog lists resnet18 only, its weights published at `url` (a local server)."""
    original = PretrainedDialog.list_choices
    check = sha256_start(file)

    def served_choices():
        return [
            dataclasses.replace(choice, url=url, check=check)
            for choice in original()
            if choice.model == "resnet18"
        ]

    monkeypatch.setattr(PretrainedDialog, "list_choices", staticmethod(served_choices))


def test_download_now_fills_the_cache_with_a_progress_bar(window, qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    served = tmp_path / "served"
    served.mkdir()
    weights = served / FILE
    weights.write_bytes(b"w" * 3_000_000)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: Serving(*a, directory=str(served))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    serve_choices(monkeypatch, f"http://127.0.0.1:{server.server_port}/{FILE}", weights)
    try:
        dialog = choose_on_start_page(window, qtbot, "resnet18")
        assert "Not yet here (44.7 MB" in dialog.weights.text()
        progress: list[tuple[int, int]] = []
        dialog.progressed.connect(lambda done, total: progress.append((done, total)))
        QTest.mouseClick(dialog.download_button, LEFT)
        assert not dialog.download_button.isEnabled()  # one download at a time
        target = tmp_path / "torch" / "hub" / "checkpoints" / FILE
        qtbot.waitUntil(lambda: "Downloaded" in dialog.status.text(), timeout=120_000)
        assert target.read_bytes() == weights.read_bytes()
        assert progress[-1] == (3_000_000, 3_000_000) and len(progress) >= 3
        assert "In torch's cache" in dialog.weights.text() and not dialog.progress.isVisible()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_from_the_start_page_to_a_trained_head_the_weights_downloaded_on_the_first_run(
    window, qtbot, hub, tmp_path, monkeypatch
):
    """The workflow a user follows: ResNet-18 from the start page, an image folder, the
    backbone frozen, saved, trained; the weights are fetched when the run starts, the
    panel saying how far, and the frozen layers end as they started."""
    served = tmp_path / "served"
    served.mkdir()
    (hub / FILE).rename(served / FILE)  # not in the cache yet: the run downloads it
    published = torch.load(served / FILE, weights_only=True)
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), lambda *a: Serving(*a, directory=str(served))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/{FILE}"
    serve_choices(monkeypatch, url, served / FILE)
    try:
        dialog = choose_on_start_page(window, qtbot, "resnet18")
        QTest.keyClicks(dialog.folder, str(image_folder(tmp_path / "pictures")))
        qtbot.waitUntil(lambda: dialog.classes.value() == 2)
        make_from(dialog, window, qtbot)
        project = window.editor.project
        project.training["start_weights"]["url"] = url  # published here, not on the hub
        project.training["start_weights"]["check"] = sha256_start(served / FILE)
        project.training |= {"workers": 0, "baseline": False}
        window.editor.project.dataset |= {"split": {"val": 0.34, "test": 0.0}}
        assert window.write(tmp_path / "transfer.json")
        panel = window.train_panel
        panel.epochs.setValue(1)
        panel.batch_size.setValue(4)
        shown: list[str] = []
        panel.session.event_emitted.connect(lambda _: shown.append(panel.status.text()))
        with qtbot.waitSignal(panel.session.ended, timeout=300_000):
            QTest.mouseClick(panel.start_button, LEFT)
        assert panel.status.text().startswith("Finished (completed)"), panel.message.text()
    finally:
        server.shutdown()
        server.server_close()
    assert any(text.startswith("Downloading the start weights") for text in shown)
    assert (hub / FILE).read_bytes() == (served / FILE).read_bytes()
    (run,) = list_runs(tmp_path / "transfer.json")
    trained = torch.load(run.checkpoint("last"), weights_only=True)["model"]
    keys = window.editor.project.training["start_weights"]["keys"]
    conv = next(ours for ours, theirs in keys.items() if theirs == "conv1.weight")
    assert torch.equal(trained[conv], published["conv1.weight"])  # frozen: as published
    head = next(key for key in trained if key.endswith(".weight") and trained[key].shape[0] == 2)
    assert head not in keys  # the new head started afresh, and learned
