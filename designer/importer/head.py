"""A classifier's head: the Dense layer that feeds the Output node, and resizing it for
another number of classes, which leaves its published weights out of the start weights
(they no longer fit) and makes it trainable."""

from __future__ import annotations

import copy
from typing import Any

from designer.importer.errors import ImportProblem
from designer.importer.weights import layer_attributes
from designer.model import GraphDocument
from nodes import Role

MAX_CLASSES = 1_000_000  # a Dense layer's most units


def head_node(doc: GraphDocument) -> str:
    """The Dense layer that feeds the Output node: the classifier to size for new classes."""
    outputs = [node for node in doc.nodes() if node.spec.role == Role.OUTPUT]
    if len(outputs) == 1 and doc.in_edges(outputs[0].id):
        source = doc.node(doc.in_edges(outputs[0].id)[0].source)
        if source.kind == "dense":
            return source.id
    raise ImportProblem("head", "the network does not end in one Dense layer to resize")


def replace_head(
    doc: GraphDocument, training: dict[str, Any], head: str, classes: int
) -> dict[str, Any]:
    """Give the Dense layer `head` `classes` outputs; returns the training section to go
    with it: its tensors left out of the start weights, and it no longer frozen."""
    if doc.node(head).kind != "dense":
        raise ImportProblem(doc.node(head).name, "only a Dense layer can be the new head")
    if not 1 <= classes <= MAX_CLASSES:
        raise ImportProblem("classes", f"must be from 1 to {MAX_CLASSES:,}, got {classes}")
    doc.set_param(head, "units", classes)
    training = copy.deepcopy(training)
    start = training.get("start_weights")
    if isinstance(start, dict) and isinstance(start.get("keys"), dict):
        prefix = layer_attributes(doc)[head] + "."
        keys = start["keys"].items()
        start["keys"] = {ours: theirs for ours, theirs in keys if not ours.startswith(prefix)}
    if isinstance(training.get("freeze"), list):
        training["freeze"] = [node for node in training["freeze"] if node != head]
    return training
