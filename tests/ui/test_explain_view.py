"""Explanations on the Predictions tab, by mouse and keys: a trained run's samples listed
(the wrong ones only, if asked), Grad-CAM drawn over the digit clicked, another method or
layer chosen with the keys, a table's columns as bars, and a refusal told in the tab."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from designer.inspection.answers import val_answers
from designer.inspection.explain import explain
from designer.inspection.pictures import overlay
from designer.inspection.samples import samples_at
from designer.inspection.trained import trained_network
from designer.project import load_project, save_project
from tests.inspection_helpers import (
    COLUMNS,
    DECIDING,
    STEPS,
    sequence_project,
    table_project,
    train,
)
from tests.train_helpers import example_copy

LEFT = Qt.MouseButton.LeftButton
WAIT_MS = 40_000


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """lenet5_digits trained for one epoch, and its run's id."""
    project = example_copy(tmp_path_factory.mktemp("digits"), "lenet5_digits", epochs=1)
    project.training = {**project.training, "threads": 1}
    return project.path, train(project)


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    project = table_project(tmp_path_factory.mktemp("table"))
    return project.path, train(project)


def explain_tab(window, path, qtbot):
    """Open the project, click the Training dock and its Predictions tab: the view."""
    window.open_file(path)
    window.training_dock.raise_()
    panel = window.train_panel
    qtbot.waitUntil(panel.tabs.isVisible)
    bar = panel.tabs.tabBar()
    titles = [panel.tabs.tabText(index) for index in range(panel.tabs.count())]
    QTest.mouseClick(bar, LEFT, pos=bar.tabRect(titles.index("Predictions")).center())
    view = panel.explain_view
    qtbot.waitUntil(view.isVisible)
    return view


def load(view, qtbot) -> None:
    """Click Load Run: it returns at once (the run loads in a thread), then lists samples."""
    QTest.mouseClick(view.load_button, LEFT)
    assert view.samples.count() == 0 and not view.load_button.isEnabled()
    qtbot.waitUntil(lambda: view.samples.count() > 0, timeout=WAIT_MS)


def tick(box) -> None:
    """Click a check box on its box (its row may be wider than its text)."""
    QTest.mouseClick(box, LEFT, pos=QPoint(8, box.height() // 2))


def click_sample(view, row: int) -> None:
    rect = view.samples.visualItemRect(view.samples.item(row))
    QTest.mouseClick(view.samples.viewport(), LEFT, pos=rect.center())


def title(view) -> str:
    return view.caption.text()


def test_grad_cam_over_a_clicked_digit_and_other_methods_by_keys(window, digits, qtbot):
    path, run = digits
    view = explain_tab(window, path, qtbot)
    load(view, qtbot)
    trained = trained_network(load_project(path), run)
    wrong = val_answers(trained).wrong
    assert view.samples.count() == 64
    assert run in view.run_label.text()

    tick(view.wrong_only)
    shown = [view.samples.item(row) for row in range(view.samples.count())]
    assert [item.data(Qt.ItemDataRole.UserRole) for item in shown] == list(wrong[:64])
    tick(view.wrong_only)
    assert view.samples.count() == 64

    click_sample(view, 3)
    qtbot.waitUntil(lambda: "Grad-CAM at conv2" in title(view), timeout=WAIT_MS)
    expected = explain(trained, 3, "gradcam")
    drawn = view.picture.image
    assert np.array_equal(drawn, np.asarray(overlay(expected.picture, expected.values)))
    assert expected.describe() == title(view)

    view.method.setFocus()
    QTest.keyClick(view.method, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: "integrated gradients for" in title(view), timeout=WAIT_MS)
    assert not view.layer.isEnabled()  # only Grad-CAM weighs a layer

    QTest.keyClick(view.method, Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: "Grad-CAM at conv2" in title(view), timeout=WAIT_MS)
    view.layer.setFocus()
    QTest.keyClick(view.layer, Qt.Key.Key_Down)  # after "Last convolution": conv1
    qtbot.waitUntil(lambda: "Grad-CAM at conv1" in title(view), timeout=WAIT_MS)
    assert view.picture.image.shape[:2] == (256, 256)


def clearest_sample(trained) -> int:
    """Of the samples listed, the one whose deciding column is farthest from 0 (a value
    near 0, the baseline, gets little attribution)."""
    x, _ = samples_at(trained.setup.data.val, np.arange(64), trained.setup.device)
    return int(x[:, COLUMNS.index(DECIDING)].abs().argmax())


def test_a_tables_columns_as_bars_and_a_refusal_in_the_tab(window, table, qtbot):
    path, run = table
    sample = clearest_sample(trained_network(load_project(path), run))
    view = explain_tab(window, path, qtbot)
    load(view, qtbot)
    click_sample(view, sample)  # Grad-CAM, the default, has no image to look at
    qtbot.waitUntil(lambda: "Grad-CAM weighs" in view.message.text(), timeout=WAIT_MS)
    assert "these samples are a table" in view.message.text()
    assert "Traceback" not in view.message.text() and view.bars is None
    assert title(view) == "Not explained"

    view.method.setFocus()
    QTest.keyClick(view.method, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: view.bars is not None, timeout=WAIT_MS)
    assert "integrated gradients" in title(view)
    widths = view.bars.opts["width"]
    assert list(np.abs(widths)) == sorted(np.abs(widths), reverse=True)
    ticks = dict(view.plot.getAxis("left")._tickLevels[0])
    top = max(view.bars.opts["y"])
    assert ticks[top] == DECIDING  # the column the class depends on, on top

    QTest.keyClick(view.method, Qt.Key.Key_Up)  # Grad-CAM again: refused, the bars go
    qtbot.waitUntil(lambda: view.bars is None, timeout=WAIT_MS)
    assert "Grad-CAM weighs" in view.message.text() and not view.plot.getPlotItem().items


@pytest.fixture(scope="module")
def sequences(tmp_path_factory):
    project = sequence_project(tmp_path_factory.mktemp("sequences"))
    return project.path, train(project)


def test_a_sequences_steps_as_bars_in_time_order(window, sequences, qtbot):
    path, run = sequences
    view = explain_tab(window, path, qtbot)
    load(view, qtbot)
    view.method.setFocus()
    QTest.keyClick(view.method, Qt.Key.Key_Down)  # integrated gradients
    click_sample(view, 5)
    qtbot.waitUntil(lambda: view.bars is not None, timeout=WAIT_MS)
    expected = explain(trained_network(load_project(path), run), 5, "ig")
    assert np.allclose(view.bars.opts["height"], expected.values)
    assert list(view.bars.opts["x"]) == list(range(STEPS))
    ticks = dict(view.plot.getAxis("bottom")._tickLevels[0])
    assert ticks[0] == "t1" and ticks[STEPS - 1] == f"t{STEPS}"


def test_a_run_of_a_changed_network_is_refused_in_the_tab(window, table, qtbot):
    path, run = table
    view = explain_tab(window, path, qtbot)
    hidden = window.editor.doc.find("hidden")
    window.editor.set_param(hidden.id, "units", 32)  # as the inspector does: an undoable edit
    QTest.mouseClick(view.load_button, LEFT)
    qtbot.waitUntil(view.load_button.isEnabled, timeout=WAIT_MS)
    assert f"the network changed since run {run}" in view.message.text()
    assert view.samples.count() == 0


def test_a_click_on_the_predictions_grid_explains_that_sample(window, tmp_path, qtbot):
    project = example_copy(tmp_path, "lenet5_digits", epochs=1, threads=1)
    save_project(project, project.path)
    view = explain_tab(window, project.path, qtbot)
    panel = window.train_panel
    QTest.mouseClick(panel.start_button, LEFT)
    qtbot.waitUntil(lambda: panel.status.text().startswith("Finished"), timeout=WAIT_MS)
    grid = panel.predictions
    qtbot.waitUntil(lambda: grid.cells is not None, timeout=WAIT_MS)
    columns, cell_w, cell_h, _ = grid.cells
    sample = columns + 1  # second row, second column
    centre = QPointF(1.5 * cell_w, 1.5 * cell_h - cell_h / 4)
    scene_point = grid.widget.getPlotItem().vb.mapViewToScene(centre)
    QTest.mouseClick(grid.widget.viewport(), LEFT, pos=grid.widget.mapFromScene(scene_point))
    qtbot.waitUntil(lambda: "Grad-CAM at conv2" in title(view), timeout=WAIT_MS)
    assert view.samples.currentItem().data(Qt.ItemDataRole.UserRole) == sample
    expected = explain(trained_network(project, panel.current_run), sample, "gradcam")
    assert expected.describe() == title(view)
