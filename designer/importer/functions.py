"""Function and tensor-method calls back to catalog layers: activations, merges, reductions,
reshapes and pooling written in forward rather than as modules."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx

from designer.importer.calls import Call, Layer, Mapped, TensorShape, per_sample_dim
from designer.importer.errors import Unsupported
from designer.importer.layers import adaptive_size, pool_layer, reshaped
from designer.importer.learned_tensors import class_token, expanded_token, position_embedding
from designer.importer.selection import selected
from designer.importer.tuples import Extremes, Pending, joined_states
from nodes import TensorInfo
from nodes.checks import broadcast_shape

Mapper = Callable[[Call], Mapped | Pending]
FUNCTIONS: dict[Callable, Mapper] = {}
METHODS: dict[str, Mapper] = {}


def maps(*targets: Callable | str) -> Callable[[Mapper], Mapper]:
    """Register a mapper for functions (by object) and tensor methods (by name)."""

    def register(mapper: Mapper) -> Mapper:
        for target in targets:
            if isinstance(target, str):
                METHODS[target] = mapper
            else:
                FUNCTIONS[target] = mapper
        return mapper

    return register


def function_mapper(node: fx.Node) -> Mapper | None:
    if node.op == "call_method":
        return METHODS.get(node.target)
    return FUNCTIONS.get(node.target)


def no_dtype(call: Call) -> None:
    if call.node.kwargs.get("dtype") is not None:
        raise Unsupported("casts with dtype=; NetDesigner layers keep float32")


# -- activations -----------------------------------------------------------------------------


def plain(kind: str) -> Mapper:
    def mapper(call: Call) -> Mapped:
        call.check_inplace(call.arg(1, "inplace", False) is True)
        return call.become(Layer(kind))

    return mapper


maps(torch.relu, F.relu, "relu")(plain("relu"))
maps(torch.sigmoid, F.sigmoid, "sigmoid")(plain("sigmoid"))
maps(torch.tanh, F.tanh, "tanh")(plain("tanh"))
maps(F.relu6)(plain("relu6"))
maps(F.silu)(plain("silu"))
maps(F.hardswish)(plain("hardswish"))
maps(F.hardsigmoid)(plain("hardsigmoid"))


@maps(F.leaky_relu)
def leaky_relu(call: Call) -> Mapped:
    call.check_inplace(call.arg(2, "inplace", False) is True)
    return call.become(Layer("leaky_relu", {"negative_slope": call.arg(1, "negative_slope", 0.01)}))


@maps(F.elu)
def elu(call: Call) -> Mapped:
    call.check_inplace(call.arg(2, "inplace", False) is True)
    return call.become(Layer("elu", {"alpha": call.arg(1, "alpha", 1.0)}))


@maps(F.gelu)
def gelu(call: Call) -> Mapped:
    return call.become(Layer("gelu", {"approximate": call.arg(1, "approximate", "none")}))


def softmax(kind: str) -> Mapper:
    def mapper(call: Call) -> Mapped:
        no_dtype(call)
        dim = call.arg(1, "dim")
        if dim is None:
            raise Unsupported("has no dim (torch's implicit choice is deprecated); give dim")
        return call.become(Layer(kind, {"dim": per_sample_dim(dim, call.rank(call.source()))}))

    return mapper


maps(F.softmax, torch.softmax, "softmax")(softmax("softmax"))
maps(F.log_softmax, torch.log_softmax, "log_softmax")(softmax("log_softmax"))


@maps(F.dropout)
def dropout(call: Call) -> Mapped:
    call.check_inplace(call.arg(3, "inplace", False) is True)
    note = "F.dropout becomes a Dropout layer, which drops only in training mode"
    return call.become(Layer("dropout", {"p": call.arg(1, "p", 0.5)}), notes=(note,))


# -- merges ----------------------------------------------------------------------------------


BROADCASTING = {"multiply": "equal ranks and each size equal to the other's or 1"}


def broadcasts(kind: str, shapes: list[TensorShape]) -> bool:
    """Whether the catalog's `kind` takes tensors of these per-sample shapes as torch does."""
    infos = tuple(TensorInfo(shape.shape) for shape in shapes)
    return kind in BROADCASTING and broadcast_shape(infos) is not None


def merge(kind: str, verb: str) -> Mapper:
    def mapper(call: Call) -> Mapped:
        if kind == "add" and (embedding := position_embedding(call)) is not None:
            return embedding
        left, right = call.arg(0, "input"), call.arg(1, "other")
        if call.node.kwargs.get("alpha", 1) != 1:
            raise Unsupported("scales its second operand (alpha); Add adds as they are")
        for operand in (left, right):
            if not isinstance(operand, fx.Node):
                raise Unsupported(
                    f"{verb} the constant {operand!r}; {kind.title()} joins two tensors"
                )
        shapes = [call.sample_of(operand) for operand in (left, right)]
        if shapes[0].shape != shapes[1].shape and not broadcasts(kind, shapes):
            sizes = " and ".join("x".join(map(str, item.shape)) for item in shapes)
            needs = BROADCASTING.get(kind, "equal shapes")
            raise Unsupported(
                f"{verb} tensors of shapes {sizes} (broadcasting); {kind.title()} needs {needs}"
            )
        return Mapped((left, right), (Layer(kind),))

    return mapper


maps(operator.add, torch.add, "add")(merge("add", "adds"))
maps(operator.mul, torch.mul, "mul")(merge("multiply", "multiplies"))


@maps(torch.cat, torch.concat, torch.concatenate)
def concatenate(call: Call) -> Mapped:
    tensors = call.arg(0, "tensors")
    if isinstance(tensors, list | tuple) and (token := class_token(call, tensors)) is not None:
        return token
    if not isinstance(tensors, list | tuple) or len(tensors) < 2:
        raise Unsupported("joins fewer than two tensors; Concatenate joins two or more")
    states = joined_states(
        [call.value_of(tensor) for tensor in tensors], call.arg(1, "dim", 0), call.node
    )
    if states is not None:
        return states
    dim = per_sample_dim(call.arg(1, "dim", 0), call.rank(tensors[0]))
    return Mapped(tuple(tensors), (Layer("concatenate", {"dim": dim}),))


# -- reductions ------------------------------------------------------------------------------


def reduce_layers(call: Call, op: str, dims: Any, keepdim: bool) -> tuple[Layer, ...]:
    """One Reduce per dim (the highest first, so that lower dims keep their place), then a
    Reshape that puts kept dims back."""
    if dims is None or dims == () or dims == []:
        raise Unsupported(
            "reduces over every dim, the batch included; NetDesigner works per sample"
        )
    shape = list(call.sample_of(call.source()).shape)
    rank = len(shape) + 1
    if isinstance(dims, int):
        dims = [dims]
        layers = [Layer("reduce", {"op": op, "dim": per_sample_dim(dims[0], rank)})]
    else:
        per_sample = {per_sample_dim(dim, rank) % (rank - 1) for dim in dims}
        layers = [
            Layer("reduce", {"op": op, "dim": dim}) for dim in sorted(per_sample, reverse=True)
        ]
    if keepdim:
        for dim in dims:
            shape[per_sample_dim(dim, rank) % (rank - 1)] = 1
        layers.append(Layer("reshape", {"shape": tuple(shape)}))
    return tuple(layers)


def reduction(op: str) -> Mapper:
    def mapper(call: Call) -> Mapped:
        no_dtype(call)
        dims, keepdim = call.arg(1, "dim"), call.arg(2, "keepdim", False)
        return call.become(*reduce_layers(call, op, dims, keepdim))

    return mapper


maps(torch.mean, "mean")(reduction("mean"))
maps(torch.sum, "sum")(reduction("sum"))
maps(torch.amax, "amax")(reduction("max"))


@maps(torch.max, "max")
def maximum(call: Call) -> Extremes:
    dim, keepdim = call.arg(1, "dim"), call.arg(2, "keepdim", False)
    if not isinstance(dim, int):
        raise Unsupported("takes the elementwise or overall maximum; only max over a dim maps")
    layers = reduce_layers(call, "max", dim, keepdim)
    return Extremes(call.where, source=call.source(), layers=layers)


# -- reshaping -------------------------------------------------------------------------------


@maps(torch.flatten, torch.reshape, torch.squeeze, torch.unsqueeze, torch.unflatten)
@maps("flatten", "reshape", "view", "squeeze", "unsqueeze", "unflatten", "contiguous")
def reshape(call: Call) -> Mapped:
    return reshaped(call, call.source())


def permutation(call: Call) -> list[int]:
    rank = call.rank(call.source())
    if call.node.target in ("permute", torch.permute):
        dims = call.node.args[1:] or call.node.kwargs.get("dims")
        if len(dims) == 1 and isinstance(dims[0], list | tuple):
            dims = dims[0]
        return [dim % rank for dim in dims]
    order = list(range(rank))
    first, second = call.arg(1, "dim0") % rank, call.arg(2, "dim1") % rank
    order[first], order[second] = order[second], order[first]
    return order


@maps(torch.permute, torch.transpose, torch.swapaxes, torch.swapdims)
@maps("permute", "transpose", "swapaxes", "swapdims")
def permute(call: Call) -> Mapped:
    order = permutation(call)
    if order[0] != 0:
        raise Unsupported("moves the batch dim; NetDesigner layers keep the batch first")
    if order == sorted(order):
        return Mapped((call.source(),))
    return call.become(Layer("permute", {"dims": tuple(dim - 1 for dim in order[1:])}))


maps("expand")(expanded_token)
maps(torch.select, "select")(selected)


# -- pooling ---------------------------------------------------------------------------------

MISSING = object()
MAX_POOL = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
AVG_POOL = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad")


def pooling(kind: str, names: tuple[str, ...]) -> Mapper:
    def mapper(call: Call) -> Mapped:
        options = {name: call.arg(index, name, MISSING) for index, name in enumerate(names, 1)}
        options = {name: value for name, value in options.items() if value is not MISSING}
        return call.become(pool_layer(kind, options, None))

    return mapper


maps(F.max_pool1d)(pooling("maxpool1d", MAX_POOL))
maps(F.max_pool2d)(pooling("maxpool2d", MAX_POOL))
maps(F.avg_pool1d)(pooling("avgpool1d", AVG_POOL))
maps(F.avg_pool2d)(pooling("avgpool2d", (*AVG_POOL, "divisor_override")))


@maps(F.adaptive_avg_pool2d)
def adaptive_pool(call: Call) -> Mapped:
    size = adaptive_size(call.arg(1, "output_size"))
    return call.become(Layer("adaptive_avgpool2d", {"output_size": size}))
