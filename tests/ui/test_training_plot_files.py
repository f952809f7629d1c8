"""Save as PNG and Save as CSV from a plot's context menu after a real short run: the files hold
the plot and its values, are written whole, and never over a folder or a FIFO."""

from __future__ import annotations

import csv
import os
import stat

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog

from tests.ui.plot_gestures import choose, context_menu, on_screen
from tests.ui.test_training_hover import short_run


def answer_save_dialogs(monkeypatch, *paths):
    """The file dialog answers `paths` in turn, as a person would type them; the questions
    asked are returned."""
    asked, answers = [], list(paths)

    def ask(parent, caption, start, kinds):
        asked.append((caption, start, kinds))
        return str(answers.pop(0)), kinds

    monkeypatch.setattr(QFileDialog, "getSaveFileName", ask)
    return asked


def read_csv(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))


def middle_of(widget):
    (left, right), (bottom, top) = widget.getPlotItem().getViewBox().viewRange()
    return on_screen(widget, (left + right) / 2, (bottom + top) / 2)


def test_a_plot_saves_its_values_as_csv_and_its_picture_as_png(
    window, example, tmp_path, qtbot, monkeypatch
):
    panel, epochs = short_run(window, example, tmp_path, qtbot, epochs=2)
    loss = panel.loss_plot
    out = tmp_path / "out"
    out.mkdir()
    asked = answer_save_dialogs(monkeypatch, out / "loss.csv", out / "loss", out / "confusion.csv")
    choose(context_menu(loss.widget, middle_of(loss.widget)), "Save Loss as CSV\u2026")
    # The dialog starts in the project's folder.
    assert asked[0] == ("Save Loss as CSV", str(tmp_path / "loss.csv"), "CSV files (*.csv)")
    rows = read_csv(out / "loss.csv")
    steps, values = loss.train.view()
    assert rows[0] == ["series", "step", "loss"]
    assert len(rows) - 1 == len(steps) + len(epochs)  # a row a data point, no smoothing
    train = [(float(x), float(y)) for name, x, y in rows[1:] if name == "train (step)"]
    assert train == list(zip(steps.tolist(), values.tolist(), strict=True))
    val = [(float(x), float(y)) for name, x, y in rows[1:] if name == "validation (epoch)"]
    assert val == [(event.step, event.val["loss"]) for event in epochs]

    choose(context_menu(loss.widget, middle_of(loss.widget)), "Save Loss as PNG\u2026")
    picture = QImage(str(out / "loss.png"))  # the suffix was added
    plot_size = loss.widget.getPlotItem().sceneBoundingRect().size().toSize()
    assert not picture.isNull() and picture.size() == plot_size
    colours = {picture.pixel(x, y) for x in range(0, picture.width(), 7) for y in (20, 60, 120)}
    assert len(colours) > 3  # axes, curves and text on the background, not a blank

    confusion = panel.confusion_plot
    menu = context_menu(confusion.widget, middle_of(confusion.widget))
    choose(menu, "Save Confusion as CSV\u2026")
    assert read_csv(out / "confusion.csv") == [
        ["true \\ predicted", "setosa", "versicolor", "virginica"],
        *(
            [name, *map(str, counts)]
            for name, counts in zip(
                ["setosa", "versicolor", "virginica"], epochs[-1].confusion, strict=True
            )
        ),
    ]
    assert panel.status.text() == f"Saved {out / 'confusion.csv'}"
    assert not panel.message.isVisible()
    names = sorted(path.name for path in out.iterdir())
    assert names == ["confusion.csv", "loss.csv", "loss.png"]  # no temporary files behind


def test_saving_over_a_folder_or_a_fifo_is_refused_with_a_message(
    window, example, tmp_path, qtbot, monkeypatch
):
    panel, _ = short_run(window, example, tmp_path, qtbot, epochs=1)
    out = tmp_path / "out"
    folder = out / "plots"
    folder.mkdir(parents=True)
    fifo = out / "pipe.png"
    os.mkfifo(fifo)
    answer_save_dialogs(monkeypatch, folder, fifo, fifo)
    metric = panel.metric_plot
    choose(context_menu(metric.widget, middle_of(metric.widget)), "Save Metric as CSV\u2026")
    assert panel.message.isVisible()
    assert panel.message.text() == (
        f"The Metric plot was not saved: {folder} is a folder, not a file: nothing was written"
    )
    assert folder.is_dir() and list(folder.iterdir()) == []
    choose(context_menu(metric.widget, middle_of(metric.widget)), "Save Metric as PNG\u2026")
    assert panel.message.text() == (
        f"The Metric plot was not saved: {fifo} is a FIFO (named pipe), not a file: nothing was "
        "written"
    )
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    choose(context_menu(metric.widget, middle_of(metric.widget)), "Save Metric as CSV\u2026")
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert sorted(path.name for path in out.iterdir()) == ["pipe.png", "plots"]
