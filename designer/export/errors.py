"""The error every exporter raises: what could not be written, and which node or file is why."""

from __future__ import annotations

from designer.data import SetupError


class ExportError(SetupError):
    """A model file that cannot be written; `node_id` is the node to blame, when one is known."""

    def __init__(self, message: str, place: str = "", node_id: str | None = None) -> None:
        super().__init__(message, place)
        self.node_id = node_id
