"""A wire let go near a port it fits, or on a node, joins it; the target is marked while
dragging; the layer menu opens only when no port is in reach."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPointF, Qt

from designer.project import Project
from designer.ui.canvas import style
from designer.ui.canvas.wire_target import SNAP_PIXELS
from designer.ui.layer_menu import LayerMenu
from tests.ui.gestures import LEFT, NO_BUTTON, drop_layer, key, send_mouse, viewport_point

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


def hold_wire(view, start: QPointF, end: QPointF):
    """Press on `start` and move to `end` without letting go; returns where to let go."""
    view.centerOn((start + end) / 2)
    a, b = viewport_point(view, start), viewport_point(view, end)
    send_mouse(view, QEvent.Type.MouseButtonPress, a, LEFT, LEFT)
    for step in range(1, 7):
        send_mouse(view, QEvent.Type.MouseMove, a + (b - a) * step / 6, NO_BUTTON, LEFT)
    return b


def let_go(view, point) -> None:
    send_mouse(view, QEvent.Type.MouseButtonRelease, point, LEFT, NO_BUTTON)


def wire_drag(view, start: QPointF, end: QPointF) -> None:
    let_go(view, hold_wire(view, start, end))


@pytest.fixture
def menus(monkeypatch):
    """The wire-drop menus that opened, each answered with no choice."""
    opened = []

    def record(menu, position):
        opened.append(position)
        return None

    monkeypatch.setattr(LayerMenu, "choose", record)
    return opened


def two_layers(window, second: str, flow: str):
    """A new project with an Input and `second` (flowing `flow`) at 100% zoom; their items."""
    window.set_project(Project())
    drop_layer(window, "input", QPointF(0, 0))
    drop_layer(window, second, QPointF(420, 60))
    if flow == "down":
        key(window.view, Qt.Key.Key_L, CTRL | SHIFT)
    key(window.view, Qt.Key.Key_0, CTRL)
    assert window.editor.doc.flow == flow
    source, target = window.editor.doc.nodes()
    items = window.scene.node_items
    return items[source.id], items[target.id]


def outward(flow: str, pixels: float, aside: float = 0.0) -> QPointF:
    """An offset off an input port away from its node (left of it, or above it), and aside."""
    return QPointF(-pixels, aside) if flow == "right" else QPointF(aside, -pixels)


def wired(window) -> list[tuple[str, str]]:
    doc = window.editor.doc
    return [(doc.node(e.source).kind, doc.node(e.target).kind) for e in doc.edges()]


@pytest.mark.parametrize("flow", ["right", "down"])
def test_a_wire_let_go_beside_an_input_snaps_to_it_marked_while_dragging(window, menus, flow):
    source, dense = two_layers(window, "dense", flow)
    port, view, steps = dense.inputs[0], window.view, window.editor.undo_stack.count()
    release = hold_wire(view, source.outputs[0].scenePos(), port.scenePos() + outward(flow, 14, 12))
    link = window.scene.link
    assert link.hovered is port and link.ring.isVisible()
    assert link.ring.scenePos() == port.scenePos()
    assert port.brush().color() == style.SELECTED_COLOR
    assert link.preview.path().currentPosition() == port.scenePos()  # the wire ends on it
    let_go(view, release)
    assert wired(window) == [("input", "dense")] and not menus
    assert window.editor.undo_stack.count() == steps + 1
    assert port.brush().color() != style.SELECTED_COLOR
    assert link.ring.scene() is None and link.preview.scene() is None


@pytest.mark.parametrize("flow", ["right", "down"])
def test_a_wire_from_an_input_snaps_to_an_output_too(window, menus, flow):
    source, dense = two_layers(window, "dense", flow)
    output = source.outputs[0]
    off = QPointF(14, 10) if flow == "right" else QPointF(10, 14)  # beyond the output's edge
    wire_drag(window.view, dense.inputs[0].scenePos(), output.scenePos() + off)
    assert wired(window) == [("input", "dense")] and not menus


@pytest.mark.parametrize("flow", ["right", "down"])
def test_a_wire_let_go_anywhere_on_a_node_joins_its_input(window, menus, flow):
    source, dense = two_layers(window, "dense", flow)
    far_corner = dense.mapToScene(dense.body_rect().bottomRight() - QPointF(8, 8))
    wire_drag(window.view, source.outputs[0].scenePos(), far_corner)
    assert wired(window) == [("input", "dense")] and not menus


@pytest.mark.parametrize("flow", ["right", "down"])
def test_out_of_reach_the_layer_menu_opens(window, menus, flow):
    source, dense = two_layers(window, "dense", flow)
    beyond = dense.inputs[0].scenePos() + outward(flow, SNAP_PIXELS + 6)
    wire_drag(window.view, source.outputs[0].scenePos(), beyond)
    assert wired(window) == [] and len(menus) == 1


@pytest.mark.parametrize("zoom_key", [Qt.Key.Key_Minus, Qt.Key.Key_Plus], ids=["out", "in"])
def test_the_reach_is_the_same_on_screen_at_any_zoom(window, menus, zoom_key):
    source, dense = two_layers(window, "dense", "right")
    for _ in range(3):
        key(window.view, zoom_key, CTRL)
    scale = window.view.transform().m11()
    port = dense.inputs[0].scenePos()
    near, far = (SNAP_PIXELS - 4) / scale, (SNAP_PIXELS + 4) / scale  # in scene units
    wire_drag(window.view, source.outputs[0].scenePos(), port + QPointF(-far, 0))
    assert wired(window) == [] and len(menus) == 1
    wire_drag(window.view, source.outputs[0].scenePos(), port + QPointF(-near, 0))
    assert wired(window) == [("input", "dense")] and len(menus) == 1


def test_a_port_of_the_wrong_type_in_reach_is_not_joined_and_says_why(window, menus):
    source, embedding = two_layers(window, "embedding", "right")
    port = embedding.inputs[0]
    release = hold_wire(
        window.view, source.outputs[0].scenePos(), port.scenePos() + outward("right", 14)
    )
    assert window.scene.link.hovered is None and not window.scene.link.ring.isVisible()
    let_go(window.view, release)
    assert wired(window) == [] and not menus
    assert "Embedding 'embedding1' takes long tensors" in window.statusBar().currentMessage()


def test_a_click_on_a_port_opens_nothing(window, menus):
    source, _ = two_layers(window, "dense", "right")
    wire_drag(window.view, source.outputs[0].scenePos(), source.outputs[0].scenePos())
    assert wired(window) == [] and not menus
