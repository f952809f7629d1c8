"""Explanations as pictures drawn with Pillow: an image with its map laid over it (red for
what speaks for the answer, blue against), or a bar a table column or time step."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from designer.inspection.explain import Explanation
from designer.runtime.files import write_bytes_atomically

SMALLEST_SIDE = 256  # a 32x32 digit is drawn 8 times larger
BAR_HEIGHT = 18
LABEL_WIDTH = 180
BAR_WIDTH = 300
MARGIN = 8


def overlay(picture: np.ndarray, values: np.ndarray) -> Image.Image:
    """`picture` (H x W or H x W x 3, 0..1) in grey with `values` (H x W) over it: red
    where positive, blue where negative, the stronger the more opaque."""
    grey = picture if picture.ndim == 2 else picture.mean(axis=2)
    base = np.repeat(grey[..., None], 3, axis=2)
    peak = float(np.abs(values).max()) or 1.0
    strength = np.clip(np.abs(values) / peak, 0, 1)[..., None]
    colour = np.where(values[..., None] >= 0, [1.0, 0.1, 0.0], [0.0, 0.3, 1.0])
    alpha = 0.7 * strength
    mixed = base * (1 - alpha) + colour * alpha
    image = Image.fromarray((mixed * 255).round().astype(np.uint8))
    factor = max(1, -(-SMALLEST_SIDE // min(grey.shape)))
    return image.resize((grey.shape[1] * factor, grey.shape[0] * factor), Image.NEAREST)


def bar_chart(labels: tuple[str, ...], values: np.ndarray, title: str, ranked: bool) -> Image.Image:
    """A horizontal bar a label, red positive, blue negative; `ranked`: largest magnitude
    first, else in their order (a sequence's time steps)."""
    order = np.argsort(-np.abs(values), kind="stable") if ranked else range(len(values))
    font = ImageFont.load_default()
    height = MARGIN * 3 + BAR_HEIGHT * (len(values) + 1)
    image = Image.new("RGB", (LABEL_WIDTH + BAR_WIDTH + 2 * MARGIN, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((MARGIN, MARGIN), title, fill="black", font=font)
    peak = float(np.abs(values).max()) or 1.0
    middle = LABEL_WIDTH + MARGIN + BAR_WIDTH // 2
    for row, index in enumerate(order, 1):
        top = MARGIN * 2 + row * BAR_HEIGHT
        value = float(values[index])
        length = round(abs(value) / peak * (BAR_WIDTH // 2 - 2))
        left, right = (middle, middle + length) if value >= 0 else (middle - length, middle)
        draw.text((MARGIN, top + 2), labels[index][:28], fill="black", font=font)
        colour = (220, 40, 20) if value >= 0 else (20, 80, 230)
        draw.rectangle((left, top + 3, right, top + BAR_HEIGHT - 3), fill=colour)
    draw.line((middle, MARGIN * 2 + BAR_HEIGHT, middle, height - MARGIN), fill="grey")
    return image


def explanation_picture(explanation: Explanation) -> Image.Image:
    if explanation.picture is not None:
        return overlay(explanation.picture, explanation.values)
    ranked = explanation.data_kind == "table"
    return bar_chart(explanation.labels, explanation.values, explanation.describe(), ranked)


def save_png(image: Image.Image, path: Path) -> None:
    """Write `image` as PNG, atomically, through the one writer that refuses devices,
    FIFOs and folders."""
    data = io.BytesIO()
    image.save(data, format="PNG")
    write_bytes_atomically(path, data.getvalue())
