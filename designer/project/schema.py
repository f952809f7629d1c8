"""The JSON schema of a project file's structure (param values are checked by the catalog)."""

from __future__ import annotations

from designer.model.graph import FLOWS
from designer.project.wire_counts import MAX_WIRES

MAX_TEXT = 10_000
COORDINATE = {"type": "number", "minimum": -1e9, "maximum": 1e9}
IDENTIFIER = {"type": "string", "minLength": 1, "maxLength": 200}

NODE = {
    "type": "object",
    "required": ["id", "kind"],
    "additionalProperties": False,
    "properties": {
        "id": IDENTIFIER,
        "kind": IDENTIFIER,
        "name": {"type": "string", "maxLength": 1000},
        "params": {"type": "object"},
        "position": {"type": "array", "items": COORDINATE, "minItems": 2, "maxItems": 2},
    },
}

EDGE = {
    "type": "object",
    "required": ["source", "target"],
    "additionalProperties": False,
    "properties": {
        "id": IDENTIFIER,
        "source": IDENTIFIER,
        "source_port": IDENTIFIER,
        "target": IDENTIFIER,
        "target_port": IDENTIFIER,
    },
}

PARAM_TARGET = {
    "type": "array",
    "prefixItems": [IDENTIFIER, IDENTIFIER],
    "items": False,
    "minItems": 2,
}

GRAPH = {
    "type": "object",
    "required": ["nodes", "edges"],
    "additionalProperties": False,
    "properties": {
        "nodes": {"type": "array", "items": NODE, "maxItems": 100_000},
        "edges": {"type": "array", "items": EDGE, "maxItems": MAX_WIRES},
        "flow": {"enum": list(FLOWS)},
    },
}

BLOCK = {
    "type": "object",
    "required": ["name", "graph"],
    "additionalProperties": False,
    "properties": {
        "name": IDENTIFIER,
        "description": {"type": "string", "maxLength": MAX_TEXT},
        "graph": GRAPH,
        "params": {
            "type": "array",
            "maxItems": 1000,
            "items": {
                "type": "object",
                "required": ["name", "targets", "default"],
                "additionalProperties": False,
                "properties": {
                    "name": IDENTIFIER,
                    "targets": {"type": "array", "items": PARAM_TARGET, "minItems": 1},
                    "default": {},
                },
            },
        },
    },
}

NUMBER = {"type": "number"}
SWEPT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "node": IDENTIFIER,
        "param": IDENTIFIER,
        "training": IDENTIFIER,
        "choices": {"type": "array", "minItems": 1, "maxItems": 10_000},
        "low": NUMBER,
        "high": NUMBER,
        "log": {"type": "boolean"},
        "step": NUMBER,
    },
}

SWEEP = {
    "type": "object",
    "required": ["params"],
    "additionalProperties": False,
    "properties": {
        "sampler": {"enum": ["tpe", "random", "grid"]},
        "pruner": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "name": {"enum": ["median", "hyperband", "none"]},
                "startup_trials": {"type": "integer", "minimum": 0},
                "warmup_epochs": {"type": "integer", "minimum": 0},
            },
        },
        "params": {"type": "array", "items": SWEPT, "minItems": 1, "maxItems": 1000},
    },
}

PROJECT = {
    "type": "object",
    "required": ["format_version", "graph"],
    "additionalProperties": False,
    "properties": {
        "format_version": {"type": "integer"},
        "name": {"type": "string", "maxLength": 1000},
        "description": {"type": "string", "maxLength": MAX_TEXT},
        "graph": GRAPH,
        "dataset": {"type": "object"},
        "training": {"type": "object"},
        "blocks": {"type": "array", "items": BLOCK, "maxItems": 10_000},
        "sweep": SWEEP,
    },
}
