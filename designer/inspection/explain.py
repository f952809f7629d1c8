"""Why a trained network answered as it did for one validation sample, with Captum:
Grad-CAM on a convolution's feature maps, integrated gradients, saliency and occlusion, as a
map over an image, a value per table column, or one per time step of a sequence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import (
    IntegratedGradients,
    LayerAttribution,
    LayerGradCam,
    LayerIntegratedGradients,
    Occlusion,
    Saliency,
)

from designer.inspection.columns import column_names
from designer.inspection.explained_layer import (
    ExplanationRefused,
    embedding_layer,
    gradcam_layer,
)
from designer.inspection.samples import samples_at
from designer.inspection.trained import TrainedNetwork
from designer.training.val_samples import for_the_eye

METHODS = {
    "gradcam": "Grad-CAM",
    "ig": "integrated gradients",
    "saliency": "saliency",
    "occlusion": "occlusion",
}
IG_STEPS = 32
PER_PASS = 32  # occluded copies of the sample through the network at once


@dataclass(frozen=True)
class Explanation:
    """How much each part of a sample made the network give its answer (`target`, a class,
    or None for its single value): `values` is a map (height x width) over an image, a value
    per table column or per time step (named by `labels`); positive values speak for the
    answer. `picture` is the image as seen (0..1), `layer` the one Grad-CAM weighed."""

    method: str
    data_kind: str
    values: np.ndarray
    labels: tuple[str, ...]
    target: int | None
    predicted: str
    true: str
    picture: np.ndarray | None = None
    layer: str | None = None

    def describe(self) -> str:
        at = f" at {self.layer}" if self.layer else ""
        return f"{METHODS[self.method]}{at} for the answer {self.predicted} (true: {self.true})"


def data_kind(trained: TrainedNetwork) -> str:
    """The kind of the samples, from their shape and type: "image", "table" or "sequence"."""
    data = trained.setup.data
    shape, dtype = data.sample_shape, data.train.x.dtype
    if len(shape) == 3:
        return "image"
    if len(shape) == 2 or (len(shape) == 1 and not dtype.is_floating_point):
        return "sequence"
    if len(shape) == 1:
        return "table"
    raise ExplanationRefused(
        f"samples of shape {'x'.join(map(str, shape))} are neither images, table rows nor "
        "sequences; there is no explanation for them",
        "--sample",
    )


def explain(
    trained: TrainedNetwork, sample: int, method: str = "gradcam", layer: str | None = None
) -> Explanation:
    """Explain the network's answer for validation sample number `sample` (from 0) with
    `method` (see METHODS); `layer` is Grad-CAM's (default: the last convolution)."""
    if method not in METHODS:
        raise ExplanationRefused(
            f"unknown method {method!r}; choose from {', '.join(METHODS)}", "--method"
        )
    if layer is not None and method != "gradcam":
        raise ExplanationRefused(
            f"only Grad-CAM weighs a layer; {METHODS[method]} explains the input", "--layer"
        )
    setup, model = trained.setup, trained.model
    part = setup.data.val
    if not 0 <= sample < len(part):
        raise ExplanationRefused(
            f"there are {len(part)} validation samples: choose one from 0 to {len(part) - 1}",
            "--sample",
        )
    kind = data_kind(trained)
    x, y = samples_at(part, np.array([sample]), setup.device)
    with torch.no_grad():
        output = model(x)
    target = answer_index(output)
    # A single value is output 0 of an (N, 1) answer; captum takes None for an (N,) one.
    output_index = target if target is not None or output.dim() != 2 else 0
    forward = answered(trained, output, target)
    attribution, layer_name = attribute(trained, forward, x, kind, method, layer, output_index)
    values = attribution.detach().float().cpu()[0]
    predicted, true = answer_words(trained, output, y, target)
    picture, labels = None, ()
    if kind == "image":
        values, picture = values.sum(0), for_the_eye(x.detach().float().cpu())[0]
    elif kind == "table":
        labels = column_names(setup.data)
    else:
        values = values.sum(-1) if values.dim() == 2 else values
        labels = tuple(f"t{step}" for step in range(1, len(values) + 1))
    return Explanation(
        method, kind, values.numpy(), labels, target, predicted, true, picture, layer_name
    )


def answered(trained: TrainedNetwork, output: torch.Tensor, target: int | None) -> Callable:
    """The function whose output is explained: the network, or for a two-class answer of one
    logit that says the first class (below 0), the negated network, so that what speaks for
    the answer is positive here too."""
    model = trained.model
    if target is None and trained.setup.data.class_names and output.flatten()[0] < 0:
        return lambda inputs: -model(inputs)
    return model


def attribute(
    trained: TrainedNetwork,
    forward: Callable,
    x: torch.Tensor,
    kind: str,
    method: str,
    layer: str | None,
    output_index: int | None,
) -> tuple[torch.Tensor, str | None]:
    """The attribution of `method` for sample `x`, shaped as `x` (a token sequence's: a
    value a token), and the path of the layer Grad-CAM weighed."""
    model = trained.model
    if method != "gradcam":
        if not x.dtype.is_floating_point:
            return token_attribution(trained, forward, x, output_index, method), None
        return input_attribution(forward, x, output_index, method), None
    if kind != "image":
        others = "ig, saliency or occlusion" if x.dtype.is_floating_point else "ig"
        raise ExplanationRefused(
            f"Grad-CAM weighs a convolution's feature maps over an image; these samples "
            f"are a {kind}: use {others}",
            "--method",
        )
    path, module = gradcam_layer(trained.setup, model, x, layer)
    attribution = LayerGradCam(forward, module).attribute(
        x, target=output_index, relu_attributions=True
    )
    return LayerAttribution.interpolate(attribution, x.shape[2:], "bilinear"), path


def answer_index(output: torch.Tensor) -> int | None:
    """The output explained: the class answered (its highest score), or None for a network
    that answers with one value; ExplanationRefused for other answers (whole images)."""
    if output.dim() == 2 and output.shape[1] > 1:
        return int(output[0].argmax())
    if output[0].numel() == 1:
        return None
    raise ExplanationRefused(
        f"the network answers with a {'x'.join(map(str, output.shape[1:]))} tensor; "
        "explanations need one score per class, or a single value",
        "--run",
    )


def input_attribution(
    forward: Callable, x: torch.Tensor, target: int | None, method: str
) -> torch.Tensor:
    x = x.clone().requires_grad_()
    if method == "ig":
        return IntegratedGradients(forward).attribute(
            x, baselines=torch.zeros_like(x), target=target, n_steps=IG_STEPS
        )
    if method == "saliency":
        return Saliency(forward).attribute(x, target=target, abs=True)
    window, strides = occlusion_window(x.shape[1:])
    return Occlusion(forward).attribute(
        x.detach(),
        sliding_window_shapes=window,
        strides=strides,
        baselines=0.0,
        target=target,
        perturbations_per_eval=PER_PASS,
    )


def occlusion_window(shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """What occlusion hides at a time: a square of an eighth of the image (all channels) moved
    by half its side, one column of a table, one time step of a sequence."""
    if len(shape) == 3:
        side = max(1, min(shape[1:]) // 8)
        return (shape[0], side, side), (shape[0], max(1, side // 2), max(1, side // 2))
    if len(shape) == 2:
        return (1, shape[1]), (1, shape[1])
    return (1,), (1,)


def token_attribution(
    trained: TrainedNetwork,
    forward: Callable,
    x: torch.Tensor,
    target: int | None,
    method: str,
) -> torch.Tensor:
    """Integrated gradients at the embedding's output, summed over its features (token
    ids have no gradient, and hiding a token has no neutral value)."""
    if method != "ig":
        raise ExplanationRefused(
            f"the samples are token ids, which {METHODS[method]} cannot vary; use ig "
            "(integrated gradients at the embedding)",
            "--method",
        )
    layer = embedding_layer(trained.model)
    attribution = LayerIntegratedGradients(forward, layer).attribute(
        x, baselines=torch.zeros_like(x), target=target, n_steps=IG_STEPS
    )
    return attribution.sum(-1)


def answer_words(
    trained: TrainedNetwork, output: torch.Tensor, y: torch.Tensor, target: int | None
) -> tuple[str, str]:
    """The network's answer and the true one, as class names or values."""
    data = trained.setup.data
    if target is not None and data.class_names:
        truth = y[0]
        true = data.class_names[int(truth)] if truth.dim() == 0 else "several classes"
        return data.class_names[target], true
    if target is not None:
        return f"output {target}", str(y[0].tolist())
    if data.class_names:  # one logit: the second class above 0
        answer = int(output.flatten()[0] > 0)
        return data.class_names[answer], data.class_names[int(y.flatten()[0])]
    value = output[:1].float()
    truth = y[:1].float().reshape(value.shape)
    if data.targets is not None:
        value, truth = data.targets.undo(value), data.targets.undo(truth)
    return f"{value.item():.4g}", f"{truth.item():.4g}"
