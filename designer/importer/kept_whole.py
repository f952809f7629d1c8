"""What to keep whole as custom code, rather than trace through: the innermost submodule (or
function) whose code torch.fx cannot trace, or in which a call lies that neither a catalog
layer nor custom code of its own can take. The network's own forward is never kept whole."""

from __future__ import annotations

import traceback
from types import FunctionType

from torch import fx, nn

from designer.importer.custom_calls import Carrying, module_callee
from designer.importer.errors import ImportProblem, Unsupported
from designer.importer.mode_dependent import REASON, mode_dependent
from designer.importer.trace_failures import LIBRARY_FOLDERS, TraceFailed
from designer.importer.tracing import trace

MAX_ROUNDS = 50  # each round keeps one more part whole; a network has fewer worth keeping


def traced(
    module: nn.Module, given: int, leaves: frozenset[str], carrying: Carrying
) -> fx.GraphModule:
    """The module's trace, keeping whole each part (in `carrying`) whose code fx cannot trace;
    TraceFailed when fx fails in the network's own forward, or nothing can be kept whole.
    Parts whose forward depends on the mode (see mode_dependent) are kept whole from the start,
    where they can be built again."""
    if carrying.enabled:
        keep_mode_dependent(module, leaves, carrying)
    for _ in range(MAX_ROUNDS):
        kept = leaves | frozenset(carrying.modules)
        try:
            return trace(module, given, kept, tuple(carrying.functions))
        except TraceFailed as failure:
            if not carrying.enabled or not keep_failing_part(module, failure, carrying):
                raise
    raise ImportProblem(type(module).__name__, "keeps failing to trace")


def keep_mode_dependent(root: nn.Module, leaves: frozenset[str], carrying: Carrying) -> None:
    for path, module in root.named_modules():
        if not path or path in leaves or path in carrying.modules or not mode_dependent(module):
            continue
        try:
            module_callee(module)
        except Unsupported:
            continue  # traced through, in the mode it is in
        carrying.modules[path] = REASON


def keep_failing_part(root: nn.Module, failure: TraceFailed, carrying: Carrying) -> bool:
    """Keep whole the innermost part fx stopped in: a function of a file (fx calls it
    instead of tracing it), or a submodule (its class rebuilt from its arguments). False
    when it stopped in the network's own forward."""
    reason = failure.message
    frames = [
        frame
        for frame, _ in traceback.walk_tb(failure.error.__traceback__)
        if not frame.f_code.co_filename.startswith(LIBRARY_FOLDERS)
    ]
    modules = failure.inside[1:]
    for frame in reversed(frames):
        for path, cls in reversed(modules):
            if frame.f_code in codes_of(cls):
                return keep_module(root, path, reason, carrying)
        function = frame.f_globals.get(frame.f_code.co_name)
        if (
            isinstance(function, FunctionType)
            and function.__code__ is frame.f_code
            and not function.__name__.startswith("_")
            and function not in carrying.functions
        ):
            carrying.functions[function] = reason
            return True
    return False


def codes_of(cls: type) -> set:
    """The code of every method a module class (and its bases short of nn.Module) defines."""
    codes = set()
    for klass in cls.__mro__:
        if klass is nn.Module or klass is object:
            break
        for value in vars(klass).values():
            function = getattr(value, "__func__", None) or getattr(value, "fget", None) or value
            if isinstance(function, FunctionType):
                codes.add(function.__code__)
    return codes


def keep_module(root: nn.Module, path: str, reason: str, carrying: Carrying) -> bool:
    """Keep the submodule at `path` whole, or the innermost one around it that can be."""
    for candidate in enclosing(path):
        if candidate in carrying.modules:
            return False
        try:
            module_callee(root.get_submodule(candidate))
        except Unsupported:
            continue
        carrying.modules[candidate] = reason
        return True
    return False


def enclosing(path: str) -> list[str]:
    """'a.b.c' -> ['a.b.c', 'a.b', 'a']: the submodule and those around it, not the root."""
    parts = path.split(".") if path else []
    return [".".join(parts[:cut]) for cut in range(len(parts), 0, -1)]


def keep_problem_scopes(
    root: nn.Module, scopes: dict[str, str], leaves: frozenset[str], carrying: Carrying
) -> bool:
    """Keep whole, for each problem left, the innermost submodule around its call that can be
    rebuilt; True if that keeps anything new whole (trace again)."""
    kept: set[str] = set()
    for problem, path in scopes.items():
        for candidate in enclosing(path):
            if candidate in kept:
                carrying.origins[candidate].append(problem)
                break
            if candidate in carrying.modules or candidate in leaves:
                break
            try:
                module_callee(root.get_submodule(candidate))
            except Unsupported:
                continue
            carrying.modules[candidate] = f"it makes a call nothing else can take: {problem}"
            carrying.origins[candidate] = [problem]
            kept.add(candidate)
            break
    return bool(kept)
