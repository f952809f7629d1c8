"""The Runs tab lists a damaged run as damaged, with the reason, and only that run: the others
list, open, overlay and resume as before."""

from __future__ import annotations

import json
import shutil

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.training import Trainer, new_run, prepare_run
from tests.train_helpers import example_copy
from tests.ui.test_training_panel import open_tab

LEFT = Qt.MouseButton.LeftButton
FAST = {"epochs": 1, "batch_size": 16, "baseline": False, "threads": 1}


def runs_on_disk(tmp_path):
    """mlp_iris in tmp_path with two finished runs (the second a copy of the first's folder),
    the first with a config.json that holds a list."""
    project = example_copy(tmp_path, "mlp_iris", **FAST)
    damaged = new_run(project.path)
    Trainer(prepare_run(project), damaged).run()
    sound = damaged.root.with_name(damaged.id + "-2")
    shutil.copytree(damaged.root, sound)
    (sound / "run.json").write_text(json.dumps({"number": 2}))
    damaged.config_path.write_text("[1, 2]")
    return project.path, damaged


def click_row(tree, row: int) -> None:
    item = tree.topLevelItem(row)
    QTest.mouseClick(tree.viewport(), LEFT, pos=tree.visualItemRect(item).center())
    assert tree.currentItem() is item


def test_a_damaged_run_is_listed_as_damaged_with_the_reason(window, tmp_path, qtbot):
    path, damaged = runs_on_disk(tmp_path)
    window.open_file(path)
    window.training_dock.raise_()
    panel = window.train_panel
    qtbot.waitUntil(lambda: panel.runs.tree.topLevelItemCount() == 2, timeout=60_000)
    open_tab(panel, panel.runs_page)
    tree = panel.runs.tree
    first, second = (tree.topLevelItem(row) for row in range(2))
    reason = f"run {damaged.id} is damaged: {damaged.config_path} has the wrong structure"
    assert first.text(0).startswith("Run 1") and first.text(3) == "damaged"
    assert first.toolTip(3).startswith(reason)
    assert not first.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert second.text(0).startswith("Run 2") and second.text(1) == "1"
    assert second.text(3) == "completed" and second.text(2)

    click_row(tree, 0)
    assert panel.message.isVisible() and panel.message.text().startswith(reason)
    assert not panel.runs.resume_button.isEnabled()
    assert not panel.runs.start_from_button.isEnabled()
    assert panel.runs.delete_button.isEnabled()

    click_row(tree, 1)
    assert panel.runs.resume_button.isEnabled() and panel.runs.start_from_button.isEnabled()
    assert panel.metrics_table.model.rowCount() == 1
    overlays = []
    panel.runs.overlay_changed.connect(lambda *args: overlays.append(args))
    second.setCheckState(0, Qt.CheckState.Checked)
    assert [(name, len(records)) for _, name, records in overlays] == [("Run 2", 2)]
