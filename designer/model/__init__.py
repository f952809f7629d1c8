"""The graph document: layer nodes, wires between ports, and change events; no Qt."""

from designer.model.graph import Edge, GraphDocument, GraphError, Node

__all__ = ["Edge", "GraphDocument", "GraphError", "Node"]
