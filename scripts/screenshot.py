"""Save a screenshot of the real designer window with an example open (run under X11/Xvfb)."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QTimer
from PySide6.QtWidgets import QDockWidget

from designer.ui.app import application, open_window
from designer.ui.recovery import recovery_folder
from designer.ui.torch_loader import torch_loader

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path, help="the PNG to write")
    parser.add_argument("--project", type=Path, default=ROOT / "projects" / "lenet5_digits.json")
    parser.add_argument("--select", default="conv2", help="the node to select (inspector)")
    parser.add_argument("--size", default="1440x900")
    parser.add_argument("--train", type=int, default=0, help="train this many epochs first")
    parser.add_argument("--lr", type=float, help="the learning rate of that training")
    parser.add_argument("--tab", help="the Train panel tab to show, by its title")
    parser.add_argument("--block", help="open this block's inside first (--select is in it)")
    parser.add_argument(
        "--explain", type=int, help="after training, explain this validation sample (Grad-CAM)"
    )
    parser.add_argument("--profile", action="store_true", help="Profile Layers first")
    parser.add_argument("--dock-height", type=int, help="the height of the Training dock")
    parser.add_argument("--hide", nargs="*", default=[], help="docks to hide, by their title")
    args = parser.parse_args(argv)
    # A fresh look: default docks and window, no recent files or recovery copies of the user's.
    QStandardPaths.setTestModeEnabled(True)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    settings = tempfile.mkdtemp(prefix="netdesigner-screenshot-")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    app = application()
    shutil.rmtree(recovery_folder(), ignore_errors=True)  # a shot cut short: no prompt
    project = args.project
    if args.train:
        # Runs are kept beside the project file: train a copy, in the temporary folder.
        project = Path(settings) / args.project.name
        project.write_bytes(args.project.read_bytes())
    window = open_window(str(project))
    width, height = (int(part) for part in args.size.split("x"))
    window.resize(width, height)

    def capture() -> None:
        window.editor.refresh()
        if args.block:
            window.tabs.open_block(args.block)
        if args.select:
            node = window.current_editor.doc.find(args.select)
            window.scene.select_nodes([node.id])
            window.frame_node(node.id)
        else:
            window.view.fit_all()
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

    def train_then_capture() -> None:
        panel = window.train_panel
        window.training_dock.raise_()
        if args.dock_height:
            window.resizeDocks([window.training_dock], [args.dock_height], Qt.Orientation.Vertical)
        panel.epochs.setValue(args.train)
        if args.lr is not None:
            panel.lr.setValue(args.lr)
        for index in range(panel.tabs.count()):
            if panel.tabs.tabText(index).replace("&&", "&") == args.tab:
                panel.tabs.setCurrentIndex(index)
        after = capture if args.explain is None else explain_then_capture
        panel.session.ended.connect(lambda: QTimer.singleShot(300, after))
        panel.start()

    def explain_then_capture() -> None:
        view = window.train_panel.explain_view
        view.load()
        when(lambda: view.samples.count() > 0, lambda: view.samples.setCurrentRow(args.explain))
        when(lambda: view.picture.scene() is not None, capture)

    def profile_then_capture() -> None:
        window.profiling.start()
        when(lambda: window.profiling.profile is not None, capture)

    def when(condition, then) -> None:
        """Call `then` once `condition` holds (asked every 100 ms: the work runs in threads)."""
        QTimer.singleShot(100, lambda: then() if condition() else when(condition, then))

    for dock in window.findChildren(QDockWidget):
        if dock.windowTitle() in args.hide:
            dock.hide()
    first = train_then_capture if args.train else capture
    if args.profile:
        first = profile_then_capture
    torch_loader().when_ready(lambda: QTimer.singleShot(300, first))
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
