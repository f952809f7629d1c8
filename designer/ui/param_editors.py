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
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from nodes import ParamError, ParamSpec

INT_LIMIT = 2**31 - 1


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
            line.setPlaceholderText("e.g. 1x32x32")
        line.editingFinished.connect(self.commit_text)
        return line

    def commit_text(self) -> None:
        try:
            value = self.spec.coerce(self.typed())
        except (ValueError, ParamError) as error:
            self.widget.setStyleSheet("border: 1px solid #d32f2f;")
            self.widget.setToolTip(f"{self.spec.help}\n{error}")
            return
        self.widget.setStyleSheet("")
        self.widget.setToolTip(self.spec.help)
        self.changed(value)

    def typed(self) -> Any:
        """What the text field holds: text as typed, or the sizes of a shape (1x32x32)."""
        if isinstance(self.widget, CodeEdit):
            return self.widget.toPlainText()
        text = self.widget.text()
        if self.spec.kind == "text":
            return text
        return [int(part) for part in re.split(r"[x,\s]+", text.strip()) if part]

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
