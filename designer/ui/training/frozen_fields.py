"""The Settings dialog's fields for a project that freezes layers: the backbone's learning rate
and one unfreezing step, "unfreeze from <layer> at epoch <N>". Several steps (written in the
project file) are shown and kept, not edited here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout

from designer.training.settings_spec import BACKBONE_LR, UNFREEZE_EPOCH, current
from designer.ui.training.setting_fields import SettingField

NEVER = "never"
SEVERAL = "Several steps: edit training.unfreeze in the project file"


class FrozenLayerFields:
    """`layers` are the frozen layers, (node id, name) in the order forward runs them; `form`
    holds the fields, and `write` puts their values into a training section."""

    def __init__(
        self, training: dict[str, Any], layers: list[tuple[str, str]], changed: Callable[[], None]
    ) -> None:
        self.stored = training.get("unfreeze")
        steps = self.stored if isinstance(self.stored, list) else [self.stored]
        step = steps[0] if len(steps) == 1 and isinstance(steps[0], dict) else {}
        self.several = isinstance(self.stored, list) and len(self.stored) > 1
        sections = {"training": training}
        self.rate = SettingField(BACKBONE_LR, current(BACKBONE_LR, sections), changed)
        self.layer = QComboBox()
        self.layer.addItem(NEVER, None)
        for node, name in layers:
            self.layer.addItem(name, node)
        chosen = step.get("from")
        if isinstance(chosen, str) and self.layer.findData(chosen) < 0:
            self.layer.addItem(chosen, chosen)  # not frozen (any more): Start says so
        self.layer.setCurrentIndex(max(0, self.layer.findData(chosen)))
        self.layer.setToolTip(
            "The frozen layers from this one on, towards the output, train again from the "
            "epoch below"
        )
        epoch = step.get("epoch")
        valid = isinstance(epoch, int) and not isinstance(epoch, bool)
        self.epoch = SettingField(
            UNFREEZE_EPOCH, epoch if valid else UNFREEZE_EPOCH.default, changed
        )
        self.layer.currentIndexChanged.connect(changed)
        self.layer.currentIndexChanged.connect(self.show_epoch)
        self.form = QFormLayout()
        self.form.addRow(BACKBONE_LR.label, self.rate.widget)
        self.form.addRow("Unfreeze from", self.layer)
        self.form.addRow(UNFREEZE_EPOCH.label, self.epoch.widget)
        if self.several:
            for widget in (self.layer, self.epoch.widget):
                widget.setEnabled(False)
                widget.setToolTip(SEVERAL)
        self.show_epoch()

    def show_epoch(self) -> None:
        self.form.setRowVisible(self.epoch.widget, self.layer.currentData() is not None)

    def write(self, training: dict[str, Any]) -> None:
        """The fields' values into `training`: a rate of 1 that was not stored stays unstored,
        "never" removes the step, an unchanged step keeps its stored form."""
        rate = self.rate.value()
        if rate != BACKBONE_LR.default or "backbone_lr_factor" in training:
            training["backbone_lr_factor"] = rate
        if self.several:
            return
        node = self.layer.currentData()
        if node is None:
            training.pop("unfreeze", None)
            return
        step = {"from": node, "epoch": self.epoch.value()}
        stored = self.stored[0] if isinstance(self.stored, list) else self.stored
        if stored != step:
            training["unfreeze"] = step
