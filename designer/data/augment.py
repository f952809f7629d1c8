"""The settings of a dataset's image augmentation (dataset.augment) and normalisation."""

from __future__ import annotations

from designer.data.settings import Section
from designer.runtime.augmentation import CROPS, Augmentation

NONE = Augmentation("none", 0.5, 4, False, 0.0, 0.0, 0.0)  # every setting's default


def augmentation(section: Section) -> Augmentation | None:
    """The augmentation the section asks for; None when it changes nothing."""
    found = Augmentation(
        crop=section.choice("crop", NONE.crop, CROPS),
        crop_scale=section.number("crop_scale", NONE.crop_scale, 0.05, 1.0),
        crop_padding=section.integer("crop_padding", NONE.crop_padding, 1, 256),
        flip=section.boolean("flip", NONE.flip),
        rotation=section.number("rotation", NONE.rotation, 0.0, 180.0),
        translate=section.number("translate", NONE.translate, 0.0, 0.5),
        color_jitter=section.number("color_jitter", NONE.color_jitter, 0.0, 1.0),
    )
    section.finish()
    changes = (found.crop != "none", found.flip, found.rotation, found.translate)
    return found if any(changes) or found.color_jitter else None
