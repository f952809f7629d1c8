"""One widget per described setting: spin boxes, choices, check boxes, texts and path choosers."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from designer.training.settings_spec import Setting

NO_CHOICE = "Choose\u2026"


class SettingField:
    """A widget showing one setting; `value()` is what the form would store. `changed` runs on
    every edit; chosen files inside `base` (the project's folder) are stored relative to it."""

    def __init__(
        self, setting: Setting, value: Any, changed: Callable[[], None], base: Path | None = None
    ) -> None:
        self.setting, self.base = setting, base
        make = getattr(self, f"make_{setting.kind}")
        self.widget: QWidget = make(value, changed)
        self.widget.setToolTip(setting.help)

    def make_choice(self, value: Any, changed: Callable[[], None]) -> QComboBox:
        box = QComboBox()
        if self.setting.default is None:
            box.addItem(NO_CHOICE, None)
        for choice in self.setting.choices:
            box.addItem(choice.replace("_", " "), choice)
        box.setCurrentIndex(max(0, box.findData(value)))
        box.currentIndexChanged.connect(changed)
        self.value = box.currentData
        return box

    def make_int(self, value: Any, changed: Callable[[], None]) -> QSpinBox:
        box = QSpinBox(minimum=int(self.setting.minimum), maximum=int(self.setting.maximum))
        self.keep_untouched(box, value)
        box.valueChanged.connect(changed)
        return box

    def make_float(self, value: Any, changed: Callable[[], None]) -> QDoubleSpinBox:
        low, high = self.setting.minimum, self.setting.maximum
        box = QDoubleSpinBox(decimals=self.setting.decimals, minimum=low, maximum=high)
        box.setSingleStep(min(0.05, 10 ** math.floor(math.log10(self.setting.default or 1))))
        self.keep_untouched(box, value)
        box.valueChanged.connect(changed)
        return box

    def keep_untouched(self, box: QSpinBox | QDoubleSpinBox, value: Any) -> None:
        """Show `value`; while the box still shows it, `value()` is `value` itself, so a stored
        number the box rounds or clamps is kept exactly unless the user changes it."""
        box.setValue(value)
        shown = box.value()
        self.value = lambda: value if box.value() == shown else box.value()

    def make_bool(self, value: Any, changed: Callable[[], None]) -> QCheckBox:
        box = QCheckBox()
        box.setChecked(value)
        box.toggled.connect(changed)
        self.value = box.isChecked
        return box

    def make_text(self, value: Any, changed: Callable[[], None]) -> QLineEdit:
        line = QLineEdit(value)
        line.setPlaceholderText(self.setting.help)
        line.textChanged.connect(changed)
        self.value = lambda: line.text().strip()
        return line

    def make_path(self, value: Any, changed: Callable[[], None], folder: bool = False) -> QWidget:
        line = QLineEdit(value)
        line.textChanged.connect(changed)
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(lambda: self.browse(line, folder))
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(line, 1)
        layout.addWidget(browse)
        self.line = line
        self.value = lambda: line.text().strip()
        return row

    def make_folder(self, value: Any, changed: Callable[[], None]) -> QWidget:
        return self.make_path(value, changed, folder=True)

    def browse(self, line: QLineEdit, folder: bool) -> None:
        parent = line.window()
        if folder:
            chosen = QFileDialog.getExistingDirectory(parent, self.setting.label, line.text())
        else:
            chosen, _ = QFileDialog.getOpenFileName(parent, self.setting.label, line.text())
        if chosen:
            path = Path(chosen)
            inside = self.base is not None and path.is_relative_to(self.base)
            line.setText(str(path.relative_to(self.base)) if inside else chosen)
