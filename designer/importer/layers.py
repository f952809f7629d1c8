"""torch.nn modules back to catalog layers: each kind's module, with params read from it."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import fx, nn

from designer.importer.calls import (
    BATCH_AT_FIRST,
    BATCH_AT_SECOND,
    BATCH_FIRST,
    BATCH_MERGED,
    Call,
    Layer,
    Mapped,
    TensorShape,
    square,
)
from designer.importer.errors import Unsupported
from designer.importer.helper_classes import helper_kind
from designer.importer.masks import MASK_ARGUMENTS, causal
from designer.importer.tuples import Attention, Pending, Recurrent
from nodes import REGISTRY

Mapper = Callable[[Call], Mapped | Pending]
MODULES: dict[type[nn.Module], Mapper] = {}


def maps(*classes: type[nn.Module]) -> Callable[[Mapper], Mapper]:
    def register(mapper: Mapper) -> Mapper:
        for cls in classes:
            MODULES[cls] = mapper
        return mapper

    return register


def kind_of(module: nn.Module, kinds: dict[type[nn.Module], str]) -> str:
    """The catalog kind of the module's class or of the torch class it extends."""
    return next(kinds[cls] for cls in type(module).__mro__ if cls in kinds)


# Classes of other libraries, by module and name (so that they need not be imported here).
NAMED: dict[str, Mapper] = {}
# The catalog kinds whose classes the generated code defines itself (see helper_classes).
HELPERS: dict[str, Mapper] = {}


def module_mapper(module: nn.Module) -> Mapper | None:
    """The mapper of the module's class, or of the torch class it extends without changing
    forward, or of the library class or catalog helper class it is; None when there is none."""
    cls = type(module)
    for each in cls.__mro__:
        if each in MODULES:
            return MODULES[each] if cls.forward is each.forward else None
    named = NAMED.get(f"{cls.__module__}.{cls.__qualname__}")
    if named is not None:
        return named
    kind = helper_kind(cls)
    return HELPERS.get(kind) if kind is not None else None


# -- activations -----------------------------------------------------------------------------

SIMPLE = {
    nn.ReLU: "relu",
    nn.Sigmoid: "sigmoid",
    nn.Tanh: "tanh",
    nn.Identity: "identity",
    nn.ReLU6: "relu6",
    nn.SiLU: "silu",
    nn.Hardswish: "hardswish",
    nn.Hardsigmoid: "hardsigmoid",
}


@maps(*SIMPLE)
def simple(call: Call) -> Mapped:
    call.check_inplace(getattr(call.module, "inplace", False))
    return call.become(call.layer(kind_of(call.module, SIMPLE)))


@maps(nn.LeakyReLU)
def leaky_relu(call: Call) -> Mapped:
    call.check_inplace(call.module.inplace)
    return call.become(call.layer("leaky_relu", negative_slope=call.module.negative_slope))


@maps(nn.ELU)
def elu(call: Call) -> Mapped:
    call.check_inplace(call.module.inplace)
    return call.become(call.layer("elu", alpha=call.module.alpha))


@maps(nn.GELU)
def gelu(call: Call) -> Mapped:
    return call.become(call.layer("gelu", approximate=call.module.approximate))


@maps(nn.Softmax, nn.LogSoftmax)
def softmax(call: Call) -> Mapped:
    kind = "softmax" if isinstance(call.module, nn.Softmax) else "log_softmax"
    if call.module.dim is None:
        raise Unsupported("has no dim (torch's implicit choice is deprecated); give dim")
    dim = call.dim(call.module.dim, call.source())
    return call.become(call.layer(kind, dim=dim))


# -- core ------------------------------------------------------------------------------------


@maps(nn.Linear)
def linear(call: Call) -> Mapped:
    module = call.module
    params = {"units": module.out_features, "bias": module.bias is not None}
    if len(call.sample_of(call.source()).shape) > 2:  # a channels-last image (ConvNeXt)
        params["per_position"] = True
    return call.become(call.layer("dense", **params))


@maps(nn.Embedding)
def embedding(call: Call) -> Mapped:
    module = call.module
    if module.max_norm is not None:
        raise Unsupported("renormalizes with max_norm; the catalog's Embedding does not")
    notes = []
    if module.padding_idx is not None:
        notes.append(
            f"padding_idx={module.padding_idx} is not kept: outputs are the same, but training "
            "will update that row"
        )
    if module.scale_grad_by_freq or module.sparse:
        notes.append("scale_grad_by_freq and sparse gradients are not kept")
    layer = call.layer("embedding", vocab_size=module.num_embeddings, dim=module.embedding_dim)
    return call.become(layer, notes=tuple(notes))


@maps(nn.Dropout)
def dropout(call: Call) -> Mapped:
    call.check_inplace(call.module.inplace)
    return call.become(call.layer("dropout", p=call.module.p))


def stochastic_depth(call: Call) -> Mapped:
    module = call.module
    return call.become(call.layer("stochastic_depth", p=float(module.p), mode=module.mode))


NAMED["torchvision.ops.stochastic_depth.StochasticDepth"] = stochastic_depth
HELPERS["stochastic_depth"] = stochastic_depth


def layer_scale(call: Call) -> Mapped:
    """The catalog's own LayerScale, in the code it generated."""
    source = call.single_input()
    return call.become(scale_layer(call.module.weight, call.sample_of(source), call.path))


HELPERS["layer_scale"] = layer_scale


def shortest_float(value: float) -> float:
    """The float32 `value` as the shortest decimal that gives it back (1e-06, not
    9.999999974752427e-07): the factor a layer scale was made with."""
    exact = torch.tensor(value, dtype=torch.float32)
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if torch.tensor(float(text), dtype=torch.float32) == exact:
            return float(text)
    return value


def scale_layer(weight: torch.Tensor, sample: TensorShape, path: str | None) -> Layer:
    """A learned tensor that multiplies a tensor of per-sample shape `sample` as a layer
    scale: a size of one dim of the sample, then ones (channels x 1 x 1 for an image)."""
    shape, rank = tuple(weight.shape), len(sample.shape)
    dim = rank - len(shape)
    fits = (
        weight.is_floating_point()
        and 0 < len(shape) <= rank
        and shape[0] == sample.shape[dim]
        and all(size == 1 for size in shape[1:])
    )
    if not fits:
        sizes = "x".join(map(str, shape)) or "a scalar"
        wanted = "x".join(map(str, sample.shape))
        raise Unsupported(
            f"multiplies by a learned tensor of shape {sizes}; a LayerScale on {wanted} holds "
            "the size of one dim followed by ones (channels x 1 x 1)"
        )
    flat = weight.detach().flatten()
    if bool((flat == flat[0]).all()):
        init = shortest_float(float(flat[0]))
    else:  # trained factors: the weights carry them, and a new network starts as the catalog's
        init = REGISTRY.get("layer_scale").param("init").default
    return Layer("layer_scale", {"dim": -1 if dim == rank - 1 else dim, "init": init}, path)


# -- convolution and pooling -----------------------------------------------------------------

CONVOLUTIONS = {nn.Conv1d: "conv1d", nn.Conv2d: "conv2d", nn.ConvTranspose2d: "conv_transpose2d"}


def per_side(value: int | tuple[int, ...], what: str, spatial: int) -> int | tuple[int, ...]:
    """A size the catalog's layer takes per side in 2-D; one size (square) in 1-D."""
    if spatial == 1:
        return square(value, what)
    return tuple(value) if isinstance(value, tuple | list) else value


def conv_padding(
    padding: str | tuple[int, ...], kernel: tuple[int, ...], dilation: int
) -> int | tuple[int, ...]:
    if padding == "valid":
        return 0
    if padding == "same":
        if any(dilation * (side - 1) % 2 for side in kernel):
            raise Unsupported("pads 'same' unevenly (even kernel); the catalog pads evenly")
        return tuple(dilation * (side - 1) // 2 for side in kernel)
    return padding


@maps(*CONVOLUTIONS)
def convolution(call: Call) -> Mapped:
    module = call.module
    if module.padding_mode != "zeros":
        raise Unsupported(f"pads with {module.padding_mode!r}; the catalog's layer pads with zeros")
    spatial = len(module.kernel_size)
    dilation = square(module.dilation, "dilation")
    padding = conv_padding(module.padding, module.kernel_size, dilation)
    params = {
        "filters": module.out_channels,
        "kernel_size": per_side(module.kernel_size, "kernel_size", spatial),
        "stride": per_side(module.stride, "stride", spatial),
        "padding": per_side(padding, "padding", spatial),
        "dilation": dilation,
        "groups": module.groups,
        "bias": module.bias is not None,
    }
    if isinstance(module, nn.ConvTranspose2d):
        params["output_padding"] = square(module.output_padding, "output_padding")
    return call.become(call.layer(kind_of(module, CONVOLUTIONS), **params))


POOLS = {
    nn.MaxPool1d: "maxpool1d",
    nn.MaxPool2d: "maxpool2d",
    nn.AvgPool1d: "avgpool1d",
    nn.AvgPool2d: "avgpool2d",
}


def pool_layer(kind: str, options: dict, path: str | None) -> Layer:
    """A pooling layer from torch's options (module attributes or function arguments)."""
    refused = {
        "dilation": 1,
        "return_indices": False,
        "count_include_pad": True,
        "divisor_override": None,
    }
    for name, default in refused.items():
        if name in options and options[name] not in (default, (default,), (default, default)):
            raise Unsupported(f"uses {name}={options[name]!r}; the catalog's layer has no {name}")
    spatial = 1 if kind.endswith("1d") else 2
    kernel = per_side(options["kernel_size"], "kernel_size", spatial)
    stride = options.get("stride")
    stride = kernel if stride is None or stride == () else per_side(stride, "stride", spatial)
    params = {
        "kernel_size": kernel,
        "stride": stride,
        "padding": per_side(options.get("padding", 0), "padding", spatial),
        "ceil_mode": bool(options.get("ceil_mode", False)),
    }
    return Layer(kind, params, path)


@maps(*POOLS)
def pool(call: Call) -> Mapped:
    module = call.module
    names = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
    names += ("count_include_pad", "divisor_override")
    options = {name: getattr(module, name) for name in names if hasattr(module, name)}
    return call.become(pool_layer(kind_of(module, POOLS), options, call.path))


def adaptive_size(size: int | tuple | None) -> int:
    if size is None or (isinstance(size, tuple) and None in size):
        raise Unsupported("keeps a side's size (None); the catalog's layer sets both sides")
    return square(size, "output_size")


@maps(nn.AdaptiveAvgPool2d)
def adaptive_pool(call: Call) -> Mapped:
    size = adaptive_size(call.module.output_size)
    return call.become(call.layer("adaptive_avgpool2d", output_size=size))


# -- normalization ---------------------------------------------------------------------------


@maps(nn.BatchNorm1d, nn.BatchNorm2d)
def batchnorm(call: Call) -> Mapped:
    module = call.module
    if not module.affine or not module.track_running_stats:
        raise Unsupported("has affine=False or track_running_stats=False; the catalog's has both")
    if module.momentum is None:
        raise Unsupported("uses a cumulative average (momentum=None); the catalog's has a momentum")
    kind = "batchnorm1d" if isinstance(module, nn.BatchNorm1d) else "batchnorm2d"
    return call.become(call.layer(kind, eps=module.eps, momentum=module.momentum))


def layernorm_layer(module: nn.Module, path: str) -> Layer:
    if type(module) is not nn.LayerNorm:
        raise Unsupported(f"{path} is a {type(module).__name__}, not a LayerNorm")
    if len(module.normalized_shape) != 1:
        raise Unsupported(
            f"normalizes over {len(module.normalized_shape)} dims; the catalog's LayerNorm "
            "normalizes the last one"
        )
    if not module.elementwise_affine or module.bias is None:
        raise Unsupported("has no learned scale or bias; the catalog's LayerNorm has both")
    return Layer("layernorm", {"eps": module.eps}, path)


@maps(nn.LayerNorm)
def layernorm(call: Call) -> Mapped:
    return call.become(layernorm_layer(call.module, call.path))


# -- reshaping -------------------------------------------------------------------------------


def reshaped(call: Call, source: fx.Node, path: str | None = None) -> Mapped:
    """A call that only changes the per-sample shape: Flatten when the result is one vector,
    else Reshape to the shape the module made; nothing when the shape does not change."""
    given, made = call.sample_of(source), call.output
    before, after = given.shape, made.shape
    if given.batch_at != BATCH_AT_FIRST or made.batch_at != BATCH_AT_FIRST:
        return sequence_first_reshaped(call, source, given, made)
    if after == before and path is None:
        return Mapped((source,))
    if len(after) == 1:
        return Mapped((source,), (Layer("flatten", {}, path),))
    return Mapped((source,), (Layer("reshape", {"shape": after}, path),))


def sequence_first_reshaped(
    call: Call, source: fx.Node, given: TensorShape, made: TensorShape
) -> Mapped:
    """A reshape of a sequence-first tensor: merging the sequence and batch dims into one
    (view(-1, n)) keeps each sample's positions in order, so the graph keeps the tensor as it
    was; a reshape that keeps the sequence dim and the batch second is one per sample."""
    merged = given.batch_at == BATCH_AT_SECOND and made.batch_at == BATCH_MERGED
    if merged and made.shape == given.shape:
        return Mapped((source,))
    if given.batch_at == made.batch_at == BATCH_AT_SECOND and made.shape[0] == given.shape[0]:
        return Mapped((source,), (Layer("reshape", {"shape": made.shape}, call.path),))
    raise Unsupported(f"reshapes a sequence-first tensor across its batch; {BATCH_FIRST}")


@maps(nn.Flatten, nn.Unflatten)
def flatten(call: Call) -> Mapped:
    return reshaped(call, call.source(), call.path)


def permute_module(call: Call) -> Mapped:
    """torchvision's Permute module (ConvNeXt's blocks): torch.permute with its dims."""
    rank = call.rank(call.single_input())
    order = [dim % rank for dim in call.module.dims]
    if order[0] != 0:
        raise Unsupported(f"moves the batch dim; {BATCH_FIRST}")
    return call.become(call.layer("permute", dims=tuple(dim - 1 for dim in order[1:])))


NAMED["torchvision.ops.misc.Permute"] = permute_module


@maps(nn.ChannelShuffle)
def channel_shuffle(call: Call) -> Mapped:
    return call.become(call.layer("channel_shuffle", groups=call.module.groups))


# -- recurrent and attention -----------------------------------------------------------------

RECURRENT = {nn.RNN: "rnn", nn.LSTM: "lstm", nn.GRU: "gru"}


def check_layout(batch_first: bool, batch_at: str) -> None:
    """A layer with batch_first=False reads (sequence, batch, ...): the tensors of an import
    with sequence_first; one with batch_first=True reads those of any other."""
    if batch_at != (BATCH_AT_FIRST if batch_first else BATCH_AT_SECOND):
        raise Unsupported(
            f"has batch_first={batch_first} but gets its input with the batch {batch_at}; "
            "import with sequence_first (--sequence-first) for batch_first=False"
        )


@maps(*RECURRENT)
def recurrent(call: Call) -> Recurrent:
    module = call.module
    check_layout(module.batch_first, call.sample_of(call.single_input()).batch_at)
    if not module.bias or getattr(module, "proj_size", 0):
        raise Unsupported("has bias=False or proj_size; the catalog's layer has neither")
    params = {
        "hidden_size": module.hidden_size,
        "num_layers": module.num_layers,
        "bidirectional": module.bidirectional,
        "dropout": float(module.dropout),
    }
    if isinstance(module, nn.RNN):
        params["nonlinearity"] = module.nonlinearity
    return Recurrent(
        call.where,
        source=call.single_input(),
        layer=Layer(kind_of(module, RECURRENT), params, call.path),
        bidirectional=module.bidirectional,
        states=module.num_layers * (2 if module.bidirectional else 1),
        cell=isinstance(module, nn.LSTM),
    )


@maps(nn.MultiheadAttention)
def attention(call: Call) -> Attention:
    module = call.module
    query, key, value = (call.arg(i, name) for i, name in enumerate(("query", "key", "value")))
    if not (query is key and key is value):
        raise Unsupported("attends from one tensor to another; the catalog's is self-attention")
    masks = {"key_padding_mask": 3, "attn_mask": 5, "is_causal": 7}
    for name, index in masks.items():
        if call.arg(index, name) not in (None, False):
            raise Unsupported(f"is given {name}; the catalog's MultiheadAttention takes no masks")
    check_layout(module.batch_first, call.sample_of(query).batch_at)
    if not module._qkv_same_embed_dim or module.bias_k is not None or module.add_zero_attn:
        raise Unsupported("has kdim/vdim, add_bias_kv or add_zero_attn; the catalog's has none")
    params = {
        "num_heads": module.num_heads,
        "dropout": module.dropout,
        "bias": module.in_proj_bias is not None,
    }
    layer = Layer("multihead_attention", params, call.path)
    return Attention(call.where, source=query, layer=layer)


def activation_name(activation: object) -> str:
    if activation is F.relu or type(activation) is nn.ReLU:
        return "relu"
    if activation is F.gelu or (type(activation) is nn.GELU and activation.approximate == "none"):
        return "gelu"
    raise Unsupported(f"uses the activation {activation!r}; the catalog's has relu or gelu")


def encoder_layer(module: nn.Module, path: str, batch_at: str, is_causal: bool) -> Layer:
    if type(module) is not nn.TransformerEncoderLayer:
        raise Unsupported(f"{path} is a {type(module).__name__}, not a TransformerEncoderLayer")
    check_layout(module.self_attn.batch_first, batch_at)
    if module.norm1.eps != 1e-5 or module.linear1.bias is None:
        raise Unsupported(
            "has layer_norm_eps other than 1e-5 or bias=False; the catalog's layer has neither"
        )
    params = {
        "nhead": module.self_attn.num_heads,
        "dim_feedforward": module.linear1.out_features,
        "dropout": module.dropout.p,
        "activation": activation_name(module.activation),
        "norm_first": module.norm_first,
        "causal": is_causal,
    }
    return Layer("transformer_encoder_layer", params, path)


def encoder_call(call: Call) -> tuple[fx.Node, str, bool]:
    """An encoder (layer) call's source, where that holds its batch, and whether it is given
    the causal mask."""
    source = call.arg(0, "src")
    sample = call.sample_of(source)
    is_causal = causal(call, MASK_ARGUMENTS[type(call.module)], sample.shape[0])
    return source, sample.batch_at, is_causal


@maps(nn.TransformerEncoderLayer)
def transformer_layer(call: Call) -> Mapped:
    source, batch_at, is_causal = encoder_call(call)
    return Mapped((source,), (encoder_layer(call.module, call.path, batch_at, is_causal),))


@maps(nn.TransformerEncoder)
def transformer_encoder(call: Call) -> Mapped:
    """The stack becomes one layer node per encoder layer, then its LayerNorm if it has one."""
    module = call.module
    source, batch_at, is_causal = encoder_call(call)
    layers = [
        encoder_layer(layer, f"{call.path}.layers.{i}", batch_at, is_causal)
        for i, layer in enumerate(module.layers)
    ]
    if module.norm is not None:
        layers.append(layernorm_layer(module.norm, f"{call.path}.norm"))
    return Mapped((source,), tuple(layers))
