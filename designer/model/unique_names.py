"""Names nobody has taken yet: the one place that numbers a name until it is free."""

from __future__ import annotations

import itertools
from collections.abc import Iterable


class UniqueNames:
    """Hands out names not in `taken`, and takes each one it hands out."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def take(self, base: str, separator: str = "_", numbered: bool = False) -> str:
        """`base` itself if free, else `base`, `separator` and 2, 3, ...; with `numbered`,
        always a number, from 1 (conv1, conv2)."""
        numbers = (f"{base}{separator}{n}" for n in itertools.count(1 if numbered else 2))
        candidates = numbers if numbered else itertools.chain([base], numbers)
        name = next(candidate for candidate in candidates if candidate not in self.taken)
        self.taken.add(name)
        return name
