"""Running torch's meta kernels without the two-second import of torch._dynamo they trigger."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache

import torch

MARK = "__dynamo_disable"  # where torch._disable_dynamo keeps the function it calls


@cache
def guarded_kernels() -> tuple[Callable, ...]:
    """The functions inside torch's Python meta kernels that torch._disable_dynamo wraps. Each
    wrapper imports torch._dynamo on its first call, to keep torch.compile out of the kernel;
    it calls what it finds under MARK on the function instead, when that is set."""
    guard = getattr(torch, "_disable_dynamo", None)
    if guard is None:
        return ()
    guard_code = guard(lambda: None).__code__
    from torch._decomp import global_decomposition_table

    found: dict[int, Callable] = {}
    seen: set[int] = set()
    pending = [kernel for table in global_decomposition_table.values() for kernel in table.values()]
    while pending:
        function = pending.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        variables = closure(function)
        if getattr(function, "__code__", None) is guard_code:
            found[id(variables["fn"])] = variables["fn"]
        pending.extend(inner for inner in variables.values() if hasattr(inner, "__code__"))
        if hasattr(getattr(function, "__wrapped__", None), "__code__"):
            pending.append(function.__wrapped__)  # what functools.wraps wrapped
    return tuple(found.values())


def closure(function: Callable) -> dict[str, object]:
    """The variables a function closes over (those set by now)."""
    code, cells = getattr(function, "__code__", None), getattr(function, "__closure__", None)
    if code is None or cells is None:
        return {}
    variables = {}
    for name, cell in zip(code.co_freevars, cells, strict=True):
        try:
            variables[name] = cell.cell_contents
        except ValueError:  # not set yet
            continue
    return variables


@contextmanager
def without_dynamo() -> Iterator[None]:
    """Within this block, torch's guarded meta kernels run as they are. That is what their
    guard does when nothing is being compiled, which holds while torch._dynamo is not even
    imported (calls from other threads meanwhile are as safe); once it is, the guards are
    left to do their job."""
    if "torch._dynamo" in sys.modules:
        yield
        return
    marked = [kernel for kernel in guarded_kernels() if MARK not in vars(kernel)]
    for kernel in marked:
        setattr(kernel, MARK, kernel)
    try:
        yield
    finally:
        for kernel in marked:
            if vars(kernel).get(MARK) is kernel:
                delattr(kernel, MARK)
