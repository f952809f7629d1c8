"""The first analysis of an opened project, from cached layer results while torch loads."""

from __future__ import annotations

from designer.compiler.probe import ProbeDeferred, cached_results_only
from designer.ui.editor import GraphEditor


def analyzed_from_cache(editor: GraphEditor) -> bool:
    """Analyze and show the graph now if every layer's result is in the shape cache, with no
    need of torch; otherwise show nothing and say False (the analysis waits for torch)."""
    try:
        with cached_results_only():
            editor.refresh()
    except ProbeDeferred:
        return False
    return True
