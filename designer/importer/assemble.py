"""Walk the traced graph in order and build the document: an Input per forward argument, a
node per mapped call, an Output per returned tensor; every call that cannot map is listed."""

from __future__ import annotations

import itertools
import operator
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from torch import fx, nn

from designer.importer.calls import Call, Mapped, TensorShape, index_text
from designer.importer.carry import installed
from designer.importer.custom_calls import Carrying, custom_call, custom_name
from designer.importer.errors import Skipped, Unsupported
from designer.importer.functions import function_mapper
from designer.importer.fusions import fold_reshapes
from designer.importer.layers import module_mapper
from designer.importer.masks import Mask, mask_only
from designer.importer.position_tables import table_slice
from designer.importer.selection import indexed
from designer.importer.tracing import Recording
from designer.importer.tuples import Pending
from designer.importer.uses import BlockUse, Copy
from designer.model import GraphDocument
from designer.model.library import BlockLibrary
from designer.model.unique_names import UniqueNames
from nodes.block import BLOCK_KIND, BLOCK_PARAM
from nodes.catalog.custom_code import CUSTOM_KIND

META = object()  # sizes, asserts and other values that are not tensors: no node
FAILED = object()  # a call already reported: calls that use it are skipped
CALLS = ("call_module", "call_function", "call_method")

OPERATORS = {
    operator.add: "+",
    operator.sub: "-",
    operator.mul: "*",
    operator.truediv: "/",
    operator.floordiv: "//",
    operator.matmul: "@",
    operator.pow: "**",
    operator.neg: "unary -",
    operator.getitem: "[]",
    operator.lt: "<",
    operator.le: "<=",
    operator.eq: "==",
    operator.ne: "!=",
    operator.ge: ">=",
    operator.gt: ">",
}


@dataclass(frozen=True)
class Attribute:
    """A tensor read straight from the module (get_attr): no catalog layer holds one."""

    where: str


@dataclass
class Assembly:
    """The document, the module path each layer's weights come from (and the submodules each
    block instance stands for), the per-sample output the module made at each node, what
    could not be mapped (each with the module whose forward made the call) and notes, one
    for each custom-code node among them."""

    doc: GraphDocument = field(default_factory=GraphDocument)
    sources: dict[str, str] = field(default_factory=dict)
    blocks: dict[str, list[Copy]] = field(default_factory=dict)
    expected: list[tuple[str, TensorShape]] = field(default_factory=list)
    problems: dict[str, None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    scopes: dict[str, str] = field(default_factory=dict)  # problem -> path of the module it is in


def function_name(target: Any) -> str:
    if target in OPERATORS:
        return f"operator {OPERATORS[target]}"
    module = getattr(target, "__module__", None) or ""
    name = getattr(target, "__name__", repr(target))
    if module.startswith("torch.nn.functional") or module == "torch._C._nn":
        return f"F.{name}"
    if module == "torch" or module.startswith("torch."):
        return f"torch.{name}"
    if module in ("", "builtins") or not installed(module):
        return name  # a builtin, or a function of the user's own file
    return public_path(target, module, name)


def public_path(target: Any, module: str, name: str) -> str:
    """The shortest import path that gives the function, within the module it is defined in:
    torchvision.ops.stochastic_depth, not torchvision.ops.stochastic_depth.stochastic_depth."""
    parts = module.split(".")
    for cut in range(1, len(parts)):
        package = ".".join(parts[:cut])
        if getattr(sys.modules.get(package), name, None) is target:
            return f"{package}.{name}"
    return f"{module}.{name}"


def scope(node: fx.Node) -> str:
    """The path of the module whose forward made this call ('' for the top level)."""
    stack = [path for path, _ in (node.meta.get("nn_module_stack") or {}).values()]
    if node.op == "call_module" and stack and stack[-1] == node.target:
        stack.pop()  # the called module itself
    return stack[-1] if stack else ""


def has_weights(module: nn.Module) -> bool:
    return any(True for _ in itertools.chain(module.parameters(), module.buffers()))


class Assembler:
    """Turns one traced graph into an Assembly; see `assemble`."""

    def __init__(
        self,
        graph: fx.GraphModule,
        recording: Recording,
        shapes: list[tuple[int, ...]],
        vocabularies: Mapping[str, int],
        uses: Mapping[str, BlockUse],
        library: BlockLibrary,
        carrying: Carrying,
    ) -> None:
        self.graph, self.recording = graph, recording
        self.carrying = carrying
        self.shapes, self.vocabularies = list(shapes), vocabularies
        self.uses = uses
        self.result = Assembly(GraphDocument(library))
        self.values: dict[fx.Node, Any] = {}
        self.taken = UniqueNames()
        self.called: set[str] = set()
        self.mask_only = mask_only(set(recording.masks))

    def run(self) -> Assembly:
        for node in self.graph.graph.nodes:
            try:
                self.values[node] = self.convert(node)
            except Unsupported as problem:
                self.values[node] = self.fallback(node, problem)
            except Skipped:
                self.values[node] = FAILED
        self.fold_merges()
        fold_reshapes(self.result, self.unique)
        return self.result

    def fold_merges(self) -> None:
        """a + b + c traces as (a + b) + c: an Add (or Multiply) used only as the first operand
        of another takes that one's other operands and uses, so it is one node with many
        inputs, as drawn, and adds in the same order."""
        doc = self.doc
        for node in doc.nodes():
            if node.id not in doc or node.kind not in ("add", "multiply"):
                continue
            wires = doc.in_edges(node.id)
            inner = doc.node(wires[0].source)
            if inner.kind != node.kind or len(doc.out_edges(inner.id)) != 1:
                continue
            for wire in wires[1:]:
                doc.disconnect(wire.id)
                doc.connect(wire.source, wire.source_port, inner.id, "in")
            for wire in doc.out_edges(node.id):
                doc.disconnect(wire.id)
                doc.insert_edge(replace(wire, source=inner.id))
            doc.remove_node(node.id)
            self.result.expected = [
                (inner.id if node_id == node.id else node_id, shape)
                for node_id, shape in self.result.expected
            ]

    def report(self, where: str, reason: str, node: fx.Node | None = None) -> None:
        problem = f"{where}: {reason}"
        self.result.problems[problem] = None
        self.result.scopes[problem] = scope(node) if node is not None else ""

    def fallback(self, node: fx.Node, problem: Unsupported) -> Any:
        """A call no catalog layer takes becomes custom code where it can; else its problem
        (and why custom code cannot take it either) is reported."""
        reason = str(problem)
        if self.carrying.enabled and node.op in CALLS and not problem.final:
            try:
                made, note = custom_call(self, node, self.carrying, reason)
                value = made if isinstance(made, Pending) else self.place(node, made)
                self.result.notes.append(f"{self.where(node)}: {note}")
                return value
            except Unsupported as refusal:
                reason = f"{reason}; and as custom code: {refusal}"
            except Skipped:
                return FAILED
        origins = self.carrying.origins.get(node.target) if node.op == "call_module" else None
        if origins:  # kept whole for these, in vain: they are what the user needs to know
            self.result.problems.update(dict.fromkeys(origins))
            return FAILED
        self.report(problem.where or self.where(node), reason, node)
        return FAILED

    # -- one fx node -----------------------------------------------------------------------

    def convert(self, node: fx.Node) -> Any:
        if node.op == "placeholder":
            return self.input(node) if self.shapes else META
        if node.op == "output":
            self.outputs(node.args[0])
            return META
        if node in self.recording.masks:
            return self.recording.masks[node]  # the mask's layer takes it as a param
        if node in self.mask_only:
            return META
        if not node.users or not self.recording.holds_tensor(node):
            return META  # unused results (the `_` of `out, _ = lstm(x)`) need no node
        if node.op == "get_attr":
            return Attribute(self.where(node))
        if node.op == "call_module" and node.target in self.carrying.modules:
            raise Unsupported(self.carrying.modules[node.target])
        if node.op == "call_module":
            result = self.call_module(node)
        elif node.target in (operator.getitem, getattr):
            result = self.part(node)
        else:
            mapper = function_mapper(node)
            if mapper is None:
                raise Unsupported("no catalog layer")
            result = mapper(self.call(node, None))
        return result if not isinstance(result, Mapped) else self.place(node, result)

    def input(self, node: fx.Node) -> str:
        dtype = "long" if node.name in self.vocabularies else "float"
        params = {"shape": self.shapes.pop(0), "dtype": dtype}
        created = self.doc.add_node("input", self.unique(node.target), params)
        self.result.expected.append((created.id, self.recording.sample(node)))
        return created.id

    def outputs(self, results: Any) -> None:
        if isinstance(results, dict):
            self.report("forward's result", "is a dict; NetDesigner networks return tensors")
            return
        for result in results if isinstance(results, tuple | list) else [results]:
            try:
                source = self.tensor(result)
            except Unsupported as problem:
                self.report(problem.where or "forward's result", str(problem))
                continue
            except Skipped:
                continue
            created = self.doc.add_node("output", self.unique("output"))
            self.wire(source, created.id, "in")

    def call_module(self, node: fx.Node) -> Any:
        if node.target in self.uses:
            return self.block(node, self.uses[node.target])
        module = self.graph.get_submodule(node.target)
        mapper = module_mapper(module)
        if mapper is None:
            raise Unsupported("no catalog layer")
        if node.target in self.called and has_weights(module):
            raise Unsupported(
                "is called more than once; each NetDesigner layer has weights of its own, so "
                "shared weights cannot be kept",
                final=True,
            )
        mapped = mapper(self.call(node, module))
        self.called.add(node.target)  # once mapped: else custom code may take the call
        return mapped

    def block(self, node: fx.Node, use: BlockUse) -> str:
        """A block instance for a call of a repeated submodule, its arguments on its ports."""
        sources = [self.tensor(value) for value in node.args]
        spec = self.doc.spec_of(BLOCK_KIND, {BLOCK_PARAM: use.block})
        params = {**spec.default_params(), **use.params}
        name = self.unique(node.target.replace(".", "_"))
        created = self.doc.add_node(BLOCK_KIND, name, params)
        for source, port in zip(sources, use.ports, strict=True):
            self.wire(source, created.id, port)
        self.result.blocks[created.id] = [use.copy]
        self.result.expected.append((created.id, self.recording.sample(node)))
        return created.id

    def wire(self, source: str, target: str, port: str) -> None:
        """Connect the one output of `source` (a block's is named after its Output node)."""
        self.doc.connect(source, self.doc.node(source).spec.outputs[0].name, target, port)

    def part(self, node: fx.Node) -> Any:
        """x[index] or x.attribute: a part of a tuple-valued call; slicing a tensor has no
        catalog layer."""
        container, index = node.args
        held = self.values.get(container) if isinstance(container, fx.Node) else None
        if held is FAILED and not self.recording.is_tensor(container):
            raise Skipped  # a part of a tuple-valued call that failed: its problem is reported
        if isinstance(held, Pending):
            if node.target is getattr:
                index = {"values": 0, "indices": 1}.get(index, index)
            return held.item(index, node)
        if node.target is getattr:
            raise Unsupported(f"reads .{index} of a tensor; no catalog layer does")
        if isinstance(held, Attribute):
            return table_slice(self.call(node, None), [run[node] for run in self.recording.runs])
        selection = indexed(self.call(node, None))
        if selection is not None:
            return selection
        raise Unsupported(f"slices a tensor with [{index_text(index)}]; no catalog layer slices")

    def call(self, node: fx.Node, module: nn.Module | None) -> Call:
        return Call(node, module, self.where(node), self.sample, self.held)

    # -- values ----------------------------------------------------------------------------

    def place(self, node: fx.Node, mapped: Mapped) -> str:
        """Add the mapped layers (or nothing, for an alias); the last one is the node's value."""
        sources = [self.tensor(value) for value in mapped.inputs]
        expected = self.recording.sample(node)
        for layer in mapped.layers:
            created = self.doc.add_node(layer.kind, self.name(node, layer), dict(layer.params))
            for source in sources:
                self.wire(source, created.id, "in")
            if layer.path is not None:
                self.result.sources[created.id] = layer.path
            sources = [created.id]
        self.result.notes += [f"{self.where(node)}: {note}" for note in mapped.notes]
        self.result.expected.append((sources[0], expected))
        return sources[0]

    def tensor(self, value: Any) -> str:
        """The node that gives an fx value, made now if it is a part of a tuple-valued call."""
        self.check(value)
        held = self.values[value]
        if isinstance(held, Pending):
            held = self.values[value] = self.place(value, held.whole(value))
        if held is META:
            raise Unsupported(f"uses the non-tensor value {value.name} where a tensor goes")
        return held

    def check(self, value: Any) -> None:
        if not isinstance(value, fx.Node):
            raise Unsupported(f"uses the constant {value!r} where a tensor goes")
        held = self.values.get(value)
        if held is FAILED:
            raise Skipped
        if isinstance(held, Mask):
            raise Unsupported(
                f"uses {value.name}, an attention mask, where a tensor goes; only a Transformer "
                "encoder (layer) takes a mask"
            )
        if isinstance(held, Attribute):
            raise Unsupported(
                "is used directly in forward; no catalog layer holds a free tensor (a learned "
                "positional encoding, for example)",
                held.where,
            )

    def held(self, value: Any) -> Any:
        return self.values.get(value) if isinstance(value, fx.Node) else None

    def sample(self, value: Any) -> TensorShape:
        """The per-sample shape of a call's argument, also of one that failed to map: the
        recording has it, so calls after a problem are still checked and theirs reported."""
        if self.held(value) is not FAILED:
            self.check(value)
        return self.recording.sample(value)

    # -- names -----------------------------------------------------------------------------

    def name(self, node: fx.Node, layer: Any) -> str:
        """Layers of modules are named after the module path (block1.conv1 -> block1_conv1),
        function calls after their kind within the calling module (block1_add)."""
        if layer.path is not None and (layer.kind != CUSTOM_KIND or node.op == "call_module"):
            return self.unique(layer.path.replace(".", "_"))
        where = scope(node).replace(".", "_")
        kind = custom_name(layer.params) if layer.kind == CUSTOM_KIND else layer.kind
        return self.unique(f"{where}_{kind}" if where else kind)

    def unique(self, base: str) -> str:
        return self.taken.take(base)

    def where(self, node: fx.Node) -> str:
        """How reports name a call: the module path and class, or the function and the module
        whose forward calls it."""
        if node.op == "call_module":
            return f"{node.target} ({type(self.graph.get_submodule(node.target)).__name__})"
        if node.op == "get_attr":
            return f"{node.target} (a tensor attribute)"
        inside = scope(node) or "forward"
        if node.op == "call_method":
            return f"Tensor.{node.target} in {inside}"
        if node.op == "call_function":
            return f"{function_name(node.target)} in {inside}"
        return node.name

    @property
    def doc(self) -> GraphDocument:
        return self.result.doc


def assemble(
    graph: fx.GraphModule,
    recording: Recording,
    shapes: list[tuple[int, ...]],
    vocabularies: Mapping[str, int],
    uses: Mapping[str, BlockUse] | None = None,
    library: BlockLibrary | None = None,
    carrying: Carrying | None = None,
) -> Assembly:
    """Build the document (in `library`'s project) from the trace, with a block instance for
    each call of a submodule in `uses`, and custom code for each call no catalog layer takes
    (unless `carrying` is off); problems in the result list what could not map."""
    library = library if library is not None else BlockLibrary()
    carrying = carrying if carrying is not None else Carrying()
    return Assembler(graph, recording, shapes, vocabularies, uses or {}, library, carrying).run()
