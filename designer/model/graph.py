"""GraphDocument: layer nodes and port-to-port wires over a networkx multigraph."""

from __future__ import annotations

import bisect
import copy
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import networkx as nx

from designer.model.events import GraphEvents
from designer.model.library import BlockLibrary
from designer.model.unique_names import UniqueNames
from nodes import REGISTRY, LayerSpec, ParamError
from nodes.block import BLOCK_KIND, BLOCK_PARAM

FLOWS = ("right", "down")  # where wires run: inputs left and outputs right, or top and bottom


class GraphError(ValueError):
    """An edit that cannot apply: a missing node or port, or an id used twice."""


@dataclass
class Node:
    """A layer on the canvas: a stable id, its kind, the user's name, params and position.

    Read-only to everyone but its GraphDocument: every change goes through the document, which
    tells its listeners (undo, analysis, the canvas); setting an attribute or a param here
    raises. `order` keeps a node's place in the document (files, code, ties in forward order)
    when it is removed and put back; 0 means "after every other node" and is set on insertion.
    A block instance's spec comes from the `library` of the document it is in.
    """

    id: str
    kind: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    position: tuple[float, float] = (0.0, 0.0)
    order: int = 0
    library: BlockLibrary | None = field(default=None, repr=False, compare=False)
    _spec: LayerSpec | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        values = dict(self.params)
        change(self, "_values", values)
        change(self, "params", MappingProxyType(values))  # a live, read-only view
        change(self, "_sealed", True)

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_sealed", False):
            raise AttributeError(
                f"Node.{name} is read-only: change a node through its GraphDocument"
            )
        object.__setattr__(self, name, value)

    def __copy__(self) -> Node:
        return replace(self)

    def __deepcopy__(self, memo: dict) -> Node:
        return replace(self, params=copy.deepcopy(self._values, memo))

    @property
    def spec(self) -> LayerSpec:
        if self._spec is not None:  # read on every analysis: a layer kind is looked up once
            return self._spec
        if self.kind == BLOCK_KIND and self.library is not None:
            return self.library.spec(self.params[BLOCK_PARAM])
        change(self, "_spec", REGISTRY.get(self.kind))
        return self._spec


def change(node: Node, name: str, value: Any) -> None:
    """Set one of a node's attributes: for its document (and the node itself) only."""
    object.__setattr__(node, name, value)


@dataclass(frozen=True)
class Edge:
    """A wire from an output port to an input port; `order` keeps many-input ports stable."""

    id: str
    source: str
    source_port: str
    target: str
    target_port: str
    order: int = 0


def shown(value: Any, limit: int = 80) -> str:
    """repr() of a value from a file, cut short: a message stays readable whatever it holds."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def checked_value(spec: LayerSpec, name: str, value: Any) -> Any:
    """The canonical value when it fits the param, else as given: validation reports it."""
    try:
        return spec.param(name).coerce(value)
    except ParamError:
        return value


class GraphDocument:
    """The single source of truth for a network's graph; every change emits an event."""

    def __init__(self, blocks: BlockLibrary | None = None) -> None:
        self.events = GraphEvents()
        self.blocks = blocks if blocks is not None else BlockLibrary()
        self._graph = nx.MultiDiGraph()
        self._edges: dict[str, Edge] = {}
        # Each node's wires in, by port and order, and out, by order: read on every analysis.
        self._wires_in: dict[str, list[Edge]] = {}
        self._wires_out: dict[str, list[Edge]] = {}
        self._ids = itertools.count(1)
        self._next_order = 1
        self._next_node_order = 1
        self._sorted_nodes: list[Node] | None = None
        self._flow = FLOWS[0]

    # -- queries ---------------------------------------------------------------------------

    @property
    def flow(self) -> str:
        """Which way the graph is drawn: "right" (ports left and right) or "down" (top and
        bottom)."""
        return self._flow

    @property
    def graph(self) -> nx.MultiDiGraph:
        """A read-only view of the topology; node ids are nodes and edge ids are keys."""
        return nx.graphviews.generic_graph_view(self._graph)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._graph

    def __len__(self) -> int:
        return len(self._graph)

    def node(self, node_id: str) -> Node:
        try:
            return self._graph.nodes[node_id]["node"]
        except KeyError:
            raise GraphError(f"there is no node {node_id!r}") from None

    def nodes(self) -> list[Node]:
        """Every node, in document order."""
        if self._sorted_nodes is None:
            nodes = [data["node"] for _, data in self._graph.nodes(data=True)]
            self._sorted_nodes = sorted(nodes, key=lambda node: node.order)
        return list(self._sorted_nodes)

    def edge(self, edge_id: str) -> Edge:
        try:
            return self._edges[edge_id]
        except KeyError:
            raise GraphError(f"there is no wire {edge_id!r}") from None

    def has_edge(self, edge_id: str) -> bool:
        return edge_id in self._edges

    def edges(self) -> list[Edge]:
        return sorted(self._edges.values(), key=lambda edge: edge.order)

    def in_edges(self, node_id: str) -> list[Edge]:
        """Wires into a node, by input port and then by the order they were made in."""
        self.node(node_id)
        return list(self._wires_in[node_id])

    def out_edges(self, node_id: str) -> list[Edge]:
        self.node(node_id)
        return list(self._wires_out[node_id])

    def find(self, name: str) -> Node:
        """The node a user named `name` (names are what people see; ids are internal)."""
        for node in self.nodes():
            if node.name == name:
                return node
        raise GraphError(f"there is no node named {name!r}")

    def unique_name(self, base: str) -> str:
        """`base` and the first number no node's name has taken (conv1, conv2, ...)."""
        return UniqueNames(node.name for node in self.nodes()).take(base, "", numbered=True)

    # -- edits -----------------------------------------------------------------------------

    def add_node(
        self,
        kind: str,
        name: str | None = None,
        params: Mapping[str, Any] | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        node_id: str | None = None,
    ) -> Node:
        """Add a layer; params not given take their defaults. Raises GraphError for bad kinds."""
        spec = self.spec_of(kind, params or {})
        unknown = sorted(set(params or {}) - {param.name for param in spec.params})
        if unknown:
            raise GraphError(f"{spec.name} has no param {shown(unknown[0])}")
        values = spec.default_params()
        values.update(
            {key: checked_value(spec, key, value) for key, value in (params or {}).items()}
        )
        node = Node(
            id=node_id or self._new_id(),
            kind=spec.kind,
            name=name if name is not None else self.unique_name(spec.kind),
            params=values,
            position=(float(position[0]), float(position[1])),
        )
        self.insert_node(node)
        return node

    def spec_of(self, kind: str, params: Mapping[str, Any]) -> LayerSpec:
        """The spec a node of `kind` with `params` has here; raises GraphError if none."""
        if kind == BLOCK_KIND:
            name = params.get(BLOCK_PARAM)
            if not isinstance(name, str) or name not in self.blocks:
                raise GraphError(f"there is no block named {shown(name)} in the project")
            owner = self.blocks.owner(self)
            if owner is not None and (name == owner or owner in self.blocks.uses(name)):
                raise GraphError(f"the block {owner!r} cannot hold {name!r}, which holds it")
            return self.blocks.spec(name)
        if kind not in REGISTRY:
            raise GraphError(f"unknown layer kind {kind!r}")
        return REGISTRY.get(kind)

    def insert_node(self, node: Node) -> None:
        """Put back a node exactly as it was (used by undo and paste)."""
        if node.id in self._graph:
            raise GraphError(f"node id {node.id!r} is used twice")
        change(node, "library", self.blocks)
        if node.order == 0:
            change(node, "order", self._next_node_order)
        self._next_node_order = max(self._next_node_order, node.order + 1)
        self._graph.add_node(node.id, node=node)
        self._wires_in[node.id], self._wires_out[node.id] = [], []
        self._sorted_nodes = None
        self.events.node_added.emit(node)

    def remove_node(self, node_id: str) -> tuple[Node, list[Edge]]:
        """Remove a node and its wires; returns both so that the removal can be undone. Inside a
        block, the block's params stop setting the node's params first (see drop_targets)."""
        node = self.node(node_id)
        owner = self.blocks.owner(self)
        if owner is not None:
            self.blocks.drop_targets(owner, node_id)
        edges = list(
            {edge.id: edge for edge in self.in_edges(node_id) + self.out_edges(node_id)}.values()
        )
        for edge in edges:
            self.disconnect(edge.id)
        self._graph.remove_node(node_id)
        del self._wires_in[node_id], self._wires_out[node_id]
        self._sorted_nodes = None
        self.events.node_removed.emit(node)
        return node, edges

    def connect(
        self,
        source: str,
        source_port: str,
        target: str,
        target_port: str,
        stale_ok: bool = False,
    ) -> Edge:
        """Wire an output port to an input port; the wire goes after the port's earlier wires.
        `stale_ok` lets a copied wire keep a port its block lost (see check_ports)."""
        order = self._next_order
        while f"e{order}" in self._edges:
            order += 1
        edge = Edge(f"e{order}", source, source_port, target, target_port, order)
        self.check_ports(edge, stale_ok)
        self.insert_edge(edge)
        return edge

    def check_ports(self, edge: Edge, stale_ok: bool) -> None:
        """Both ends must be ports of their nodes; with `stale_ok`, a block instance may keep a
        wire to a port its block no longer has (an inner Input or Output renamed or removed),
        which analysis reports, so that no edit or file loses the wire."""
        source, target = self.node(edge.source), self.node(edge.target)
        ends = (
            (source, edge.source_port, source.spec.outputs, "output"),
            (target, edge.target_port, target.spec.inputs, "input"),
        )
        for node, port, ports, side in ends:
            if port in {each.name for each in ports}:
                continue
            if not (stale_ok and node.kind == BLOCK_KIND and isinstance(port, str)):
                raise GraphError(f"{node.spec.name} {node.name!r} has no {side} {port!r}")

    def stale_ports(self, node_id: str) -> tuple[list[str], list[str]]:
        """The input and output ports the node's wires use that its spec no longer has."""
        spec = self.node(node_id).spec
        inputs, outputs = {port.name for port in spec.inputs}, {p.name for p in spec.outputs}
        stale_in = [e.target_port for e in self._wires_in[node_id] if e.target_port not in inputs]
        stale_out = [
            e.source_port for e in self._wires_out[node_id] if e.source_port not in outputs
        ]
        return list(dict.fromkeys(stale_in)), list(dict.fromkeys(stale_out))

    def insert_edge(self, edge: Edge) -> None:
        """Put back a wire exactly as it was, keeping its place among a port's wires."""
        self.check_ports(edge, stale_ok=True)
        target = self.node(edge.target)
        if edge.id in self._edges:
            raise GraphError(f"wire id {edge.id!r} is used twice")
        self._graph.add_edge(edge.source, edge.target, key=edge.id, edge=edge)
        self._edges[edge.id] = edge
        ports = {port.name: index for index, port in enumerate(target.spec.inputs)}
        # insort, not append and sort: a port with n wires then loads in n log n, not n squared
        bisect.insort(
            self._wires_in[edge.target],
            edge,
            key=lambda wire: (ports.get(wire.target_port, len(ports)), wire.order),
        )
        bisect.insort(self._wires_out[edge.source], edge, key=lambda wire: wire.order)
        self._next_order = max(self._next_order, edge.order + 1)
        self.events.edge_added.emit(edge)

    def disconnect(self, edge_id: str) -> Edge:
        edge = self.edge(edge_id)
        self._graph.remove_edge(edge.source, edge.target, key=edge.id)
        del self._edges[edge_id]
        self._wires_in[edge.target].remove(edge)
        self._wires_out[edge.source].remove(edge)
        self.events.edge_removed.emit(edge)
        return edge

    def set_param(self, node_id: str, name: str, value: Any) -> Any:
        """Set one param and return the old value; values out of range are kept and diagnosed."""
        node = self.node(node_id)
        try:
            node.spec.param(name)
        except KeyError:
            raise GraphError(f"{node.spec.name} has no param {name!r}") from None
        if node.kind == BLOCK_KIND and name == BLOCK_PARAM:
            raise GraphError("an instance's block cannot change; add an instance of the other")
        old = node.params.get(name, node.spec.param(name).default)
        node._values[name] = checked_value(node.spec, name, value)
        self.events.param_changed.emit(node, name, old)
        return old

    def rename(self, node_id: str, name: str) -> str:
        node = self.node(node_id)
        old = node.name
        change(node, "name", name)
        self.events.node_renamed.emit(node, old)
        return old

    def move(self, node_id: str, position: tuple[float, float]) -> tuple[float, float]:
        node = self.node(node_id)
        old = node.position
        change(node, "position", (float(position[0]), float(position[1])))
        self.events.node_moved.emit(node, old)
        return old

    def set_flow(self, flow: str) -> str:
        if flow not in FLOWS:
            raise GraphError(f"a graph flows {' or '.join(FLOWS)}, not {flow!r}")
        old, self._flow = self._flow, flow
        if flow != old:
            self.events.flow_changed.emit(old)
        return old

    def copy(self, blocks: BlockLibrary | None = None) -> GraphDocument:
        """An independent document with the same nodes and wires (ids kept), of this document's
        block library or of `blocks`, flowing the same way."""
        other = GraphDocument(blocks if blocks is not None else self.blocks)
        other.set_flow(self.flow)
        for node in self.nodes():
            other.insert_node(replace(node, params=dict(node.params)))
        for edge in self.edges():
            other.insert_edge(edge)
        return other

    def _new_id(self) -> str:
        while True:
            candidate = f"n{next(self._ids)}"
            if candidate not in self._graph:
                return candidate
