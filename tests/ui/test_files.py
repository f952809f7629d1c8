"""Files in the window: examples open, save and reopen unchanged, unsaved changes, recovery."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from designer.compiler import probe
from designer.compiler.shape_cache import FOLDER_VARIABLE, cache_file, shape_cache_at
from designer.project.files import project_to_text
from designer.ui import recovery
from designer.ui.canvas.style import category_color
from designer.ui.main_window import MainWindow
from designer.ui.start_page import THUMBNAIL
from designer.ui.torch_loader import TorchLoader
from tests.helpers import EXAMPLES


def test_every_example_opens_and_saves_to_the_same_json(window, tmp_path):
    for path in EXAMPLES:
        assert window.open_file(path)
        assert window.windowTitle() == f"{path.stem}[*] \u2014 NetDesigner"
        assert window.editor.report.ok
        assert len(window.scene.node_items) == len(window.editor.doc)
        copy = tmp_path / path.name
        assert window.write(copy)
        assert copy.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")
        assert window.open_file(copy)
        assert project_to_text(window.editor.project) == path.read_text(encoding="utf-8")


def test_edits_mark_the_title_and_saving_clears_it(window, example, tmp_path):
    window.open_file(example("mlp_iris"))
    assert not window.isWindowModified()
    node = window.editor.doc.find("hidden1")
    window.editor.set_param(node.id, "units", 32)
    assert window.isWindowModified()
    window.write(tmp_path / "changed.json")
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("changed[*]")
    assert str((tmp_path / "changed.json").resolve()) in window.recent_paths()


def test_a_broken_file_is_refused_with_a_message_and_the_open_project_stays(
    window, example, tmp_path, monkeypatch
):
    window.open_file(example("mlp_iris"))
    before = window.editor.project
    broken = tmp_path / "broken.json"
    broken.write_text('{"format_version": 1, "graph": {"nodes": [{"id": 3}]}}')
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    assert not window.open_file(broken)
    assert window.editor.project is before
    assert shown and str(broken) in shown[0] and "graph" in shown[0]


def test_closing_with_unsaved_changes_asks_and_cancel_keeps_the_window(qtbot, example, monkeypatch):
    main = MainWindow()
    qtbot.addWidget(main)
    main.show()
    main.open_file(example("mlp_iris"))
    node = main.editor.doc.find("hidden1")
    main.editor.set_param(node.id, "units", 8)
    asked = []

    def answer(*args, **kwargs):
        asked.append(args[2])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", answer)
    assert not main.close()
    assert main.isVisible() and asked == ["Save the changes to mlp_iris?"]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)
    assert main.close()


def test_a_crash_leaves_a_recovery_copy_that_the_next_start_offers(
    window, example, qtbot, monkeypatch
):
    window.open_file(example("lenet5_digits"))
    node = window.editor.doc.find("fc1")
    window.editor.set_param(node.id, "units", 100)
    copy = recovery.recovery_file(example("lenet5_digits"))
    qtbot.waitUntil(copy.exists, timeout=5000)
    edited = project_to_text(window.editor.project)

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    second = MainWindow()
    qtbot.addWidget(second)
    second.confirm_discard = lambda: True
    assert second.offer_recovery(example("lenet5_digits"))
    assert project_to_text(second.editor.project) == edited
    assert second.editor.project.path == example("lenet5_digits")
    assert second.isWindowModified()
    assert not copy.exists()


def test_declining_recovery_removes_the_copy(window, example, qtbot, monkeypatch):
    window.open_file(example("mlp_iris"))
    window.editor.set_param(window.editor.doc.find("hidden1").id, "units", 5)
    window.write_recovery()
    copy = recovery.recovery_file(example("mlp_iris"))
    assert copy.exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    second = MainWindow()
    qtbot.addWidget(second)
    assert not second.offer_recovery()
    assert second.editor is None
    assert not copy.exists()


def test_start_page_lists_examples_and_opens_one(window):
    page = window.start_page
    assert window.stack.currentWidget() is page
    titles = [page.examples.item(row).text() for row in range(page.examples.count())]
    assert "LeNet-5 on digits\nLeNet-5 as in the PyTorch tutorial" in "".join(titles)
    lenet = page.examples.item(next(i for i, t in enumerate(titles) if t.startswith("LeNet")))
    picture = lenet.icon().pixmap(THUMBNAIL).toImage()
    convolution = category_color("Convolution").rgb()
    assert any(  # the thumbnail draws LeNet's convolutions in their category's colour
        picture.pixel(x, y) == convolution
        for x in range(picture.width())
        for y in range(picture.height())
    )
    page.examples.itemActivated.emit(page.examples.item(0))
    assert window.editor is not None and window.stack.currentWidget() is window.tabs
    assert window.tabs.tabs.currentWidget() is window.view


def test_a_dark_system_scheme_gives_a_dark_canvas(window, example, qapp):
    from PySide6.QtGui import QImage, QPainter

    from designer.ui.theme import dark_palette

    window.open_file(example("mlp_iris"))
    qapp.setPalette(dark_palette())
    try:
        image = QImage(200, 200, QImage.Format.Format_ARGB32)
        painter = QPainter(image)
        window.scene.render(
            painter,
            source=window.scene.node_items[window.editor.doc.nodes()[0].id]
            .sceneBoundingRect()
            .adjusted(-60, -60, 60, 60),
        )
        painter.end()
        assert image.pixelColor(2, 2).lightness() < 80
    finally:
        qapp.setPalette(qapp.style().standardPalette())


def test_undoing_back_to_the_saved_state_drops_the_recovery_copy(window, example, qtbot):
    window.open_file(example("mlp_iris"))
    window.editor.set_param(window.editor.doc.find("hidden1").id, "units", 5)
    window.write_recovery()
    copy = recovery.recovery_file(example("mlp_iris"))
    assert copy.exists()
    window.undo_action.trigger()
    window.write_recovery()
    assert not copy.exists()


def test_a_project_opened_while_pytorch_loads_says_its_shapes_are_being_worked_out(
    window, example, monkeypatch, tmp_path
):
    monkeypatch.setenv(FOLDER_VARIABLE, str(tmp_path))  # a first start: no shapes kept yet
    probe._probe.cache_clear()  # nor known in this process
    loading = TorchLoader()
    loading._done.clear()  # as at start-up: the background import is still going
    loading._started = True  # this test finishes it
    monkeypatch.setattr("designer.ui.main_window.torch_loader", lambda: loading)
    window.open_file(example("lenet5_digits"))
    assert window.status_totals.text() == "Working out shapes\u2026"
    assert window.statusBar().currentMessage() == "Loading PyTorch to work out shapes\u2026"
    items = window.scene.node_items.values()
    assert {item.shape_text() for item in items} == {"working out\u2026"}
    loading._done.set()
    loading.ready.emit()
    assert window.status_totals.text().startswith("Parameters 61,706 ")
    assert window.status_valid.text() == "\u2714 valid"
    flatten = window.scene.node_items[window.editor.doc.find("flatten").id]
    assert flatten.shape_text() == "400"
    shape_cache_at(cache_file()).save()  # as at exit
    probe._probe.cache_clear()  # the next start: only the file knows the shapes
    again = TorchLoader()
    again._done.clear()
    again._started = True
    monkeypatch.setattr("designer.ui.main_window.torch_loader", lambda: again)
    window.open_file(example("lenet5_digits"))
    assert window.status_totals.text().startswith("Parameters 61,706 ")
    flatten = window.scene.node_items[window.editor.doc.find("flatten").id]
    assert flatten.shape_text() == "400"
