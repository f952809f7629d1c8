"""Run the module once per batch size and keep what each candidate submodule was called with."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from designer.importer.tracing import BATCHES, evaluating

Arguments = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass
class Captured:
    """The submodules at the watched paths in the order of their first call, and each one's
    calls (positional and keyword arguments) at each of BATCHES."""

    order: list[str] = field(default_factory=list)
    calls: dict[str, list[list[Arguments]]] = field(default_factory=dict)

    def only_call(self, path: str) -> list[Arguments] | None:
        """The arguments of the submodule's one call at each batch size; None unless it is
        called exactly once."""
        runs = self.calls.get(path, [])
        if len(runs) != len(BATCHES) or any(len(run) != 1 for run in runs):
            return None
        return [run[0] for run in runs]


def captured_calls(
    module: nn.Module, paths: list[str], inputs: dict[int, list[torch.Tensor]]
) -> Captured | None:
    """What the submodules at `paths` get when the module runs on each batch's inputs (in eval
    mode, without gradients); None if the module fails on them (importing it flat says why)."""
    found = Captured(calls={path: [] for path in paths})

    def watcher(path: str):
        def seen(_module: nn.Module, args: tuple, kwargs: dict) -> None:
            if path not in found.order:
                found.order.append(path)
            found.calls[path][-1].append((args, kwargs))

        return seen

    handles = [
        module.get_submodule(path).register_forward_pre_hook(watcher(path), with_kwargs=True)
        for path in paths
    ]
    try:
        with evaluating(module):
            for batch in BATCHES:
                for runs in found.calls.values():
                    runs.append([])
                module(*inputs[batch])
    except Exception:  # the user's code can raise anything; the flat import reports it
        return None
    finally:
        for handle in handles:
            handle.remove()
    return found
