"""An imported block instance: its block, params and ports, and whose weights it holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Copy:
    """One submodule that a block instance stands for (several when instances are chained into
    one with `repeat`): its module path, its layers' paths inside it by inner node id, and the
    submodules that its inner block instances stand for (paths inside it)."""

    path: str
    sources: dict[str, str]
    blocks: dict[str, list[Copy]] = field(default_factory=dict)


@dataclass(frozen=True)
class BlockUse:
    """A submodule call that becomes a block instance: the block, the instance's exposed params,
    the block's input port names (forward's arguments, in order) and the submodule's layers."""

    block: str
    params: dict[str, Any]
    ports: tuple[str, ...]
    copy: Copy
