"""A param's Sweep button: marks it as swept (a list of values or a range) through the Sweep
dialog, as one undoable edit of the project's sweep section; shown pressed while swept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QToolButton

from designer.sweep.marks import find_entry, shown_value, with_entry
from designer.ui.editor import Editor
from designer.ui.sweep_dialog import SweepDialog

if TYPE_CHECKING:  # the training settings import torch, which the window loads later
    from designer.training.settings_spec import Setting

SWEEP_MARK = "\u2933"  # a wave arrow: tried at several values


def sweep_summary(entry: dict) -> str:
    if "choices" in entry:
        return ", ".join(shown_value(value) for value in entry["choices"])
    scale = " (log)" if entry.get("log") else ""
    return f"{shown_value(entry['low'])} to {shown_value(entry['high'])}{scale}"


class SweepButton(QToolButton):
    """Marks `param` of the node `node` (None: the training setting `param`) as swept."""

    def __init__(self, editor: Editor, node: str | None, param: str, kind: str, title: str):
        super().__init__(text=SWEEP_MARK)
        self.editor, self.node, self.param, self.kind, self.title = (
            editor,
            node,
            param,
            kind,
            title,
        )
        self.setCheckable(True)
        self.clicked.connect(self.open_dialog)
        self.dialog: SweepDialog | None = None
        self.refresh()

    def refresh(self) -> None:
        entry = find_entry(self.editor.project.sweep, self.node, self.param)
        self.setChecked(entry is not None)
        self.setToolTip(
            f"Swept: {sweep_summary(entry)}. Click to change it or stop sweeping it"
            if entry is not None
            else "Sweep: try several values of it in an experiment"
        )

    def open_dialog(self) -> None:
        self.refresh()  # the button shows the section, not the click
        entry = find_entry(self.editor.project.sweep, self.node, self.param)
        self.dialog = SweepDialog(
            self.editor.project, self.node, self.param, self.kind, self.title, entry, self
        )
        self.dialog.accepted.connect(self.dialog_accepted)
        self.dialog.open()

    def dialog_accepted(self) -> None:
        entry = self.dialog.entry
        sweep = with_entry(self.editor.project.sweep, self.node, self.param, entry)
        verb = "Stop sweeping" if entry is None else "Sweep"
        self.editor.set_sweep(sweep, f"{verb} {self.title}")
        self.refresh()


def setting_sweep_button(editor: Editor, setting: Setting) -> SweepButton | None:
    """The Sweep button of a training setting that can be swept (None for the others)."""
    place = setting.place.removeprefix("training.")
    from designer.sweep.space import TRAINING_KINDS  # with the training settings: torch

    if not setting.place.startswith("training.") or place not in TRAINING_KINDS:
        return None
    return SweepButton(editor, None, place, TRAINING_KINDS[place], setting.place)
