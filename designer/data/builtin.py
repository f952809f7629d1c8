"""Settings of the datasets bundled with scikit-learn: digits, iris, wine, breast cancer and
diabetes. All are read from the installed package; nothing is downloaded."""

from __future__ import annotations

from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.builtin_sets import Diabetes, Digits, ScikitTable

RESIZE_MODES = ("interpolate", "pad")
DIGIT_TARGETS = ("labels", "input")


def digits(section: Section) -> SourceChoice:
    """Digits as 1xSxS images; 32x32 by bilinear resizing or by zero padding. `target` is
    "labels" (the digit) or "input" (the image itself, for autoencoders)."""
    source = Digits(
        image_size=section.integer("image_size", 8, minimum=8, maximum=256),
        resize=section.choice("resize", "interpolate", RESIZE_MODES),
        target=section.choice("target", "labels", DIGIT_TARGETS),
    )
    return SourceChoice(source)


def table(name: str, section: Section) -> SourceChoice:
    return SourceChoice(ScikitTable(name), section.boolean("standardize", True))


def diabetes(section: Section) -> SourceChoice:
    return SourceChoice(Diabetes(), section.boolean("standardize", True))
