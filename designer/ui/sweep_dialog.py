"""The Sweep dialog: one param or setting marked as swept, with a list of values or a range;
OK checks the entry as a sweep would read it and names what is wrong."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from designer.project import Project
from designer.sweep.marks import NUMBER_KINDS, shown_value, typed_choices, typed_value
from designer.ui.param_editors import ERROR_COLOR


class SweepDialog(QDialog):
    """Marks `param` of the node `node` (None: the training setting `param`) as swept. After
    OK, `entry` is the sweep entry, or None when the user stopped sweeping it."""

    def __init__(
        self,
        project: Project,
        node: str | None,
        param: str,
        kind: str,
        title: str,
        entry: dict[str, Any] | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.project, self.node, self.param, self.kind = project, node, param, kind
        self.entry: dict[str, Any] | None = entry
        self.setWindowTitle(f"Sweep {title}")
        intro = QLabel(
            f"An experiment tries <b>{title}</b> at each of these values, or within this range."
        )
        intro.setWordWrap(True)
        self.listed = QRadioButton("Values")
        self.ranged = QRadioButton("Range")
        self.choices = QLineEdit(placeholderText="e.g. 8, 16, 32")
        self.low, self.high = QLineEdit(placeholderText="low"), QLineEdit(placeholderText="high")
        self.log = QCheckBox("log scale (for rates: 0.0001 to 0.1)")
        form = QFormLayout()
        form.addRow(self.listed, self.choices)
        form.addRow(self.ranged, self.low)
        form.addRow("", self.high)
        form.addRow("", self.log)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        self.stop_button = None
        if entry is not None:
            self.stop_button = stop = buttons.addButton(
                "Stop sweeping", QDialogButtonBox.ButtonRole.DestructiveRole
            )
            stop.clicked.connect(self.stop_sweeping)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        numeric = kind in NUMBER_KINDS
        for widget in (self.ranged, self.low, self.high, self.log):
            widget.setEnabled(numeric)
        self.listed.setChecked(entry is None or "choices" in entry or not numeric)
        self.ranged.setChecked(not self.listed.isChecked())
        self.choices.textEdited.connect(lambda _: self.listed.setChecked(True))
        for field in (self.low, self.high):
            field.textEdited.connect(lambda _: self.ranged.setChecked(True))
        self.show_entry(entry)

    def show_entry(self, entry: dict[str, Any] | None) -> None:
        if entry is None:
            return
        if "choices" in entry:
            self.choices.setText(", ".join(shown_value(value) for value in entry["choices"]))
        else:
            self.low.setText(shown_value(entry["low"]))
            self.high.setText(shown_value(entry["high"]))
            self.log.setChecked(bool(entry.get("log")))

    def typed_entry(self) -> dict[str, Any]:
        """The entry the fields describe; ValueError names a value that is not one."""
        target = (
            {"node": self.node, "param": self.param}
            if self.node is not None
            else {"training": self.param}
        )
        if self.listed.isChecked():
            return {**target, "choices": typed_choices(self.choices.text(), self.kind)}
        low, high = (typed_value(field.text(), self.kind) for field in (self.low, self.high))
        return {
            **target,
            "low": low,
            "high": high,
            **({"log": True} if self.log.isChecked() else {}),
        }

    def check(self) -> None:
        from designer.sweep.space import SweepError, read_swept  # with the training settings

        try:
            entry = self.typed_entry()
            read_swept(self.project, entry, "the sweep", "")
        except ValueError as error:
            self.refuse(str(error))
            return
        except SweepError as error:
            self.refuse(error.message)
            return
        self.entry = entry
        self.accept()

    def refuse(self, message: str) -> None:
        self.message.setText(message[:1].upper() + message[1:] + ".")
        self.message.show()

    def stop_sweeping(self) -> None:
        self.entry = None
        self.accept()
