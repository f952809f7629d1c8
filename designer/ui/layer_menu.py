"""A searchable menu of the layers that fit a wire dropped on empty canvas."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget, QWidgetAction

from nodes import REGISTRY, LayerSpec, TensorInfo


def fits(spec: LayerSpec, shape: TensorInfo | None, wants_input: bool) -> bool:
    """Whether a new `spec` node can sit at the loose end of the wire."""
    if wants_input:
        if not spec.inputs:
            return False
        if shape is None:
            return True
        if shape.dtype not in spec.dtypes:
            return False
        problems = spec.check(spec.default_params(), (shape,) * max(1, spec.min_inputs))
        return not any(problem.severity == "error" for problem in problems)
    return bool(spec.outputs)


class LayerMenu(QMenu):
    """Layers that fit, filtered as the user types; `choose` returns a kind or None."""

    def __init__(self, parent: QWidget, shape: TensorInfo | None, wants_input: bool) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers that fit")
        holder = QWidgetAction(self)
        holder.setDefaultWidget(self.search)
        self.addAction(holder)
        self.kind_actions: list[QAction] = []
        for spec in REGISTRY:
            if fits(spec, shape, wants_input):
                action = self.addAction(spec.name)
                action.setData(spec.kind)
                action.setToolTip(spec.help)
                self.kind_actions.append(action)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.take_first)

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for action in self.kind_actions:
            action.setVisible(needle in action.text().lower())

    def take_first(self) -> None:
        visible = [action for action in self.kind_actions if action.isVisible()]
        if visible:
            visible[0].trigger()
            self.close()

    def choose(self, position: QPoint) -> str | None:
        self.search.setFocus()
        chosen = self.exec(position)
        return chosen.data() if chosen is not None and chosen.data() else None
