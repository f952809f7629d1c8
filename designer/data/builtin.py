"""The datasets bundled with scikit-learn: digits (8x8, or 32x32 for LeNet-5), iris, wine,
breast cancer and diabetes. All are read from the installed package; nothing is downloaded."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from sklearn import datasets as sk

from designer.data.dataset import Dataset, class_task
from designer.data.settings import Section

RESIZE_MODES = ("interpolate", "pad")
DIGIT_TARGETS = ("labels", "input")
TABLES = {
    "iris": sk.load_iris,
    "wine": sk.load_wine,
    "breast_cancer": sk.load_breast_cancer,
}


def load_digits(section: Section) -> Dataset:
    """Digits as 1xSxS images scaled to 0..1; 32x32 by bilinear resizing or by zero padding.
    `target` is "labels" (the digit, a class) or "input" (the image itself, for autoencoders:
    a reconstruction task without labels)."""
    size = section.integer("image_size", 8, minimum=8, maximum=256)
    mode = section.choice("resize", "interpolate", RESIZE_MODES)
    target = section.choice("target", "labels", DIGIT_TARGETS)
    bunch = sk.load_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    if size != 8 and mode == "interpolate":
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    elif size != 8:
        before = (size - 8) // 2
        images = F.pad(images, (before, size - 8 - before, before, size - 8 - before))
    images = images.contiguous()
    if target == "input":
        return Dataset("digits", images, images.clone(), "reconstruction")
    names = tuple(str(name) for name in bunch.target_names)
    return Dataset("digits", images, torch.from_numpy(bunch.target).long(), "multiclass", names)


def load_table(source: str, section: Section) -> Dataset:
    standardize = section.boolean("standardize", True)
    bunch = TABLES[source]()
    names = tuple(str(name) for name in bunch.target_names)
    return Dataset(
        source,
        torch.from_numpy(bunch.data.astype(np.float32)),
        torch.from_numpy(bunch.target).long(),
        class_task(len(names)),
        names,
        standardize,
    )


def load_diabetes(section: Section) -> Dataset:
    standardize = section.boolean("standardize", True)
    bunch = sk.load_diabetes()
    return Dataset(
        "diabetes",
        torch.from_numpy(bunch.data.astype(np.float32)),
        torch.from_numpy(bunch.target.astype(np.float32)).unsqueeze(1),
        "regression",
        standardize=standardize,
    )
