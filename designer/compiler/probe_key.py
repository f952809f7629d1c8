"""The key of a probe's result in the shape cache: everything the result depends on, found
without importing torch."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from functools import cache
from pathlib import Path

from nodes import TensorInfo

# The code that turns a layer's source into its result: a change there changes results.
PROBE_MODULES = ("probe.py", "mac_counter.py")


def probe_key(source: str, inputs: tuple[TensorInfo, ...], run: bool) -> str:
    """The layer's code as the catalog writes it (its kind and params, the helper classes it
    uses), its inputs' shapes and dtypes, whether it runs, the torch build and the probe's
    own code, hashed."""
    shapes = [[list(info.shape), info.dtype] for info in inputs]
    text = json.dumps([torch_build(), probe_code(), source, shapes, run])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


@cache
def torch_build() -> str:
    """torch's version file, which names its version and commit (and CUDA's): the one that
    `import torch` would load. Empty when torch is not there."""
    spec = importlib.util.find_spec("torch")
    if spec is None or not spec.submodule_search_locations:
        return ""
    try:
        return (Path(spec.submodule_search_locations[0]) / "version.py").read_text("utf-8")
    except OSError:
        return ""


@cache
def probe_code() -> str:
    folder = Path(__file__).parent
    text = "".join((folder / name).read_text("utf-8") for name in PROBE_MODULES)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
