"""PNG charts drawn with Pillow alone: lines (loss curves) or labelled points (a 2-D latent)."""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

Points = list[tuple[float, float]]

# Matplotlib's "tab10" colours: distinct, and kind to the common colour blindnesses.
PALETTE = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
SIZE = (900, 560)
LEFT, TOP, RIGHT, BOTTOM = 80, 50, 190, 60
INK, GRID = (40, 40, 40), (225, 225, 225)


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round values from `low` to `high`, about `count` of them, 1-2-5 times a power of ten."""
    if high <= low:
        return [low]
    raw = (high - low) / max(1, count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    first = math.ceil(low / step - 1e-9)
    return [i * step for i in range(first, math.floor(high / step + 1e-9) + 1)]


class Chart:
    """A white canvas with axes from the data's ranges, a title, axis labels and a legend."""

    def __init__(self, everything: Points, title: str, x_label: str, y_label: str) -> None:
        xs, ys = [x for x, _ in everything], [y for _, y in everything]
        self.x_range = padded(min(xs), max(xs))
        self.y_range = padded(min(ys), max(ys))
        self.image = Image.new("RGB", SIZE, "white")
        self.draw = ImageDraw.Draw(self.image)
        self.font = ImageFont.load_default(size=14)
        self.legend_rows = 0
        self.axes(title, x_label, y_label)

    def at(self, x: float, y: float) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        width, height = SIZE[0] - LEFT - RIGHT, SIZE[1] - TOP - BOTTOM
        return LEFT + (x - x0) / (x1 - x0) * width, TOP + (y1 - y) / (y1 - y0) * height

    def axes(self, title: str, x_label: str, y_label: str) -> None:
        draw, font = self.draw, self.font
        right, bottom = SIZE[0] - RIGHT, SIZE[1] - BOTTOM
        for x in nice_ticks(*self.x_range):
            px, _ = self.at(x, 0)
            draw.line([(px, TOP), (px, bottom)], GRID)
            draw.text((px, bottom + 6), f"{x:g}", INK, font, anchor="mt")
        for y in nice_ticks(*self.y_range):
            _, py = self.at(0, y)
            draw.line([(LEFT, py), (right, py)], GRID)
            draw.text((LEFT - 6, py), f"{y:g}", INK, font, anchor="rm")
        draw.rectangle([(LEFT, TOP), (right, bottom)], outline=INK)
        draw.text(((LEFT + right) / 2, TOP / 2), title, INK, font, anchor="mm")
        draw.text(((LEFT + right) / 2, SIZE[1] - 18), x_label, INK, font, anchor="mm")
        draw.text((8, TOP - 20), y_label, INK, font, anchor="lm")

    def legend(self, label: str, color: tuple[int, int, int]) -> None:
        x, y = SIZE[0] - RIGHT + 16, TOP + 10 + 22 * self.legend_rows
        self.draw.rectangle([(x, y - 5), (x + 18, y + 5)], fill=color)
        self.draw.text((x + 26, y), label, INK, self.font, anchor="lm")
        self.legend_rows += 1

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.image.save(path)
        return path


def padded(low: float, high: float) -> tuple[float, float]:
    margin = (high - low) * 0.05 or abs(low) * 0.05 or 1.0
    return low - margin, high + margin


def line_chart(
    series: dict[str, Points], path: Path, title: str, x_label: str, y_label: str
) -> Path:
    """One coloured line per series, in the order given, each named in the legend."""
    chart = Chart([p for points in series.values() for p in points], title, x_label, y_label)
    for (label, points), color in zip(series.items(), PALETTE, strict=False):
        chart.draw.line([chart.at(x, y) for x, y in points], color, width=3, joint="curve")
        chart.legend(label, color)
    return chart.save(path)


def scatter_chart(
    groups: dict[str, Points], path: Path, title: str, x_label: str, y_label: str
) -> Path:
    """One colour of dots per group, each group named in the legend."""
    chart = Chart([p for points in groups.values() for p in points], title, x_label, y_label)
    for (label, points), color in zip(groups.items(), PALETTE, strict=False):
        for x, y in points:
            px, py = chart.at(x, y)
            chart.draw.ellipse([(px - 3, py - 3), (px + 3, py + 3)], fill=color)
        chart.legend(label, color)
    return chart.save(path)
