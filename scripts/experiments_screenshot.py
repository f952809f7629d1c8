"""Save a screenshot of the Experiments dock after a sweep of sweep_iris run from it (run
under X11/Xvfb): xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python
scripts/experiments_screenshot.py docs/images/experiments.png"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QTimer

from designer.ui.app import application, open_window
from designer.ui.torch_loader import torch_loader

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path, help="the PNG to write")
    parser.add_argument("--size", default="1440x900")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=30, help="each trial's epochs")
    parser.add_argument("--tab", default="Curves", help="the plot to show, by its tab's title")
    args = parser.parse_args(argv)
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    settings = tempfile.mkdtemp(prefix="netdesigner-screenshot-")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    app = application()
    # The trials' runs are kept beside the project file: sweep a copy, in the temporary folder.
    raw = json.loads((ROOT / "projects" / "sweep_iris.json").read_text())
    raw["training"]["epochs"] = args.epochs
    project = Path(settings) / "sweep_iris.json"
    project.write_text(json.dumps(raw))
    window = open_window(str(project))
    width, height = (int(part) for part in args.size.split("x"))
    window.resize(width, height)

    def capture() -> None:
        panel = window.experiments_dock.panel
        table = panel.table
        titles = [table.horizontalHeaderItem(i).text() for i in range(table.columnCount())]
        table.sortByColumn(titles.index("Best val_loss"), Qt.SortOrder.AscendingOrder)
        table.selectRow(0)
        tabs = panel.plots
        tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index(args.tab))
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
        image = window.screen().grabWindow(window.winId())
        args.output.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(args.output)):
            print(f"could not write {args.output}", file=sys.stderr)
            app.exit(1)
            return
        print(f"wrote {args.output} ({image.width()}x{image.height()})")
        window.confirm_discard = lambda: True
        app.exit(0)

    def sweep_then_capture() -> None:
        editor = window.editor
        editor.refresh()
        node = editor.doc.find("hidden1")
        window.scene.select_nodes([node.id])
        dock = window.experiments_dock
        dock.raise_()
        window.resizeDocks([dock], [height // 2], Qt.Orientation.Vertical)
        panel = dock.panel
        panel.trials_box.setValue(args.trials)
        panel.jobs_box.setValue(args.jobs)
        panel.start()
        panel.task.ended.connect(lambda *_: QTimer.singleShot(500, capture))

    torch_loader().when_ready(lambda: QTimer.singleShot(300, sweep_then_capture))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
