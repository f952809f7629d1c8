"""The layer an explanation looks at: Grad-CAM's convolution (the user's choice, else the
last one), or the embedding whose output stands for a sequence's tokens."""

from __future__ import annotations

import torch
from torch import nn

from designer.data import SetupError
from designer.training.setup import RunSetup


class ExplanationRefused(SetupError):
    """A method asked of a layer or a kind of data it cannot explain; the message says why
    and what would do."""


def output_shapes(model: nn.Module, x: torch.Tensor) -> dict[str, tuple[int, ...]]:
    """The shape (without the batch) each of the network's layers gives for `x`, by path."""
    shapes: dict[str, tuple[int, ...]] = {}

    def keeper(path: str):
        def keep(module, args, output) -> None:
            if isinstance(output, torch.Tensor):
                shapes[path] = tuple(output.shape[1:])

        return keep

    handles = [
        module.register_forward_hook(keeper(path)) for path, module in model.named_modules() if path
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def layer_path(setup: RunSetup, model: nn.Module, layer: str) -> tuple[str, str]:
    """The generated module's path and the kind of the layer a user named: a node's name or
    id, or a path inside a block ("block1.conv2")."""
    graph = setup.project.graph
    for node in graph.nodes():
        if layer in (node.name, node.id):
            path = setup.code.names.get(node.id)
            if path is None or path not in dict(model.named_modules()):
                raise ExplanationRefused(
                    f"{node.name!r} ({node.kind}) is not a layer of its own in the network "
                    "(it has no module whose output could be explained)",
                    "--layer",
                )
            return path, node.kind
    modules = dict(model.named_modules())
    if layer in modules and layer:
        return layer, type(modules[layer]).__name__
    raise ExplanationRefused(f"the network has no layer named {layer!r}", "--layer")


def gradcam_layer(
    setup: RunSetup, model: nn.Module, x: torch.Tensor, layer: str | None
) -> tuple[str, nn.Module]:
    """The path and module of the layer Grad-CAM weighs: `layer`, which must give feature
    maps (channels x height x width), else the last convolution of the network."""
    shapes = output_shapes(model, x)
    if layer is not None:
        path, kind = layer_path(setup, model, layer)
        shape = shapes.get(path, ())
        if len(shape) != 3:
            given = "x".join(map(str, shape)) or "no"
            raise ExplanationRefused(
                f"Grad-CAM weighs a convolution's feature maps (channels x height x width); "
                f"{layer!r} ({kind}) gives {given} values per sample: choose a convolution layer, "
                "or another method (ig, saliency, occlusion)",
                "--layer",
            )
        return path, model.get_submodule(path)
    modules = dict(model.named_modules())
    convolutions = [  # in the order they ran
        path
        for path, shape in shapes.items()
        if isinstance(modules[path], nn.Conv2d) and len(shape) == 3
    ]
    if not convolutions:
        raise ExplanationRefused(
            "Grad-CAM weighs a convolution's feature maps and the network has no 2-D "
            "convolution; use another method (ig, saliency, occlusion)",
            "--method",
        )
    return convolutions[-1], model.get_submodule(convolutions[-1])


def embedding_layer(model: nn.Module) -> nn.Module:
    """The first embedding: its output stands for the tokens, which have no gradient."""
    for module in model.modules():
        if isinstance(module, nn.Embedding):
            return module
    raise ExplanationRefused(
        "the samples are token ids but the network has no embedding layer to explain them at",
        "--method",
    )
