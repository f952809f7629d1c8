"""How close a written model's outputs must be to the app's module, and the measuring of it."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from designer.export.errors import ExportError

# float32 through another runtime: kernels sum in other orders, so allow a little absolute and
# relative rounding; token ids and other integers must match exactly.
ATOL = 1e-4
RTOL = 1e-3


def as_tensors(outputs: object) -> list[torch.Tensor]:
    """A module's result (one tensor, or a tuple of them) as a list of CPU tensors."""
    items = outputs if isinstance(outputs, list | tuple) else [outputs]
    return [torch.as_tensor(item).detach().cpu() for item in items]


def max_difference(expected: Sequence[torch.Tensor], actual: Sequence[torch.Tensor]) -> float:
    """The largest absolute difference over all outputs; inf when shapes or counts differ."""
    if len(expected) != len(actual):
        return float("inf")
    worst = 0.0
    for want, got in zip(expected, actual, strict=True):
        if want.shape != got.shape:
            return float("inf")
        if want.numel():
            worst = max(worst, (want.double() - got.double()).abs().max().item())
    return worst


def check_match(
    expected: Sequence[torch.Tensor], actual: Sequence[torch.Tensor], who: str, where: str
) -> float:
    """The max difference; raises ExportError when `who` differs beyond ATOL + RTOL * |value|
    (or at all, for integer outputs)."""
    difference = max_difference(expected, actual)
    for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
        exact = not want.is_floating_point()
        close = want.shape == got.shape and (
            torch.equal(want, got.to(want.dtype))
            if exact
            else torch.allclose(got.to(want.dtype), want, rtol=RTOL, atol=ATOL, equal_nan=True)
        )
        if not close:
            raise ExportError(
                f"{who} gives output {index} of shape {tuple(got.shape)} that differs from "
                f"torch's ({tuple(want.shape)}) by up to {difference:.3g} {where} "
                f"(allowed: {ATOL:g} + {RTOL:g} x |value|{'; ids must be equal' if exact else ''})"
            )
    if len(expected) != len(actual):
        raise ExportError(f"{who} gives {len(actual)} outputs, torch {len(expected)} {where}")
    return difference
