"""The arguments each module of a class outside torch was constructed with, recorded while a
user's file (or torchvision) builds its network, so that a module kept as custom code can be
built again exactly as written."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from weakref import WeakKeyDictionary

from torch import nn

Arguments = tuple[tuple[Any, ...], dict[str, Any]]

_constructed: WeakKeyDictionary[nn.Module, Arguments] = WeakKeyDictionary()
_patching = threading.RLock()


def recorder(init: Any) -> Any:
    """`init` that first keeps its arguments; the outermost call of a module's construction
    (a subclass's, before the bases' it calls) is the one kept."""

    @functools.wraps(init)
    def recording_init(self: nn.Module, *args: Any, **kwargs: Any) -> None:
        if self not in _constructed:
            _constructed[self] = (args, dict(kwargs))
        init(self, *args, **kwargs)

    return recording_init


def module_classes() -> list[type[nn.Module]]:
    """Every nn.Module class defined so far outside torch itself (a user's file's,
    torchvision's, timm's) that has a constructor of its own."""
    found, seen, queue = [], set(), list(nn.Module.__subclasses__())
    while queue:
        cls = queue.pop()
        if cls in seen:
            continue
        seen.add(cls)
        queue += cls.__subclasses__()
        if cls.__module__.split(".")[0] != "torch" and "__init__" in vars(cls):
            found.append(cls)
    return found


@contextmanager
def recording_constructions() -> Iterator[None]:
    """While inside, modules of every nn.Module class outside torch (see module_classes) keep
    the arguments they are built with: a user's network, and the library classes it is built
    of, such as torchvision's window attention. One recording at a time (a lock), so that two
    never take each other's recorder for the class's own constructor."""
    with _patching:
        originals = {cls: vars(cls)["__init__"] for cls in module_classes()}
        for cls, init in originals.items():
            cls.__init__ = recorder(init)
        try:
            yield
        finally:
            for cls, init in originals.items():
                cls.__init__ = init


def constructed_with(module: nn.Module) -> Arguments | None:
    """The positional and keyword arguments the module was built with, if recorded."""
    return _constructed.get(module)
