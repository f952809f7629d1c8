"""Change events of a graph document, for views and incremental analysis to subscribe to."""

from psygnal import Signal, SignalGroup


class GraphEvents(SignalGroup):
    """Fine-grained, past-tense events; each carries the node or edge it concerns."""

    node_added = Signal(object)
    node_removed = Signal(object)
    edge_added = Signal(object)
    edge_removed = Signal(object)
    param_changed = Signal(object, str)
    node_renamed = Signal(object)
    node_moved = Signal(object)
