"""Random editing: sequences of UI commands keep the scene equal to the model, and undo exact;
inside blocks too (opened as the window's block tabs are, over the project's undo stack)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from PySide6.QtCore import QPointF

from designer.compiler.fixes import apply_fix
from designer.model.block_params import describe_block, expose_param, remove_param
from designer.model.edits import delete, fragment, paste
from designer.model.grouping import group, ungroup
from designer.model.layout import apply_layout
from designer.project import Project, load_project
from designer.project.files import project_to_dict
from designer.ui.canvas.items import EdgeItem, NodeItem
from designer.ui.canvas.node_text import params_summary
from designer.ui.canvas.scene import GraphScene, port_layout
from designer.ui.editor import BlockEditor, Editor, GraphEditor
from nodes import REGISTRY
from nodes.block import BLOCK_KIND
from tests.helpers import PROJECTS

STARTS = [
    "empty",
    "mlp_iris",
    "lenet5_digits",
    "resnet_digits",
    "lenet5_digits without flatten",
    "resnet_digits_blocks",
    "resnet_digits_blocks inside ResidualBlock",
    "resnet_digits_blocks inside DownsampleBlock",
]
KINDS = sorted(spec.kind for spec in REGISTRY)
NAMES = ["a", "a", "x y", "class", "", "\u00e9t\u00e9", "'\"\\", "__import__('os')", "n1"]
VALUES = [0, -1, 1, 2, 16, 0.5, -0.5, 1e12, "x", "", None, True, False, [2, 2], [1], {}]
PLACES = st.tuples(st.floats(-2000, 2000), st.floats(-2000, 2000))


def document_json(editor: Editor) -> str:
    return json.dumps(project_to_dict(editor.project), sort_keys=True)


class EditingSession(RuleBasedStateMachine):
    """One project in an Editor with its scene; each rule is a command the window sends."""

    def __init__(self) -> None:
        super().__init__()
        self.project_editor: Editor | None = None
        self.block_editor: BlockEditor | None = None

    @initialize(start=st.sampled_from(STARTS))
    def open(self, start: str) -> None:
        project = (
            Project() if start == "empty" else load_project(PROJECTS / f"{start.split()[0]}.json")
        )
        if start.endswith("without flatten"):  # a graph whose diagnostics offer fixes
            doc = project.graph
            flatten = doc.find("flatten")
            source, target = doc.in_edges(flatten.id)[0], doc.out_edges(flatten.id)[0]
            doc.remove_node(flatten.id)
            doc.connect(source.source, source.source_port, target.target, target.target_port)
        self.project_editor = Editor(project)
        self.main_scene = GraphScene(self.project_editor)
        self.project_editor.refresh()
        self.start = document_json(self.project_editor)
        if " inside " in start:
            self.enter_block(start.split()[-1])

    @property
    def editor(self) -> GraphEditor | None:
        """The graph being edited: a block's inside while it lasts (undo can remove it)."""
        if self.block_editor is not None and self.block_editor.alive:
            return self.block_editor
        return self.project_editor

    @property
    def scene(self) -> GraphScene:
        return self.block_scene if self.editor is self.block_editor else self.main_scene

    @property
    def doc(self):
        return self.editor.doc

    def choose_nodes(self, data, minimum: int = 0) -> list[str]:
        ids = [node.id for node in self.doc.nodes()]
        return (
            data.draw(st.lists(st.sampled_from(ids), min_size=minimum, unique=True)) if ids else []
        )

    # -- commands ----------------------------------------------------------------------------

    @rule(kind=st.sampled_from(KINDS), place=PLACES)
    def add(self, kind, place) -> None:
        self.editor.edit(f"Add {kind}", lambda doc: doc.add_node(kind, position=place))

    @rule(data=st.data())
    def wire(self, data) -> None:
        """Drag from any output port to any input port, as the scene's gesture ends."""
        items = self.scene.node_items.values()
        outputs = [port for item in items for port in item.outputs]
        inputs = [port for item in items for port in item.inputs]
        if outputs and inputs:
            start, end = data.draw(st.sampled_from(outputs)), data.draw(st.sampled_from(inputs))
            self.scene.wire_ports(start, end)

    @rule(data=st.data())
    def delete(self, data) -> None:
        nodes = self.choose_nodes(data)
        edge_ids = [edge.id for edge in self.doc.edges()]
        edges = data.draw(st.lists(st.sampled_from(edge_ids), unique=True)) if edge_ids else []
        if nodes or edges:
            self.editor.edit("Delete", lambda doc: delete(doc, nodes, edges))

    @rule(data=st.data(), damage=st.sampled_from([None, "kind", "params", "source", "position"]))
    def paste(self, data, damage) -> None:
        """Duplicate a selection, or paste a clipboard whose layers are damaged."""
        copied = fragment(self.doc, self.choose_nodes(data, minimum=1))
        if damage is not None and copied["nodes"]:
            node = copied["nodes"][-1]
            if damage == "source":
                copied["edges"].append({"source": "gone", "target": node["id"]})
            else:
                node[damage] = data.draw(st.sampled_from(VALUES))
        self.editor.edit("Paste", lambda doc: paste(doc, copied))

    @rule(data=st.data())
    def set_param(self, data) -> None:
        nodes = [node for node in self.doc.nodes() if node.spec.params]
        if nodes:
            node = data.draw(st.sampled_from(nodes))
            param = data.draw(st.sampled_from(node.spec.params))
            value = data.draw(st.sampled_from([param.default, *VALUES]))
            self.editor.set_param(node.id, param.name, value)

    @rule(data=st.data(), name=st.sampled_from(NAMES))
    def rename(self, data, name) -> None:
        chosen = self.choose_nodes(data)
        if chosen:
            self.editor.edit("Rename", lambda doc: doc.rename(chosen[0], name))

    @rule(data=st.data(), place=PLACES)
    def move(self, data, place) -> None:
        moves = dict.fromkeys(self.choose_nodes(data), place)
        if moves:
            self.editor.edit("Move", lambda doc: [doc.move(n, p) for n, p in moves.items()])

    @rule(direction=st.sampled_from(["right", "down"]))
    def layout(self, direction) -> None:
        self.editor.edit("Auto layout", lambda doc: apply_layout(doc, direction))

    def fixes(self) -> list:
        return [d.fix for d in self.editor.report.diagnostics if d.fix is not None]

    @precondition(lambda self: self.editor is not None and self.fixes())
    @rule(data=st.data())
    def fix(self, data) -> None:
        chosen = data.draw(st.sampled_from(self.fixes()))
        self.editor.edit(chosen.label, lambda doc: apply_fix(doc, chosen))

    @rule()
    def undo(self) -> None:
        self.project_editor.undo()

    @rule()
    def redo(self) -> None:
        self.project_editor.redo()

    # -- blocks ------------------------------------------------------------------------------

    @precondition(lambda self: self.project_editor is not None and len(self.doc.blocks))
    @rule(data=st.data())
    def open_block(self, data) -> None:
        """Edit a block's inside from now on, as its tab in the window does."""
        self.enter_block(data.draw(st.sampled_from([block.name for block in self.doc.blocks])))

    def enter_block(self, name: str) -> None:
        self.leave_block()
        self.block_editor = self.project_editor.block_editor(name)
        self.block_scene = GraphScene(self.block_editor)
        self.block_editor.refresh()

    @rule()
    def leave_block(self) -> None:
        if self.block_editor is not None:  # as the window closes a block's tab
            self.block_scene.detach()
            self.block_editor.undo_stack.indexChanged.disconnect(self.block_editor._changed)
            self.block_editor.setParent(None)
            self.block_editor = None

    @rule(data=st.data(), name=st.sampled_from(["Blk", "Blk", "Other", "class", ""]))
    def group(self, data, name) -> None:
        chosen = self.choose_nodes(data, minimum=1)
        shapes = {
            node_id: (info.output.shape, info.output.dtype)
            for node_id, info in self.editor.report.nodes.items()
            if info.output is not None
        }
        self.editor.edit("Group", lambda doc: group(doc, chosen, name, "", shapes))

    @rule(data=st.data())
    def ungroup(self, data) -> None:
        instances = [node.id for node in self.doc.nodes() if node.kind == BLOCK_KIND]
        if instances:
            chosen = data.draw(st.sampled_from(instances))
            self.editor.edit("Ungroup", lambda doc: ungroup(doc, chosen))

    @precondition(lambda self: self.block_editor is not None and self.block_editor.alive)
    @rule(data=st.data(), name=st.sampled_from(["width", "depth", "class", "repeat"]))
    def expose(self, data, name) -> None:
        nodes = [node for node in self.doc.nodes() if node.spec.params]
        if nodes:
            node = data.draw(st.sampled_from(nodes))
            param = data.draw(st.sampled_from(node.spec.params))
            value = data.draw(st.sampled_from([param.default, param.default, *VALUES]))
            block = self.block_editor.name
            targets = [(node.id, param.name)]
            self.editor.edit(
                "Expose", lambda doc: expose_param(doc.blocks, block, name, targets, value)
            )

    @precondition(lambda self: self.block_editor is not None and self.block_editor.alive)
    @rule(data=st.data())
    def unexpose_or_describe(self, data) -> None:
        block = self.doc.blocks.get(self.block_editor.name)
        if block.params and data.draw(st.booleans()):
            name = data.draw(st.sampled_from(block.params)).name
            self.editor.edit("Remove", lambda doc: remove_param(doc.blocks, block.name, name))
        else:
            text = data.draw(st.sampled_from(NAMES))
            self.editor.edit("Describe", lambda doc: describe_block(doc.blocks, block.name, text))

    # -- what must always hold ---------------------------------------------------------------

    @invariant()
    def scene_shows_exactly_the_model(self) -> None:
        if self.editor is None:
            return
        doc, scene, report = self.doc, self.scene, self.editor.report
        nodes = {node.id: node for node in doc.nodes()}
        edges = {edge.id: edge for edge in doc.edges()}
        assert scene.node_items.keys() == nodes.keys()
        assert scene.edge_items.keys() == edges.keys()
        items = scene.items()
        assert sum(isinstance(item, NodeItem) for item in items) == len(nodes)
        assert sum(isinstance(item, EdgeItem) for item in items) == len(edges)
        for node_id, item in scene.node_items.items():
            node = nodes[node_id]
            assert (item.name, item.summary) == (node.name, params_summary(node))
            assert item.pos() == QPointF(*node.position)
            assert item.report == report.nodes[node_id]
        for node_id, item in scene.node_items.items():
            stale_in, stale_out = doc.stale_ports(node_id)
            assert stale_in == stale_out == [] or nodes[node_id].kind == BLOCK_KIND
            assert item.port_layout() == port_layout(doc, nodes[node_id])
        for edge_id, item in scene.edge_items.items():
            edge = edges[edge_id]
            assert item.source.node_item is scene.node_items[edge.source]
            assert item.target.node_item is scene.node_items[edge.target]
            assert (item.source.name, item.target.name) == (edge.source_port, edge.target_port)
            assert not item.source.is_input and item.target.is_input
            assert item in item.source.node_item.edges and item in item.target.node_item.edges

    def teardown(self) -> None:
        if self.project_editor is None:
            return
        self.leave_block()
        editor = self.project_editor
        stack = editor.undo_stack
        end, index = document_json(editor), stack.index()
        while stack.canUndo():
            editor.undo()
        assert document_json(editor) == self.start
        self.scene_shows_exactly_the_model()
        for _ in range(index):
            editor.redo()
        assert document_json(editor) == end
        self.scene_shows_exactly_the_model()


def run_sessions(count: int) -> None:
    run_state_machine_as_test(
        EditingSession,
        settings=settings(
            max_examples=count,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_random_editing_sessions(qapp, caplog):
    run_sessions(100)
    assert not [record for record in caplog.records if record.name == "designer.ui.commands"]


@pytest.mark.slow
@pytest.mark.timeout(900)  # about two minutes; room for a loaded machine
def test_a_thousand_random_editing_sessions(qapp, caplog):
    run_sessions(1000)
    assert not [record for record in caplog.records if record.name == "designer.ui.commands"]
