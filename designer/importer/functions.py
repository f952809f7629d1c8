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
from designer.importer.layers import adaptive_size, pool_layer, reshaped, scale_layer
from designer.importer.learned_tensors import class_token, expanded_token, position_embedding
from designer.importer.position_tables import sinusoidal_encoding
from designer.importer.selection import selected
from designer.importer.tuples import Chunks, Extremes, Pending, joined_states
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
        return call.become(Layer(kind, {"dim": call.dim(dim, call.source())}))

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


def attribute_tensor(node: fx.Node) -> torch.Tensor:
    """The tensor a get_attr node reads from the traced module."""
    owner, _, name = node.target.rpartition(".")
    return getattr(node.graph.owning_module.get_submodule(owner), name)


def learned_scale(call: Call, left: Any, right: Any) -> Mapped | None:
    """parameter * tensor (or tensor * parameter): a LayerScale holding that parameter; None
    when neither operand is a tensor read from the module."""
    reads = [isinstance(item, fx.Node) and item.op == "get_attr" for item in (left, right)]
    if reads.count(True) != 1:
        return None
    attribute, source = (left, right) if reads[0] else (right, left)
    weight = attribute_tensor(attribute)
    if not isinstance(weight, torch.nn.Parameter):
        raise Unsupported(
            f"multiplies by {attribute.target}, a tensor that is not learned; a LayerScale "
            "learns its factors"
        )
    return Mapped((source,), (scale_layer(weight, call.sample_of(source), attribute.target),))


def fixed_scale(left: Any, right: Any) -> Mapped | None:
    """tensor * number (either order): a Scale by that number; None for any other product."""
    for source, factor in ((left, right), (right, left)):
        number = isinstance(factor, int | float) and not isinstance(factor, bool)
        if number and isinstance(source, fx.Node):
            return Mapped((source,), (Layer("scale", {"factor": float(factor)}),))
    return None


def merge(kind: str, verb: str) -> Mapper:
    def mapper(call: Call) -> Mapped:
        if kind == "add" and (embedding := position_embedding(call)) is not None:
            return embedding
        if kind == "add" and (encoding := sinusoidal_encoding(call)) is not None:
            return encoding
        left, right = call.arg(0, "input"), call.arg(1, "other")
        scaled = learned_scale(call, left, right) if kind == "multiply" else None
        if scaled is not None:
            return scaled
        if kind == "multiply" and (fixed := fixed_scale(left, right)) is not None:
            return fixed
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
    if not isinstance(tensors, list | tuple) or not tensors:
        raise Unsupported("joins no list of tensors; Concatenate joins one or more")
    states = joined_states(
        [call.value_of(tensor) for tensor in tensors], call.arg(1, "dim", 0), call.node
    )
    if states is not None:
        return states
    dim = call.dim(call.arg(1, "dim", 0), tensors[0])
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
    if call.node.target in ("movedim", "moveaxis", torch.movedim, torch.moveaxis):
        return moved(call, rank)
    if call.node.target in ("permute", torch.permute):
        dims = call.node.args[1:] or call.node.kwargs.get("dims")
        if len(dims) == 1 and isinstance(dims[0], list | tuple):
            dims = dims[0]
        return [dim % rank for dim in dims]
    order = list(range(rank))
    first, second = call.arg(1, "dim0") % rank, call.arg(2, "dim1") % rank
    order[first], order[second] = order[second], order[first]
    return order


def moved(call: Call, rank: int) -> list[int]:
    """The order of dims after movedim(source, destination), as a permutation."""
    sources, destinations = call.arg(1, "source"), call.arg(2, "destination")
    sources = [sources] if isinstance(sources, int) else list(sources)
    destinations = [destinations] if isinstance(destinations, int) else list(destinations)
    sources = [dim % rank for dim in sources]
    destinations = [dim % rank for dim in destinations]
    rest = iter(dim for dim in range(rank) if dim not in sources)
    placed = dict(zip(destinations, sources, strict=True))
    return [placed[place] if place in placed else next(rest) for place in range(rank)]


@maps(torch.permute, torch.transpose, torch.swapaxes, torch.swapdims, torch.movedim)
@maps(torch.moveaxis, "permute", "transpose", "swapaxes", "swapdims", "movedim", "moveaxis")
def permute(call: Call) -> Mapped:
    order = permutation(call)
    if order[0] != 0:
        raise Unsupported("moves the batch dim; NetDesigner layers keep the batch first")
    if order == sorted(order):
        return Mapped((call.source(),))
    return call.become(Layer("permute", {"dims": tuple(dim - 1 for dim in order[1:])}))


maps("expand")(expanded_token)
maps(torch.select, "select")(selected)


@maps(torch.chunk, "chunk")
def chunk(call: Call) -> Chunks:
    source = call.source()
    dim = call.dim(call.arg(2, "dim", 0), source)
    return Chunks(call.where, source, call.arg(1, "chunks"), dim, call.sample_of(source).shape[dim])


@maps(torch.split, "split")
def split(call: Call) -> Chunks:
    """split(size): pieces of `size`, the last smaller; torch.chunk cuts the same pieces when
    its count of them gives that size."""
    source, size = call.source(), call.arg(1, "split_size_or_sections")
    dim = call.dim(call.arg(2, "dim", 0), source)
    length = call.sample_of(source).shape[dim]
    chunks = -(-length // size) if isinstance(size, int) and size > 0 else 0
    if not chunks or -(-length // chunks) != size:
        raise Unsupported(
            f"splits {length} into pieces of {size!r}; a Chunk cuts pieces as torch.chunk does"
        )
    return Chunks(call.where, source, chunks, dim, length)


@maps(torch.channel_shuffle, torch.native_channel_shuffle)
def channel_shuffle(call: Call) -> Mapped:
    return call.become(Layer("channel_shuffle", {"groups": call.arg(1, "groups")}))


NORM_ARGUMENTS = ("normalized_shape", "weight", "bias")


def norm_owner(weight: Any, bias: Any) -> str:
    """The path of the module whose own `weight` and `bias` these are (read with get_attr)."""
    reads = [
        item.target.rpartition(".") if isinstance(item, fx.Node) and item.op == "get_attr" else None
        for item in (weight, bias)
    ]
    if None in reads or [name for _, _, name in reads] != ["weight", "bias"]:
        raise Unsupported(
            "normalizes without a weight and a bias; the catalog's LayerNorm has both"
        )
    path = reads[0][0]
    if not path or reads[1][0] != path:
        raise Unsupported("normalizes with a weight and a bias that are not one module's")
    return path


@maps(F.layer_norm)
def layer_norm(call: Call) -> Mapped:
    """F.layer_norm with a module's own weight and bias (as torchvision's LayerNorm2d calls it
    between two permutes): a LayerNorm holding that module's weights."""
    shape, weight, bias = (call.arg(index, name) for index, name in enumerate(NORM_ARGUMENTS, 1))
    path = norm_owner(weight, bias)
    last = call.sample_of(call.source()).shape[-1:]
    if tuple(shape) != last:
        raise Unsupported(
            f"normalizes over the last {len(shape)} dims; the catalog's LayerNorm normalizes one"
        )
    return call.become(Layer("layernorm", {"eps": call.arg(4, "eps", 1e-5)}, path))


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
