"""Change events of a graph document, for views and incremental analysis to subscribe to."""

from psygnal import Signal, SignalGroup


class GraphEvents(SignalGroup):
    """Fine-grained, past-tense events; each carries the node or edge it concerns and, for a
    changed value, the value before, so that a journal can undo any edit."""

    node_added = Signal(object)
    node_removed = Signal(object)
    edge_added = Signal(object)
    edge_removed = Signal(object)
    param_changed = Signal(object, str, object)
    node_renamed = Signal(object, str)
    node_moved = Signal(object, tuple)
    flow_changed = Signal(str)  # the flow before: "right" or "down"
