"""The layer catalog: one declarative spec per layer kind, free of Qt and of the app."""

from nodes import catalog
from nodes.params import ParamError, ParamSpec
from nodes.problems import Fix, FixAction, Problem
from nodes.registry import REGISTRY, UnknownKindError
from nodes.spec import ForwardContext, LayerSpec, PortSpec, Role
from nodes.tensor import TensorInfo

__all__ = [
    "REGISTRY",
    "Fix",
    "FixAction",
    "ForwardContext",
    "LayerSpec",
    "ParamError",
    "ParamSpec",
    "PortSpec",
    "Problem",
    "Role",
    "TensorInfo",
    "UnknownKindError",
    "catalog",
]
