"""The run the next training run starts from (training.init_from): shown with a Clear button;
choosing and clearing it are undoable edits of the project's training section."""

from __future__ import annotations

import copy

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from designer.ui.editor import Editor

KEY = "init_from"


class StartFromRow(QWidget):
    """Hidden while runs start from fresh weights."""

    def __init__(self, editor: Editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setToolTip("Start the next run from fresh weights")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.clear_button)
        self.clear_button.clicked.connect(self.clear)
        editor.sections_changed.connect(self.show_setting)
        self.show_setting()

    def run_id(self) -> str | None:
        value = self.editor.project.training.get(KEY)
        return value if isinstance(value, str) and value else None

    def show_setting(self) -> None:
        run_id = self.run_id()
        self.label.setText(f"Starts from run {run_id}'s best weights" if run_id else "")
        self.label.setToolTip(
            "training.init_from: its best checkpoint, else its last; checked when a run starts"
        )
        self.setVisible(run_id is not None)

    def choose(self, run_id: str) -> None:
        """Have the next run start from `run_id`'s weights (one undoable edit)."""
        training = copy.deepcopy(self.editor.project.training)
        training[KEY] = run_id
        self.editor.set_sections(copy.deepcopy(self.editor.project.dataset), training)

    def clear(self) -> None:
        training = copy.deepcopy(self.editor.project.training)
        training.pop(KEY, None)
        self.editor.set_sections(copy.deepcopy(self.editor.project.dataset), training)
