"""Param editor widgets generated from param specs: ranges and choices enforced by the widget."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFocusEvent, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from nodes import ParamError, ParamSpec

INT_LIMIT = 2**31 - 1
ERROR_COLOR = "#d32f2f"


def human_label(name: str) -> str:
    """A param's name as a form label: "kernel_size" reads "Kernel size"."""
    words = name.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def text_example(spec: ParamSpec) -> str:
    """An example of a param typed as text: its default, or a typical value."""
    if spec.kind == "pair":
        return "3 or 1x7"
    return "x".join(str(part) for part in spec.default) if spec.default else "1x28x28"


def text_format(spec: ParamSpec) -> str:
    """How a param typed as text is written, with an example."""
    if spec.kind == "pair":
        return f"one whole number, or height x width: {text_example(spec)}"
    return f"whole numbers separated by x, such as {text_example(spec)}"


class CodeEdit(QPlainTextEdit):
    """Lines of code, in a fixed-width font; `editing_finished` when the focus leaves."""

    editing_finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setMinimumHeight(self.fontMetrics().lineSpacing() * 8)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.editing_finished.emit()


class ParamEditor:
    """A widget for one param; `changed` is called with each new valid value."""

    def __init__(self, spec: ParamSpec, changed: Callable[[Any], None]) -> None:
        self.spec, self.changed = spec, changed
        self.widget = self.make_widget()
        self.widget.setToolTip(spec.help)
        self.message = QLabel()  # what is wrong with typed text, under the field
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {ERROR_COLOR};")
        self.message.hide()

    def make_widget(self) -> QWidget:
        spec = self.spec
        if spec.kind == "int":
            box = QSpinBox()
            box.setRange(
                -INT_LIMIT if spec.min is None else spec.min,
                INT_LIMIT if spec.max is None else spec.max,
            )
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self.changed)
            return box
        if spec.kind == "float":
            box = QDoubleSpinBox()
            box.setDecimals(6)
            box.setRange(
                -1e12 if spec.min is None else spec.min, 1e12 if spec.max is None else spec.max
            )
            box.setSingleStep(0.05 if spec.max is not None and spec.max <= 1 else 1.0)
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self.changed)
            return box
        if spec.kind == "bool":
            box = QCheckBox()
            box.toggled.connect(self.changed)
            return box
        if spec.kind == "choice":
            box = QComboBox()
            box.addItems(list(spec.choices))
            box.currentTextChanged.connect(self.changed)
            return box
        if spec.kind == "text" and spec.multiline:
            code = CodeEdit()
            code.editing_finished.connect(self.commit_text)
            return code
        line = QLineEdit()
        if spec.kind != "text":
            line.setPlaceholderText(f"e.g. {text_example(spec)}")
        line.editingFinished.connect(self.commit_text)
        return line

    def commit_text(self) -> None:
        try:
            value = self.spec.coerce(self.typed())
        except ParamError as error:
            self.widget.setStyleSheet(f"border: 1px solid {ERROR_COLOR};")
            reason = str(error)
            advice = "" if self.spec.kind == "text" else f" Write {text_format(self.spec)}."
            self.message.setText(f"{reason[:1].upper()}{reason[1:]}.{advice}")
            self.message.show()
            return
        self.widget.setStyleSheet("")
        self.message.hide()
        self.changed(value)

    def typed(self) -> Any:
        """What the text field holds: text as typed, or the sizes of a shape (1x32x32)."""
        if isinstance(self.widget, CodeEdit):
            return self.widget.toPlainText()
        text = self.widget.text()
        if self.spec.kind == "text":
            return text
        parts = [part for part in re.split("[x\u00d7,\\s]+", text.strip().lower()) if part]
        if not all(re.fullmatch(r"-?\d+", part) for part in parts):
            raise ParamError(f"{text.strip()!r} is not a list of whole numbers")
        return [int(part) for part in parts]

    def show(self, value: Any) -> None:
        """Show the model's value without reporting it back as an edit."""
        widget = self.widget
        blocked = widget.blockSignals(True)
        try:
            if self.spec.kind in ("int", "float"):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    widget.setValue(value)
            elif self.spec.kind == "bool":
                widget.setChecked(bool(value))
            elif self.spec.kind == "choice":
                widget.setCurrentText(str(value))
            elif isinstance(widget, CodeEdit):
                if widget.toPlainText() != value:
                    widget.setPlainText(value)
            elif self.spec.kind == "text":
                widget.setText(value)
            else:
                parts = value if isinstance(value, list | tuple) else [value]
                widget.setText("x".join(str(part) for part in parts))
        finally:
            widget.blockSignals(blocked)
