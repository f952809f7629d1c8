"""The arguments each module of a user's own class was constructed with, recorded while the
user's file builds its network, so that a module kept as custom code can be built again
exactly as written."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any
from weakref import WeakKeyDictionary

from torch import nn

Arguments = tuple[tuple[Any, ...], dict[str, Any]]

_constructed: WeakKeyDictionary[nn.Module, Arguments] = WeakKeyDictionary()


def recorder(init: Any) -> Any:
    """`init` that first keeps its arguments; the outermost call of a module's construction
    (a subclass's, before the bases' it calls) is the one kept."""

    @functools.wraps(init)
    def recording_init(self: nn.Module, *args: Any, **kwargs: Any) -> None:
        if self not in _constructed:
            _constructed[self] = (args, dict(kwargs))
        init(self, *args, **kwargs)

    return recording_init


@contextmanager
def recording_constructions(module: ModuleType) -> Iterator[None]:
    """While inside, modules of the nn.Module classes that `module` (a user's file) defines
    keep the arguments they are built with."""
    classes = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, nn.Module)
        and value.__module__ == module.__name__
        and "__init__" in vars(value)
    ]
    originals = {cls: vars(cls)["__init__"] for cls in classes}
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
