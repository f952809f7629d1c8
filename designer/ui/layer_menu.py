"""A searchable menu of the layers that fit a wire dropped on empty canvas."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMenu, QWidget, QWidgetAction

from nodes import REGISTRY, LayerSpec, TensorInfo

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
STEP_KEYS = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}


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
    """Layers that fit, filtered as the user types; `choose` returns a kind or None.

    Typing stays in the search field while Down and Up move the highlight through the matches;
    Enter takes the highlighted match, or the first."""

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
        self.taken: QAction | None = None
        self.search.textChanged.connect(self.filter)
        self.search.installEventFilter(self)

    def filter(self, text: str) -> None:
        needle = text.strip().lower()
        for action in self.kind_actions:
            action.setVisible(needle in action.text().lower())

    def matches(self) -> list[QAction]:
        return [action for action in self.kind_actions if action.isVisible()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() in ENTER_KEYS:
                self.take_highlighted()
                return True
            if event.key() in STEP_KEYS:
                self.step(STEP_KEYS[event.key()])
                return True
        return super().eventFilter(watched, event)

    def highlighted(self) -> QAction | None:
        current = self.activeAction()
        return current if current in self.matches() else None

    def step(self, by: int) -> None:
        matches = self.matches()
        if matches:
            current = self.highlighted()
            index = matches.index(current) + by if current else (0 if by > 0 else -1)
            self.setActiveAction(matches[index % len(matches)])

    def take_highlighted(self) -> None:
        matches = self.matches()
        if matches:
            self.taken = self.highlighted() or matches[0]
            self.close()

    def choose(self, position: QPoint) -> str | None:
        self.search.setFocus()
        chosen = self.exec(position) or self.taken
        return chosen.data() if chosen is not None and chosen.data() else None
