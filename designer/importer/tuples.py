"""Calls that give tuples (recurrent layers, attention, max over a dim): a node is made when a
part is used, in the form that part needs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import fx

from designer.importer.calls import Layer, Mapped, index_text
from designer.importer.errors import Unsupported
from nodes.catalog.reshaping import pieces

LAST_STEP = ((slice(None), -1), (slice(None), -1, slice(None)))
FORMS = {"sequence": "output at every step", "last": "last step"}


@dataclass
class Pending:
    """A tuple-valued call; `where` names it in reports. It makes at most one node, in one
    form: later uses of the same form share that node, another form is refused."""

    where: str
    made: tuple[str, fx.Node] | None = field(default=None, init=False)

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        raise Unsupported(f"its part [{index_text(index)}] has no catalog layer", self.where)

    def whole(self, at: fx.Node) -> Mapped:
        raise Unsupported("its whole tuple result is used as one tensor", self.where)

    def once(self, form: str, at: fx.Node, build: Callable[[], Mapped]) -> Mapped:
        """The node for `form`, made at fx node `at` the first time."""
        if self.made is None:
            self.made = (form, at)
            return build()
        made_form, made_at = self.made
        if made_form != form:
            raise Unsupported(
                f"uses both its {FORMS.get(made_form, made_form)} and its "
                f"{FORMS.get(form, form)}; one NetDesigner layer gives one of them",
                self.where,
            )
        return Mapped((made_at,))


@dataclass
class Recurrent(Pending):
    """nn.RNN, nn.LSTM or nn.GRU: (sequence, state), the state (h, c) for an LSTM."""

    source: Any = None
    layer: Layer | None = None
    bidirectional: bool = False
    states: int = 1
    cell: bool = False

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        if index == 0:
            return Sequence(self.where, recurrent=self)
        if index == 1:
            return State(self.where, recurrent=self) if self.cell else Hidden(self.where, self)
        return super().item(index, at)

    def make(self, returns: str, at: fx.Node) -> Mapped:
        """The layer giving `returns` ("sequence" or "last", as the catalog's param)."""
        params = {**self.layer.params, "returns": returns}
        layer = Layer(self.layer.kind, params, self.layer.path)
        return self.once(returns, at, lambda: Mapped((self.source,), (layer,)))


@dataclass
class Sequence(Pending):
    """A recurrent layer's output at every step; [:, -1] takes the last step."""

    recurrent: Recurrent | None = None

    def whole(self, at: fx.Node) -> Mapped:
        return self.recurrent.make("sequence", at)

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        if index in LAST_STEP and not self.recurrent.bidirectional:
            return self.recurrent.make("last", at)
        if index in LAST_STEP:
            raise Unsupported(
                "is bidirectional, so [:, -1] holds the backward direction's first step; the "
                "catalog's last step joins both directions' final states",
                self.where,
            )
        raise Unsupported(
            f"slices its output with [{index_text(index)}]; only [:, -1] (the last step) maps",
            self.where,
        )


@dataclass
class State(Pending):
    """An LSTM's (h, c): h is the hidden state, c the cell state."""

    recurrent: Recurrent | None = None

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        if index == 0:
            return Hidden(self.where, self.recurrent)
        raise Unsupported("uses its cell state c; the catalog's LSTM gives h only", self.where)


@dataclass
class Hidden(Pending):
    """The final hidden state of every layer and direction (states x batch x hidden): [-1] is
    the top layer's, or with two directions [-2] and [-1] are its forward and backward."""

    recurrent: Recurrent | None = None

    def whole(self, at: fx.Node) -> Mapped:
        raise Unsupported(
            "uses the final states of all its layers; only the top layer's ([-1]) maps", self.where
        )

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        states = self.recurrent.states
        if not self.recurrent.bidirectional and index in (-1, states - 1):
            return self.recurrent.make("last", at)
        if self.recurrent.bidirectional and index in (-2, -1, states - 2, states - 1):
            direction = "forward" if index in (-2, states - 2) else "backward"
            return FinalState(self.where, recurrent=self.recurrent, direction=direction)
        raise Unsupported(
            f"uses its hidden state [{index_text(index)}]; only the top layer's maps", self.where
        )


@dataclass
class FinalState(Pending):
    """One direction's final state of a bidirectional layer's top layer; the catalog's last
    step is both, joined: torch.cat([h[-2], h[-1]], dim=1)."""

    recurrent: Recurrent | None = None
    direction: str = "forward"

    def whole(self, at: fx.Node) -> Mapped:
        raise Unsupported(
            f"uses only its {self.direction} final state; the catalog's last step of a "
            "bidirectional layer is torch.cat([h[-2], h[-1]], dim=1)",
            self.where,
        )


def joined_states(parts: list[Any], dim: int, at: fx.Node) -> Mapped | None:
    """torch.cat([h[-2], h[-1]], dim=1) of a bidirectional layer: its last step; else None."""
    if len(parts) != 2 or not all(isinstance(part, FinalState) for part in parts):
        return None
    forward, backward = parts
    if forward.recurrent is not backward.recurrent or dim not in (1, -1):
        return None
    if (forward.direction, backward.direction) != ("forward", "backward"):
        return None
    return forward.recurrent.make("last", at)


@dataclass
class Attention(Pending):
    """nn.MultiheadAttention: (output, weights)."""

    source: Any = None
    layer: Layer | None = None

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        if index == 0:
            return self.once("output", at, lambda: Mapped((self.source,), (self.layer,)))
        raise Unsupported(
            "uses its attention weights; the catalog's MultiheadAttention gives its output only",
            self.where,
        )


@dataclass
class Extremes(Pending):
    """max over a dim: (values, indices)."""

    source: Any = None
    layers: tuple[Layer, ...] = ()

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        if index in (0, "values"):
            return self.once("values", at, lambda: Mapped((self.source,), self.layers))
        raise Unsupported("uses the indices of the maxima; no catalog layer gives them", self.where)


@dataclass
class Chunks(Pending):
    """torch.chunk's pieces of `length` along `dim`: each piece used is a Chunk node."""

    source: Any = None
    chunks: int = 1
    dim: int = 0
    length: int = 1

    def item(self, index: Any, at: fx.Node) -> Mapped | Pending:
        count = pieces(self.length, self.chunks)
        if not isinstance(index, int) or not -count <= index < count:
            return super().item(index, at)
        params = {"chunks": self.chunks, "index": index % count, "dim": self.dim}
        return Mapped((self.source,), (Layer("chunk", params),))
