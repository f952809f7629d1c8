"""A project's block library: named definitions (an inner graph and exposed params) by name."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from psygnal import EmissionInfo, Signal, SignalGroup

from nodes.block import BLOCK_KIND, BLOCK_PARAM, REPEAT_PARAM, BlockSpec, block_spec
from nodes.params import ParamSpec

if TYPE_CHECKING:
    from designer.model.graph import GraphDocument


@dataclass(frozen=True)
class BlockParam:
    """A param of the block: it sets each (inner node id, param name) of `targets`; instances
    that give no value take `default`."""

    name: str
    targets: tuple[tuple[str, str], ...]
    default: Any


@dataclass(frozen=True)
class BlockDefinition:
    """A block: its inner graph's Input and Output nodes are its ports, in document order."""

    name: str
    graph: GraphDocument
    params: tuple[BlockParam, ...] = ()
    description: str = ""

    def ports(self, kind: str) -> list[Any]:
        """The inner "input" or "output" nodes, in document order."""
        return [node for node in self.graph.nodes() if node.kind == kind]

    def instances(self) -> list[Any]:
        return [node for node in self.graph.nodes() if node.kind == BLOCK_KIND]

    def configured(self, values: Mapping[str, Any]) -> GraphDocument:
        """A copy of the inner graph with each block param's value (default if not given) set
        on its targets."""
        inner = self.graph.copy()
        for param in self.params:
            for node_id, name in param.targets:
                if node_id in inner:
                    inner.set_param(node_id, name, values.get(param.name, param.default))
        return inner


class LibraryEvents(SignalGroup):
    """Definitions added, removed or replaced (with the old one, to undo), and `block_changed`
    after any change that can alter an instance's analysis, inner edits included."""

    block_added = Signal(object)
    block_removed = Signal(object)
    block_replaced = Signal(object, object)
    block_changed = Signal(str)


class BlockLibrary:
    """Definitions by name; every graph document of a project, inner ones too, shares one."""

    def __init__(self) -> None:
        self.events = LibraryEvents()
        self._blocks: dict[str, BlockDefinition] = {}
        self._specs: dict[str, BlockSpec] = {}
        self._revisions: dict[str, int] = {}
        self._watchers: dict[str, Callable[[EmissionInfo], None]] = {}
        self.token = uuid.uuid4().hex  # tells this library from others on the clipboard

    def __contains__(self, name: object) -> bool:
        return name in self._blocks

    def __iter__(self) -> Iterator[BlockDefinition]:
        return iter(list(self._blocks.values()))

    def __len__(self) -> int:
        return len(self._blocks)

    def get(self, name: str) -> BlockDefinition:
        try:
            return self._blocks[name]
        except KeyError:
            raise KeyError(f"there is no block {name!r}") from None

    def owner(self, graph: GraphDocument) -> str | None:
        """The name of the block whose inner graph `graph` is, if any."""
        return next((each.name for each in self._blocks.values() if each.graph is graph), None)

    def add(self, definition: BlockDefinition) -> None:
        if definition.name in self._blocks:
            raise ValueError(f"there is already a block named {definition.name!r}")
        if definition.graph.blocks is not self:
            raise ValueError("a block's graph must share the library it is added to")
        self._check(definition)
        self._blocks[definition.name] = definition
        self._watch(definition)
        self._changed(definition.name)
        self.events.block_added.emit(definition)

    def remove(self, name: str) -> BlockDefinition:
        definition = self._blocks.pop(name)
        definition.graph.events.all.disconnect(self._watchers.pop(name))
        self._changed(name)
        self.events.block_removed.emit(definition)
        return definition

    def replace(self, definition: BlockDefinition) -> BlockDefinition:
        """Put `definition` in place of the one of the same name; returns the old one."""
        self._check(definition)
        old = self._blocks[definition.name]
        old.graph.events.all.disconnect(self._watchers.pop(definition.name))
        self._blocks[definition.name] = definition
        self._watch(definition)
        self._changed(definition.name)
        self.events.block_replaced.emit(definition, old)
        return old

    def set_params(self, name: str, params: tuple[BlockParam, ...]) -> BlockDefinition:
        """Change which inner params the block exposes; returns the old definition."""
        return self.replace(replace(self.get(name), params=tuple(params)))

    def drop_targets(self, name: str, node_id: str) -> None:
        """The inner node `node_id` is going: the block's params stop setting it, and a param
        left with nothing to set goes too (so no param points at a node id used again later)."""
        definition = self.get(name)
        kept = []
        for param in definition.params:
            targets = tuple(target for target in param.targets if target[0] != node_id)
            if targets:
                kept.append(replace(param, targets=targets))
        if tuple(kept) != definition.params:
            self.set_params(name, tuple(kept))

    def spec(self, name: str) -> BlockSpec:
        """The spec of `name`'s instances, rebuilt after the definition changes."""
        if name not in self._specs:
            definition = self.get(name)
            self._specs[name] = block_spec(
                name,
                definition.description,
                tuple(node.name for node in definition.ports("input")),
                tuple(node.name for node in definition.ports("output")),
                tuple(exposed_specs(definition)),
            )
        return self._specs[name]

    def uses(self, name: str) -> set[str]:
        """The blocks that `name`'s graph holds instances of, directly or deeper down."""
        found: set[str] = set()
        pending = [name]
        while pending:
            current = self._blocks.get(pending.pop())
            if current is None:
                continue
            for node in current.instances():
                inner = node.params.get(BLOCK_PARAM)
                if inner not in found:
                    found.add(inner)
                    pending.append(inner)
        return found

    def stamp(self, name: str) -> tuple:
        """Changes whenever `name` or any block inside it changes: a key for caches."""
        names = sorted({name, *self.uses(name)})
        return tuple((each, self._revisions.get(each, 0)) for each in names)

    def _check(self, definition: BlockDefinition) -> None:
        """A block may not hold itself, directly or through the blocks inside it, nor have two
        params of one name (or named as the params every instance has)."""
        names = [param.name for param in definition.params]
        for name in names:
            if names.count(name) > 1 or name in (BLOCK_PARAM, REPEAT_PARAM):
                raise ValueError(f"the block {definition.name!r} cannot have a param {name!r}")
        inside = {node.params.get(BLOCK_PARAM) for node in definition.instances()}
        if definition.name in inside or any(definition.name in self.uses(each) for each in inside):
            raise ValueError(f"the block {definition.name!r} would hold itself")

    def _changed(self, name: str) -> None:
        self._revisions[name] = self._revisions.get(name, 0) + 1
        self._specs.pop(name, None)
        for user in [each for each in self._blocks if name in self.uses(each)]:
            self._specs.pop(user, None)
        self.events.block_changed.emit(name)

    def _watch(self, definition: BlockDefinition) -> None:
        """Edits inside the definition's graph (moves and its flow aside) change its instances."""

        def edited(info: EmissionInfo) -> None:
            if info.signal.name not in ("node_moved", "flow_changed"):
                self._changed(definition.name)

        self._watchers[definition.name] = edited
        definition.graph.events.all.connect(edited)


def exposed_specs(definition: BlockDefinition) -> Iterator[ParamSpec]:
    """Each block param as the param spec of its first target, renamed, with the block's default;
    a param whose target the block no longer has is left out (analysis reports it)."""
    for param in definition.params:
        node_id, inner = param.targets[0]
        if node_id not in definition.graph:
            continue
        try:
            spec = definition.graph.node(node_id).spec.param(inner)
        except KeyError:
            continue
        yield replace(spec, name=param.name, default=param.default)
