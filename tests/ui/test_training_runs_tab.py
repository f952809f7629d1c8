"""The Runs tab after a real short run: readable run names, the selected run's epochs in a
table that copies and saves as CSV, and TensorBoard on the runs."""

from __future__ import annotations

import csv
import re
import sys
import urllib.request

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtTest import QTest

from designer.training.events import EpochDone
from tests.ui.test_training_hover import short_run, shown_copy
from tests.ui.test_training_panel import RUN_TIMEOUT, open_tab
from tests.ui.test_training_plot_files import answer_save_dialogs

LEFT = Qt.MouseButton.LeftButton
NAME = re.compile(r"Run 1 \u00b7 Adam 0\.01 \u00b7 3 epochs \u00b7 \d\d:\d\d")
TENSORBOARD_TIMEOUT = 90_000


class OpenedUrls(QObject):
    """Receives the URLs the app asks the desktop to open, for one scheme."""

    def __init__(self, scheme: str) -> None:
        super().__init__()
        self.scheme, self.urls = scheme, []
        QDesktopServices.setUrlHandler(scheme, self, "open")

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)

    def close(self) -> None:
        QDesktopServices.unsetUrlHandler(self.scheme)


def choose_from_button_menu(button, text: str) -> None:
    """Click a button that pops up a menu, then the menu's entry `text`."""

    menu, picked = button.menu(), []

    def pick() -> None:  # in the menu's own event loop
        assert menu.isVisible()
        (action,) = [action for action in menu.actions() if action.text() == text]
        QTest.mouseClick(menu, LEFT, pos=menu.actionGeometry(action).center())
        picked.append(action)

    QTimer.singleShot(50, pick)
    QTest.mouseClick(button, LEFT)
    for _ in range(100):  # the button opens its menu once its click is handled
        if picked:
            break
        QTest.qWait(20)
    assert picked and not menu.isVisible()


def test_the_runs_tab_names_the_run_and_tables_its_epochs(
    window, example, tmp_path, qtbot, monkeypatch
):
    panel, epochs = short_run(window, example, tmp_path, qtbot, epochs=3)
    open_tab(panel, panel.runs_page)
    tree = panel.runs.tree
    item = tree.topLevelItem(0)
    assert NAME.fullmatch(item.text(0)) and tree.currentItem() is item  # the newest is chosen
    assert item.text(0) in item.toolTip(0) and "runs" in item.toolTip(0)
    item.setCheckState(0, Qt.CheckState.Checked)  # overlaid on the loss, by its short name
    legend = panel.loss_plot.widget.getPlotItem().legend
    assert "Run 1 (val)" in [label.text for _, label in legend.items]

    table = panel.metrics_table
    model, view = table.model, table.view
    assert model.rowCount() == len(epochs) == 3
    assert table.title.text() == "Run 1: 3 epochs"
    headings = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headings[:5] == ["Epoch", "Train loss", "Train accuracy", "Val loss", "Val accuracy"]
    assert headings[-2:] == ["Learning rate", "Time (s)"] and "Val F1" in headings
    column = headings.index("Val loss")
    shown = [view.model().index(row, column).data() for row in range(3)]
    assert shown == [f"{event.val['loss']:.4g}" for event in epochs]

    # A click on the Epoch heading (sorted oldest first) turns the order: newest first.
    header = view.horizontalHeader()
    heading = QPoint(header.sectionViewportPosition(0) + header.sectionSize(0) // 2, 5)
    QTest.mouseClick(header.viewport(), LEFT, pos=heading)
    assert [view.model().index(row, 0).data() for row in range(3)] == ["3", "2", "1"]

    # Ctrl+C with nothing selected copies the whole table, in the order shown.
    view.setFocus()
    view.clearSelection()
    QTest.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert len(lines) == 4 and lines[0].split("\t")[:3] == ["epoch", "train_loss", "train_accuracy"]
    assert [line.split("\t")[0] for line in lines[1:]] == ["3", "2", "1"]
    val_loss = lines[0].split("\t").index("val_loss")
    assert float(lines[1].split("\t")[val_loss]) == epochs[-1].val["loss"]  # full precision

    answer_save_dialogs(monkeypatch, tmp_path / "epochs.csv")
    QTest.mouseClick(table.save_button, LEFT)
    with open(tmp_path / "epochs.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(epochs)
    assert sorted(float(row["val_accuracy"]) for row in rows) == sorted(
        event.val["accuracy"] for event in epochs
    )
    assert panel.status.text() == f"Saved {tmp_path / 'epochs.csv'}"


def test_tensorboard_opens_the_runs_event_folder_and_starts_on_the_runs(
    window, example, tmp_path, qtbot
):
    panel, _ = short_run(window, example, tmp_path, qtbot, epochs=1)
    open_tab(panel, panel.runs_page)
    run = panel.runs.selected_run()
    folders, pages = OpenedUrls("file"), OpenedUrls("http")
    try:
        choose_from_button_menu(panel.runs.tensorboard_button, "Open TensorBoard Folder")
        assert [url.toLocalFile() for url in folders.urls] == [str(run.root / "tensorboard")]
        assert any(path.name.startswith("events.out") for path in folders_in(run))

        choose_from_button_menu(panel.runs.tensorboard_button, "Start TensorBoard")
        assert panel.status.text().startswith("Starting TensorBoard on ")
        qtbot.waitUntil(lambda: bool(pages.urls), timeout=TENSORBOARD_TIMEOUT)
        address = pages.urls[0].toString()
        assert panel.status.text() == f"TensorBoard is at {address} (it stops with the window)"
        with urllib.request.urlopen(address, timeout=30) as answer:
            assert answer.status == 200
        process = panel.runs.tensorboard.process
        panel.runs.tensorboard.stop()
        assert process.state() == process.ProcessState.NotRunning
    finally:
        folders.close()
        pages.close()
        panel.runs.tensorboard.stop()


def folders_in(run):
    return list((run.root / "tensorboard").iterdir())


def test_without_tensorboard_the_menu_says_how_to_install_it(
    window, example, tmp_path, qtbot, monkeypatch
):
    panel = shown_copy(window, example, tmp_path, qtbot)
    qtbot.waitUntil(lambda: panel.session.process is not None and panel.session.process.alive)
    open_tab(panel, panel.runs_page)
    # Neither beside this Python nor on the PATH (the training process is started already).
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    choose_from_button_menu(panel.runs.tensorboard_button, "Start TensorBoard (not installed)")
    action = panel.runs.start_tensorboard_action
    assert action.toolTip() == "Install TensorBoard first: pip install tensorboard"
    assert panel.message.text().startswith("TensorBoard is not installed: pip install tensorboard")
    assert panel.runs.tensorboard.process is None


def test_a_new_run_is_listed_at_its_start_and_its_table_fills_as_epochs_end(
    window, example, tmp_path, qtbot
):
    panel = shown_copy(window, example, tmp_path, qtbot)
    open_tab(panel, panel.runs_page)
    seen = []

    def look(event) -> None:  # the table and the run's result as each epoch ends
        if isinstance(event, EpochDone):
            item = panel.runs.tree.currentItem()
            seen.append((panel.metrics_table.model.rowCount(), item.text(3)))

    panel.session.event_emitted.connect(look)
    panel.epochs.setValue(3)
    with qtbot.waitSignal(panel.session.ended, timeout=RUN_TIMEOUT):
        QTest.mouseClick(panel.start_button, LEFT)
    assert seen == [(1, "running"), (2, "running"), (3, "running")]
    assert panel.runs.tree.currentItem().text(3) == "completed"
