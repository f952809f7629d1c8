"""Write the image folder of projects/cnn_image_folder.json: 32x32 grayscale PNGs of four
shapes (circle, square, triangle, cross), each drawn at a random size, place, turn and
brightness on a noisy background, one folder per shape. Seeded: the same files every time."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

SHAPES = ("circle", "cross", "square", "triangle")
SIDE = 32
PER_SHAPE = 300
FOLDER = Path(__file__).resolve().parents[1] / "projects" / "shapes"


def corners(count: int, radius: float, center: tuple[float, float], turn: float) -> list:
    return [
        (
            center[0] + radius * math.cos(turn + 2 * math.pi * k / count),
            center[1] + radius * math.sin(turn + 2 * math.pi * k / count),
        )
        for k in range(count)
    ]


def shape_image(shape: str, rng: np.random.Generator) -> Image.Image:
    """One shape on a noisy dark background."""
    background = rng.normal(40, 15, size=(SIDE, SIDE)).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(background)
    draw = ImageDraw.Draw(image)
    radius = rng.uniform(6, 11)
    center = tuple(rng.uniform(radius + 1, SIDE - radius - 1, size=2))
    turn = rng.uniform(0, 2 * math.pi)
    shade = int(rng.integers(150, 256))
    if shape == "circle":
        x, y = center
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=shade)
    elif shape == "square":
        draw.polygon(corners(4, radius, center, turn), fill=shade)
    elif shape == "triangle":
        draw.polygon(corners(3, radius, center, turn), fill=shade)
    else:
        ends = corners(4, radius, center, turn)
        width = max(2, round(radius / 3))
        draw.line([ends[0], ends[2]], fill=shade, width=width)
        draw.line([ends[1], ends[3]], fill=shade, width=width)
    return image


def write_shapes(folder: Path, per_shape: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for shape in SHAPES:
        (folder / shape).mkdir(parents=True, exist_ok=True)
        for index in range(per_shape):
            shape_image(shape, rng).save(folder / shape / f"{index:03}.png", optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", type=Path, default=FOLDER)
    parser.add_argument("--per-shape", type=int, default=PER_SHAPE)
    args = parser.parse_args()
    write_shapes(args.folder, args.per_shape)
    print(f"{len(SHAPES) * args.per_shape} images in {args.folder}")


if __name__ == "__main__":
    main()
