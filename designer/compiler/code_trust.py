"""Which custom code may run in this process. Loading a project never runs its code; code of
its own (or a call outside torch's tensor operations) runs only once trusted, as editors
trust a folder: by the user's answer, `--trust` on the command line, or because this process
imported it from a module the user chose to run. Calls of torch's tensor operations, and the
parts torchvision's models are built of, by their import path carry no code of their own and
run without asking."""

from __future__ import annotations

import hashlib
import importlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any

from designer.model import GraphDocument, Node
from nodes.catalog.custom_code import CUSTOM_KIND
from nodes.custom_call import CallError, Reference, Target, parse_target, references

# Functions of these modules work on tensors and numbers only (their arguments are constants,
# inputs and sizes): calling them cannot reach files, processes or the network.
SAFE_FUNCTION_MODULES = (
    "torch.nn.functional",
    "torch.special",
    "torch.linalg",
    "torch.fft",
    "operator",
    "math",
    "torchvision.ops",
)
SAFE_CLASS_MODULES = ("torch.nn", "torchvision.ops")
# Modules of these packages are the parts torchvision's classification models are built of: their
# constructors take sizes and make layers (downloads are for the builder functions, which are
# not classes).
SAFE_CLASS_PACKAGES = ("torchvision.models.",)
# Private tensor helpers those parts call, by import path: padding and slicing only.
SAFE_FUNCTIONS = frozenset({"torchvision.models.swin_transformer._patch_merging_pad"})
REFUSED = {
    "torch": {"from_file", "save", "load"},
    "operator": {"call"},
    "Tensor": {"backward", "register_hook", "share_memory_", "storage", "untyped_storage"},
}

_trusted: set[str] = set()
_lock = threading.Lock()
_changes = [0]  # how often the trusted set changed: keys analyses cached before


def fingerprint(params: Mapping[str, Any]) -> str:
    """What would run: the code carried, the name called and the classes and functions its
    constructor is given (the other params are constants)."""
    text = f"{params.get('call')}\n{params.get('target')}\n{params.get('code')}"
    given = references(params)
    text += "".join(f"\n{value.module}:{value.name}" for value in given)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def trust(fingerprints: Iterable[str]) -> None:
    with _lock:
        before = len(_trusted)
        _trusted.update(fingerprints)
        _changes[0] += len(_trusted) != before


def generation() -> int:
    """A number that changes whenever the trusted set does."""
    return _changes[0]


def trusted_now() -> frozenset[str]:
    """Every fingerprint trusted in this process (a training process is given them)."""
    with _lock:
        return frozenset(_trusted)


def forget() -> None:
    """Trust nothing again (for tests)."""
    with _lock:
        _trusted.clear()
        _changes[0] += 1


def needs_consent(params: Mapping[str, Any]) -> bool:
    """Whether the node would run code that is neither trusted yet nor one of torch's tensor
    operations called by its import path."""
    target, code = params.get("target"), params.get("code")
    if not isinstance(target, str) or not isinstance(code, str):
        return False  # not a call: the node's check says why, and nothing runs
    if not code.strip():
        try:
            if safe_library_call(params.get("call"), parse_target(target)) and all(
                safe_reference(value) for value in references(params)
            ):
                return False
        except CallError:
            return False
    return fingerprint(params) not in trusted_now()


@lru_cache(maxsize=1024)
def safe_library_call(call: Any, target: Target) -> bool:
    """An import path into torch's (or torchvision's operators') tensor operations, or to a
    part of torchvision's models."""
    if call == "function" and str(target) in SAFE_FUNCTIONS:
        return True
    parts = target.name.split(".")
    if target.module is None or any(part.startswith("_") for part in parts):
        return False
    if call == "module":
        known = target.module in SAFE_CLASS_MODULES or target.module.startswith(SAFE_CLASS_PACKAGES)
        if not known or len(parts) != 1:
            return False
        from torch import nn

        found = resolved(target)
        return isinstance(found, type) and issubclass(found, nn.Module)
    if target.module == "torch":
        return torch_function(parts)
    if target.module not in SAFE_FUNCTION_MODULES or len(parts) != 1:
        return False
    return parts[0] not in REFUSED.get(target.module, ()) and callable(resolved(target))


def safe_reference(value: Reference) -> bool:
    """A class or function a constructor is given that is itself a safe call: one of torch's
    layers (an activation, a normalization) or tensor operations."""
    target = Target(value.module, value.name)
    return safe_library_call("module", target) or safe_library_call("function", target)


def torch_function(parts: list[str]) -> bool:
    """One of torch's operators (torch.cumsum) or a tensor method (Tensor.expand)."""
    import torch

    if len(parts) == 2 and parts[0] == "Tensor":
        return parts[1] not in REFUSED["Tensor"] and callable(getattr(torch.Tensor, parts[1], None))
    if len(parts) != 1 or parts[0] in REFUSED["torch"]:
        return False
    return hasattr(torch._C._VariableFunctions, parts[0]) or parts[0] in torch.functional.__all__


def resolved(target: Target) -> Any:
    """The object an import path names, or None; torchvision (and timm, which imports it) is
    imported the way that works beside any torch build."""
    if target.module.split(".")[0] in ("torchvision", "timm"):
        from designer.runtime.vision import import_torchvision

        import_torchvision()
    try:
        found: Any = importlib.import_module(target.module)
    except ImportError:
        return None
    for part in target.name.split("."):
        found = getattr(found, part, None)
    return found


def custom_nodes(doc: GraphDocument) -> Iterator[tuple[str, Node]]:
    """Every custom-code node of the network and of its blocks, with where it is."""
    for node in doc.nodes():
        if node.kind == CUSTOM_KIND:
            yield "", node
    for definition in doc.blocks:
        for node in definition.graph.nodes():
            if node.kind == CUSTOM_KIND:
                yield definition.name, node


def withheld_nodes(doc: GraphDocument) -> list[tuple[str, Node]]:
    """The custom-code nodes whose code may not run yet, with the block they are in."""
    return [(block, node) for block, node in custom_nodes(doc) if needs_consent(node.params)]


def trust_document(doc: GraphDocument) -> None:
    """Trust every custom code the network and its blocks carry."""
    trust(fingerprint(node.params) for _, node in custom_nodes(doc))


def withheld_names(doc: GraphDocument, limit: int = 4) -> str:
    """The custom-code nodes not trusted yet, as messages name them: 'gate', 'clip' (in block
    Mixer) and 3 more."""
    named = [
        f"{node.name!r}" + (f" (in block {block})" if block else "")
        for block, node in withheld_nodes(doc)
    ]
    more = f" and {len(named) - limit} more" if len(named) > limit else ""
    return ", ".join(named[:limit]) + more
