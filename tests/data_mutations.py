"""Hostile data files made by hypothesis (CSV tables, NumPy arrays, image folders), each a
dataset section and the files it names, and the read every one must survive: the data
prepared and every sample of every part fed as training feeds it."""

from __future__ import annotations

import io
import os
import stat
import struct
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from hypothesis import strategies as st
from PIL import Image

from designer.data import SetupError
from designer.data.prepare import prepare_data
from designer.runtime.streaming import Streamer
from tests.fuzz_guard import Outcome, outcome_of

# A file of a case: its bytes, or a special file made in its place.
Maker = Callable[[Path], None]

HOSTILE_CELLS = [
    "1e39",
    "-1e39",
    "nan",
    "inf",
    "",
    " ",
    "NA",
    "x",
    "1,5",
    '"',
    '""',
    '"a,b"',
    '"a\nb"',
    "\x00",
    "é",
    "0x1F",
    "1_000",
    "True",
    "9" * 400,
]
DELIMITERS = [",", ";", "\t", "|", "", ",,", "\x00", "\n", '"', "é"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "latin-1"]


class NotFinite(Exception):
    """A value that is not a finite number reached the network: the reader let it through."""


def data_check(settings: dict[str, Any], base: Path) -> Outcome:
    """Prepare the data and feed every sample of every part, as a run does; every value fed
    must be a finite number (a reader that lets 1e39 through as inf fails the run later, as
    if the learning rate were too high)."""

    def read() -> None:
        data = prepare_data(settings, base)
        for part in (data.train, data.val, data.test):
            if not len(part):
                continue
            streamer = Streamer(
                part.x, part.y, 16, part.scale, torch.device("cpu"), 0, None, False,
                data.skip_unreadable,
            )  # fmt: skip
            for x, y in streamer.in_order():
                for fed in (x, y):
                    if fed.is_floating_point() and not fed.isfinite().all():
                        raise NotFinite("an infinite or NaN value was fed to the network")

    return outcome_of(read, (SetupError,))


def data_case(case: tuple[dict[str, Any], dict[str, Maker], str]) -> Outcome:
    """The files of `case` written in a new project folder, and its data read there."""
    dataset, files, _ = case
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder) / "project"
        base.mkdir()
        write_files(base, files)
        return data_check(dataset, base)


def write_files(base: Path, files: dict[str, Maker]) -> None:
    for name, make in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        make(path)


def content(data: bytes) -> Maker:
    return lambda path: path.write_bytes(data)


# CSV tables


@st.composite
def csv_cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Maker], str]:
    """A table of numbers and class labels, damaged in zero to three ways, with settings."""
    columns = draw(st.sampled_from([1, 2, 3, 5, 20_000]))
    rows = draw(st.integers(0, 3 if columns > 100 else 40))
    names = [f"c{index}" for index in range(columns)]
    if draw(st.booleans()):
        names[-1] = draw(st.sampled_from(["label", "c0", "", "é", " label ", "a,b"]))
    cells = [
        [repr(draw(st.floats(-10, 10, width=32))) for _ in range(columns - 1)]
        + [str(draw(st.integers(0, 2)))]
        for _ in range(rows)
    ]
    notes = [f"{rows}x{columns}"]
    for _ in range(draw(st.integers(0, 3))):
        damage = draw(st.sampled_from(["cell", "short", "long", "nul", "quote"]))
        if not cells:
            break
        row = draw(st.integers(0, len(cells) - 1))
        if not cells[row]:
            cells[row] = [draw(st.sampled_from(HOSTILE_CELLS))]
        elif damage == "cell":
            column = draw(st.integers(0, len(cells[row]) - 1))
            cells[row][column] = draw(st.sampled_from(HOSTILE_CELLS))
        elif damage == "short":
            cells[row] = cells[row][: draw(st.integers(0, columns - 1))]
        elif damage == "long":
            cells[row] = cells[row] + ["1"] * draw(st.integers(1, 3))
        elif damage == "nul":
            cells[row][0] = "\x00" + cells[row][0]
        else:
            cells[row][0] = '"' + cells[row][0]
        notes.append(f"{damage} in row {row}")
    separator = draw(st.sampled_from([",", ",", ";", "\t"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = ending.join(separator.join(row) for row in [names, *cells]) + ending
    encoding = draw(st.sampled_from(ENCODINGS))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 9)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
        notes.append("cut short")
    settings: dict[str, Any] = {"source": "csv", "path": "table.csv"}
    if draw(st.integers(0, 3)) == 0:
        settings["delimiter"] = draw(st.sampled_from(DELIMITERS))
    elif separator != ",":
        settings["delimiter"] = separator
    if draw(st.integers(0, 3)) == 0:
        settings["target"] = draw(st.sampled_from([names[-1], "missing", names[0]]))
    if draw(st.integers(0, 5)) == 0:
        settings["features"] = draw(st.sampled_from([names[:1], ["missing"], [], names]))
    settings["task"] = draw(st.sampled_from(["auto", "auto", "classes", "regression"]))
    if draw(st.integers(0, 5)) == 0:
        settings["memory_budget"] = draw(st.sampled_from([1, 0]))
    settings["cache"] = draw(st.booleans())
    notes.append(f"{encoding}, {settings}")
    return settings, {"table.csv": content(data)}, "; ".join(notes)


# NumPy arrays

X_DTYPES = ["float32", "float64", "int64", "uint8", "bool", "float16", "complex64", "<U3"]
Y_DTYPES = ["int64", "int32", "float32", "uint8", "bool", "<U3"]


def huge_header(shape: tuple[int, ...], descr: str = "<f4") -> bytes:
    """An .npy file whose header claims `shape` and which holds no data."""
    stream = io.BytesIO()
    header = {"descr": descr, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_2_0(stream, header)
    return stream.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    stream = io.BytesIO()
    np.save(stream, array, allow_pickle=array.dtype == object)
    return stream.getvalue()


def npz_bytes(arrays: dict[str, bytes]) -> bytes:
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w") as archive:
        for name, data in arrays.items():
            archive.writestr(f"{name}.npy", data)
    return stream.getvalue()


@st.composite
def array_bytes(draw: st.DrawFn, count: int, dtypes: list[str], extra: list) -> bytes:
    """An .npy file's bytes: an array of `count` samples, or a damaged or lying one."""
    kind = draw(st.sampled_from(["array"] * 6 + ["huge", "empty", "object", "cut", "junk"]))
    if kind == "huge":
        return huge_header(draw(st.sampled_from([(10**6, 10**6), (2**40,), (count, 2**35)])))
    if kind == "empty":
        return b""
    if kind == "junk":
        return draw(st.binary(max_size=200))
    if kind == "object":
        return npy_bytes(np.array([{"a": 1}] * count + [None], dtype=object)[:count])
    shape = (count, *draw(st.sampled_from(extra)))
    dtype = draw(st.sampled_from(dtypes))
    values = np.random.default_rng(draw(st.integers(0, 9))).normal(size=shape) * 3
    if values.size and draw(st.integers(0, 5)) == 0:
        values.flat[0] = draw(st.sampled_from([np.nan, np.inf, 1e12, -1]))
    with np.errstate(invalid="ignore", over="ignore"):
        array = values.astype(dtype) if dtype != "<U3" else values.astype(str).astype("<U3")
    data = npy_bytes(array)
    if kind == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    return data


@st.composite
def array_cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Maker], str]:
    """Samples and targets as one .npz or two .npy files, either possibly damaged."""
    count = draw(st.sampled_from([0, 1, 2, 5, 30]))
    x = draw(array_bytes(count, X_DTYPES, [(), (3,), (0,), (1, 4, 4), (3, 8, 8), (2, 0)]))
    y_count = draw(st.sampled_from([count, count, count, count + 1, max(count - 1, 0)]))
    y = draw(array_bytes(y_count, Y_DTYPES, [(), (), (1,), (3,)]))
    task = draw(st.sampled_from(["auto", "auto", "classes", "regression", "multilabel"]))
    if draw(st.booleans()):
        names = {"x": x, "y": y}
        if draw(st.integers(0, 5)) == 0:
            names = {"samples": x, "y": y}
        archive = npz_bytes(names) if draw(st.integers(0, 7)) else draw(st.binary(max_size=64))
        settings = {"source": "npz", "path": "data.npz", "task": task}
        files = {"data.npz": content(archive)}
    else:
        settings = {"source": "npy", "path": "x.npy", "targets": "y.npy", "task": task}
        files = {"x.npy": content(x), "y.npy": content(y)}
    return settings, files, f"{count} samples, {y_count} targets, {settings}"


# Image folders


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, with a few bytes of image data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def image_bytes(width: int, height: int, mode: str, form: str) -> bytes:
    stream = io.BytesIO()
    pixels = np.random.default_rng(width * height).integers(0, 255, (height, width, 3))
    image = Image.fromarray(pixels.astype("uint8"), "RGB").convert(mode)
    image.save(stream, form)
    return stream.getvalue()


def special(kind: str) -> Maker:
    """A FIFO, a character device (its numbers as /dev/null's or /dev/zero's) or a link."""

    def make(path: Path) -> None:
        if kind == "fifo":
            os.mkfifo(path)
        elif kind in ("null", "zero"):
            number = os.makedev(1, 3 if kind == "null" else 5)
            os.mknod(path, 0o600 | stat.S_IFCHR, number)
        elif kind == "loop":
            os.symlink(path.name + ".other", path)
            os.symlink(path.name, path.with_name(path.name + ".other"))
        elif kind == "outside":
            outside = path.parents[2] / "outside.png"
            outside.write_bytes(image_bytes(8, 8, "L", "PNG"))
            os.symlink(outside, path)
        elif kind == "parent":
            os.symlink("..", path)
        else:  # "inside": a link to a picture in the same folder
            target = path.with_name("target-" + path.name)
            target.write_bytes(image_bytes(6, 6, "RGB", "PNG"))
            os.symlink(target.name, path)

    return make


@st.composite
def image_file(draw: st.DrawFn) -> tuple[str, Maker]:
    """A file of an image folder: a picture of some mode and format, or something else."""
    kind = draw(
        st.sampled_from(
            ["png"] * 8
            + ["jpeg", "bmp", "gif", "cut", "empty", "text", "bomb", "folder"]
            + ["fifo", "null", "zero", "loop", "outside", "parent", "inside"]
        )
    )
    width, height = draw(st.integers(1, 48)), draw(st.integers(1, 48))
    if kind in ("png", "cut"):
        mode = draw(st.sampled_from(["L", "RGB", "RGBA", "P", "I;16", "1", "LA"]))
        data = image_bytes(width, height, mode, "PNG")
        if kind == "cut":
            data = data[: draw(st.integers(0, len(data) - 1))]
        return ".png", content(data)
    if kind in ("jpeg", "bmp", "gif"):
        suffix = {"jpeg": ".jpg", "bmp": ".bmp", "gif": ".gif"}[kind]
        return suffix, content(image_bytes(width, height, "RGB", kind.upper()))
    if kind == "empty":
        return ".png", content(b"")
    if kind == "text":
        return ".png", content(b"not a picture\n")
    if kind == "bomb":
        return ".png", content(bomb_png(draw(st.sampled_from([20_000, 70_000])), 20_000))
    if kind == "folder":
        return ".png", lambda path: path.mkdir()
    return ".png", special(kind)


@st.composite
def image_cases(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Maker], str]:
    """A folder with a subfolder per class and hostile files among the pictures."""
    classes = draw(st.lists(st.sampled_from(["cat", "dog", "é", "x y", ".hidden"]), max_size=3))
    files: dict[str, Maker] = {}
    for label in dict.fromkeys(classes):
        for index in range(draw(st.integers(0, 4))):
            suffix, make = draw(image_file())
            files[f"images/{label}/{index}{suffix}"] = make
    if not files:
        files["images/.keep"] = content(b"")
    settings = {
        "source": "image_folder",
        "path": "images",
        "image_size": draw(st.sampled_from([[8, 8], [28, 28], [1, 1], [16, 12]])),
        "color": draw(st.sampled_from(["grayscale", "rgb"])),
        "skip_unreadable": draw(st.booleans()),
        "cache": draw(st.booleans()),
    }
    return settings, files, f"{sorted(files)}, {settings}"
