"""A classifier's head: its last Dense layer (or 1x1-style convolution, as SqueezeNet's)
before the Output node, and resizing it for another number of classes, which leaves its
published weights out of the start weights (they no longer fit) and makes it trainable."""

from __future__ import annotations

import copy
from typing import Any

from designer.importer.errors import ImportProblem
from designer.importer.weights import layer_attributes
from designer.model import GraphDocument
from nodes import Role

MAX_CLASSES = 1_000_000  # a Dense layer's most units
CLASS_PARAMS = {"dense": "units", "conv2d": "filters"}  # what gives a head its classes
# Layers that may stand between the head and the Output: they hold no weights to resize.
AFTER_HEAD = {"Activation", "Pooling", "Reshape"}


def head_node(doc: GraphDocument) -> str:
    """The layer whose outputs are the classes: the Dense layer (or convolution) that
    feeds the Output node, through layers without weights (activations, pooling,
    flattening, dropout)."""
    outputs = [node for node in doc.nodes() if node.spec.role == Role.OUTPUT]
    node = outputs[0] if len(outputs) == 1 else None
    while node is not None and len(doc.in_edges(node.id)) == 1:
        node = doc.node(doc.in_edges(node.id)[0].source)
        if node.kind in CLASS_PARAMS:
            return node.id
        if node.spec.category not in AFTER_HEAD and node.kind != "dropout":
            break
    raise ImportProblem(
        "head", "the network does not end in one Dense layer or convolution to resize"
    )


def class_param(doc: GraphDocument, head: str) -> str:
    """The param that gives the head's number of classes."""
    return CLASS_PARAMS[doc.node(head).kind]


def replace_head(
    doc: GraphDocument, training: dict[str, Any], head: str, classes: int
) -> dict[str, Any]:
    """Give the Dense layer `head` `classes` outputs; returns the training section to go
    with it: its tensors left out of the start weights, and it no longer frozen."""
    if doc.node(head).kind not in CLASS_PARAMS:
        raise ImportProblem(
            doc.node(head).name, "only a Dense layer or a convolution can be the new head"
        )
    if not 1 <= classes <= MAX_CLASSES:
        raise ImportProblem("classes", f"must be from 1 to {MAX_CLASSES:,}, got {classes}")
    doc.set_param(head, class_param(doc, head), classes)
    training = copy.deepcopy(training)
    start = training.get("start_weights")
    if isinstance(start, dict) and isinstance(start.get("keys"), dict):
        prefix = layer_attributes(doc)[head] + "."
        keys = start["keys"].items()
        start["keys"] = {ours: theirs for ours, theirs in keys if not ours.startswith(prefix)}
    if isinstance(training.get("freeze"), list):
        training["freeze"] = [node for node in training["freeze"] if node != head]
    return training
