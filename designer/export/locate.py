"""Which node an exporter failed on: from the generated lines its error or traceback names,
else by trying the network's layers one at a time."""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch
from torch import nn

from designer.export.network import Network, evaluating

GENERATED_LINE = re.compile(r'<netdesigner:(\w+):\d+>"?, line (\d+)')
ASSIGNED_LAYER = re.compile(r"^\s*self\.(\w+) = ")
LIBRARY_LINE = re.compile(r'File "([^"]+)", line (\d+)')

Attempt = Callable[[nn.Module, tuple[Any, ...], dict[str, Any]], object]


def line_owners(network: Network) -> dict[int, str]:
    """Line number of the generated source -> the node that wrote it."""
    return {line: node_id for node_id, lines in network.code.lines.items() for line in lines}


def layer_owners(network: Network) -> dict[str, str]:
    """Module attribute (self.<name>) -> the node whose layer it holds."""
    source = network.code.source.splitlines()
    owners = {}
    for node_id, lines in network.code.lines.items():
        match = ASSIGNED_LAYER.match(source[lines[0] - 1])
        if match:
            owners[match.group(1)] = node_id
    return owners


def chain(error: BaseException) -> list[BaseException]:
    """The error and what caused it, innermost first."""
    found: list[BaseException] = []
    while error is not None and error not in found:
        found.append(error)
        error = error.__cause__ or error.__context__
    return found[::-1]


def evidence(error: BaseException) -> Iterator[str]:
    """Texts that may name a generated line, innermost first: each frame of the tracebacks, the
    stack traces of the traced graph nodes the exporter was working on, the messages."""
    for link in chain(error):
        for frame, line in reversed(list(traceback.walk_tb(link.__traceback__))):
            yield f'File "{frame.f_code.co_filename}", line {line}'
            for value in list(frame.f_locals.values()):
                if isinstance(value, torch.fx.Node):
                    yield str(value.meta.get("stack_trace") or "")
        yield str(link)


def node_in(texts: Iterable[str], network: Network) -> str | None:
    """The first node whose generated line the texts name."""
    owners = line_owners(network)
    for text in texts:
        for class_name, line in GENERATED_LINE.findall(text):
            if class_name == network.code.class_name and int(line) in owners:
                return owners[int(line)]
    return None


def layer_calls(network: Network, samples: dict[str, torch.Tensor]) -> dict[str, tuple]:
    """Each layer's (args, kwargs) when the network runs on `samples`, by node id."""
    calls: dict[str, tuple] = {}
    hooks = []
    for attribute, node_id in layer_owners(network).items():

        def record(layer, args, kwargs, node_id=node_id):
            calls.setdefault(node_id, (args, kwargs))

        layer = getattr(network.module, attribute)
        hooks.append(layer.register_forward_pre_hook(record, with_kwargs=True))
    try:
        with torch.no_grad(), evaluating(network.module):
            network.module(**samples)
    finally:
        for hook in hooks:
            hook.remove()
    return calls


def first_failing_layer(
    network: Network, samples: dict[str, torch.Tensor], attempt: Attempt
) -> tuple[str, BaseException] | None:
    """Try `attempt` on each layer alone, on the inputs it gets in the network, in forward's
    order; the first that raises, with its error."""
    calls = layer_calls(network, samples)
    owners = {node_id: attribute for attribute, node_id in layer_owners(network).items()}
    for node_id in network.report.order:
        if node_id not in calls:
            continue
        args, kwargs = calls[node_id]
        try:
            with evaluating(getattr(network.module, owners[node_id])) as layer:
                attempt(layer, args, kwargs)
        except Exception as error:
            return node_id, error
    return None


def reason(error: BaseException) -> str:
    """The root cause in one line, with the library line it points at when it names one."""
    root = chain(error)[0]
    text = str(root).strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = first.rstrip(":").rstrip() or type(root).__name__
    where = LIBRARY_LINE.search(text)
    if where and "<netdesigner:" not in where.group(1):
        first += f" (at {where.group(1).rsplit('/', 1)[-1]}:{where.group(2)})"
    return first[:400]


def blame(
    network: Network,
    error: BaseException,
    samples: dict[str, torch.Tensor],
    attempt: Attempt,
    extra: Iterable[str] = (),
) -> tuple[str | None, BaseException]:
    """The node to blame for `error` (None when no single layer fails on its own) and the
    error that says why: the layer's own, when trying it alone found it."""
    node_id = node_in([*extra, *evidence(error)], network)
    if node_id is not None:
        return node_id, error
    found = first_failing_layer(network, samples, attempt)
    return found if found is not None else (None, error)
