"""The Settings dialog: the project's dataset and training sections as a form made from their
description, showing only the fields that apply; OK checks the result with the parsers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from designer.data import SetupError
from designer.training.settings_check import check_settings
from designer.training.settings_spec import (
    CONTROLS,
    DATA,
    FROZEN_GROUP,
    GROUPS,
    IMAGES,
    OPTIMIZATION,
    SCHEDULE_GROUP,
    SETTINGS,
    SOURCE,
    STOPPING,
    Setting,
    current,
    updated,
)
from designer.ui.training.frozen_fields import FrozenLayerFields
from designer.ui.training.setting_fields import SettingField

COLUMNS = ((DATA,), (IMAGES, SCHEDULE_GROUP), (OPTIMIZATION, STOPPING))


class SettingsDialog(QDialog):
    """Edits copies of the sections; after OK, `dataset` and `training` hold the new ones."""

    def __init__(
        self,
        sections: dict[str, Any],
        base: Path | None,
        shown: dict[str, Any],
        parent: QWidget | None = None,
        frozen: list[tuple[str, str]] | None = None,
        sweep_button: Callable[[Setting], QWidget | None] | None = None,
    ) -> None:
        """`sweep_button` makes the button that marks a setting swept (None: it has none).
        `shown` gives values to show instead of the stored ones (the panel's own fields);
        `frozen` the project's frozen layers, (node id, name) in the order forward runs them,
        which get their fields (the backbone's rate, unfreezing) when there are some."""
        super().__init__(parent)
        self.setWindowTitle("Training settings")
        self.sections, self.base = sections, base
        self.dataset: dict[str, Any] = sections["dataset"]
        self.training: dict[str, Any] = sections["training"]
        self.forms = {group: QFormLayout() for group in GROUPS}
        self.fields = []
        self.rows: list[QWidget] = []  # each field's widget, with its sweep button
        for setting in SETTINGS:
            value = shown.get(setting.place, current(setting, sections))
            field = SettingField(setting, value, self.show_applying, base)
            button = sweep_button(setting) if sweep_button is not None else None
            row = field.widget if button is None else QWidget()
            if button is not None:
                row_layout = QHBoxLayout(row)
                row_layout.setContentsMargins(0, 0, 0, 0)
                row_layout.addWidget(field.widget, 1)
                row_layout.addWidget(button)
            self.forms[setting.group].addRow(setting.label, row)
            self.fields.append(field)
            self.rows.append(row)
        self.frozen = (
            FrozenLayerFields(self.training, frozen, self.show_applying) if frozen else None
        )
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d32f2f;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.check_and_accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        columns = QHBoxLayout()
        for groups in COLUMNS:
            column = QVBoxLayout()
            for group in groups:
                box = QGroupBox(group)
                box.setLayout(self.forms[group])
                column.addWidget(box)
            if self.frozen is not None and SCHEDULE_GROUP in groups:
                box = QGroupBox(FROZEN_GROUP)
                box.setLayout(self.frozen.form)
                column.addWidget(box)
            column.addStretch(1)
            columns.addLayout(column)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.show_applying()
        if self.controls()[SOURCE] is None:
            self.field(SOURCE).widget.setFocus()  # no dataset yet: the one choice to make

    def field(self, place: str) -> SettingField:
        """The field for `place` that applies now (or the first, if none does)."""
        fields = [field for field in self.fields if field.setting.place == place]
        controls = self.controls()
        return next((f for f in fields if f.setting.applies(controls)), fields[0])

    def controls(self) -> dict[str, Any]:
        return {
            field.setting.place: field.value()
            for field in self.fields
            if field.setting.place in CONTROLS
        }

    def show_applying(self) -> None:
        controls = self.controls()
        for field, row in zip(self.fields, self.rows, strict=True):
            self.forms[field.setting.group].setRowVisible(row, field.setting.applies(controls))
        self.error.clear()

    def values(self) -> dict[str, Any]:
        controls = self.controls()
        return {
            field.setting.place: field.value()
            for field in self.fields
            if field.setting.applies(controls)
        }

    def check_and_accept(self) -> None:
        """Accept sections the parsers take; otherwise show their message and change nothing."""
        result = updated(self.sections, self.values())
        if self.frozen is not None:
            self.frozen.write(result["training"])
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            check_settings(result["dataset"], result["training"], self.base)
        except SetupError as error:
            self.error.setText(str(error))
            return
        finally:
            QApplication.restoreOverrideCursor()
        self.dataset, self.training = result["dataset"], result["training"]
        self.accept()
