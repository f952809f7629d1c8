"""Exporters' chatter kept out of the user's console, while their real errors still raise."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import warnings
from collections.abc import Iterator

import torch

JIT_DEPRECATED = r"`torch\.jit\.\w+` is deprecated"


@contextlib.contextmanager
def quiet_onnx_exporter() -> Iterator[None]:
    """torch.onnx logs what it skips (torchvision's ops when torchvision is absent), warns about
    torch's own internals, and torch.export prints its partial graph to stderr when it fails:
    nothing a user can act on. Failures still raise, and onnxruntime checks the result."""
    logger = logging.getLogger("torch")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(io.StringIO()),
            contextlib.redirect_stderr(io.StringIO()),
        ):
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def quiet_jit(tracer_warnings: list[str] | None = None) -> Iterator[None]:
    """Hide torch.jit's notices that it is deprecated; every other warning still shows, except
    TracerWarnings, which are collected into `tracer_warnings` (one line each, no repeats)."""
    with warnings.catch_warnings(record=tracer_warnings is not None) as caught:
        if tracer_warnings is not None:
            warnings.simplefilter("always", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", JIT_DEPRECATED, DeprecationWarning)
        yield
    for warning in caught or ():
        if not issubclass(warning.category, torch.jit.TracerWarning):
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )
            continue
        line = re.split(r"(?<=\.) ", str(warning.message).strip(), maxsplit=1)[0]
        if line not in tracer_warnings:
            tracer_warnings.append(line)
