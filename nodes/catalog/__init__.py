"""The built-in layer kinds; importing this package registers them all."""

from nodes.catalog import (
    activations,
    attention,
    convolution,
    core,
    custom_code,
    io,
    merge,
    normalization,
    pooling,
    recurrent,
    reshaping,
    residual,
    sequence,
)

__all__ = [
    "activations",
    "attention",
    "convolution",
    "core",
    "custom_code",
    "io",
    "merge",
    "normalization",
    "pooling",
    "recurrent",
    "reshaping",
    "residual",
    "sequence",
]
