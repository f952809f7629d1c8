"""Datasets from files: CSV, NPZ / NPY and image folders, and the messages bad files give."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from designer.data import DataError, prepare_data
from designer.runtime.loading import Loading, feed

IRIS_LIKE = "a,b,kind\n" + "".join(
    f"{i % 7}.5,{(i * 3) % 5},{['red', 'green', 'blue'][i % 3]}\n" for i in range(30)
)


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def csv_error(tmp_path: Path, text: str, **settings) -> str:
    write(tmp_path, text)
    with pytest.raises(DataError) as caught:
        prepare_data({"source": "csv", "path": "data.csv", **settings}, tmp_path)
    return str(caught.value)


def test_csv_with_categorical_target_gives_classes(tmp_path):
    write(tmp_path, IRIS_LIKE)
    data = prepare_data({"source": "csv", "path": "data.csv"}, tmp_path)
    assert data.class_names == ("blue", "green", "red")
    assert data.task == "multiclass"
    assert data.sample_shape == (2,)
    assert sorted(set(data.train.y.tolist())) == [0, 1, 2]


def test_csv_feature_and_target_columns_and_regression(tmp_path):
    rows = "".join(f"{i},{i * 2},{i % 3},{i * 0.5 + 1}\n" for i in range(20))
    write(tmp_path, "x1,x2,x3,price\n" + rows)
    settings = {"source": "csv", "path": "data.csv", "features": ["x1", "x3"], "target": "price"}
    data = prepare_data(settings, tmp_path)
    assert data.task == "regression" and data.sample_shape == (2,)
    original = data.targets.undo(torch.cat([data.train.y, data.val.y, data.test.y]))
    assert sorted(original.flatten().tolist()) == pytest.approx([i * 0.5 + 1 for i in range(20)])


def test_csv_standardisation_is_fitted_on_the_training_part_only(tmp_path):
    rows = "".join(f"{i * i},{i % 2}\n" for i in range(40))
    write(tmp_path, "x,label\n" + rows)
    data = prepare_data({"source": "csv", "path": "data.csv", "task": "classes"}, tmp_path)
    assert float(data.train.x.mean()) == pytest.approx(0.0, abs=1e-5)
    everything = torch.cat([data.train.x, data.val.x, data.test.x])
    assert float(everything.mean()) != pytest.approx(0.0, abs=1e-3)
    assert data.task == "binary"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b,c\n1,2,x\n1,2\n", "line 3: 2 values but the header has 3 columns (ragged row)"),
        ("a,b,c\n1,2,x\n1,oops,y\n", "line 3, column 'b': 'oops' is not a number"),
        ("a,b,c\n1,2,x\n\n1,,y\n", "line 4, column 'b': the value is empty"),
        ("a,b,c\n1,inf,x\n2,2,y\n", "line 2, column 'b': 'inf' is not a number"),
        ("", "is empty"),
        ("a,b,c\n", "has a header but no rows"),
        ("a,a,c\n1,2,3\n", "column 'a' appears twice"),
        ("a,b,c\n1,2,x\n3,4,x\n", "only one value ('x')"),
    ],
)
def test_bad_csv_files_give_one_clear_message(tmp_path, text, expected):
    message = csv_error(tmp_path, text)
    assert expected in message
    assert "Traceback" not in message


def test_csv_unknown_columns_and_missing_file(tmp_path):
    message = csv_error(tmp_path, IRIS_LIKE, target="colour")
    assert message.startswith(
        "dataset.target: no column 'colour' in data.csv (columns: a, b, kind)"
    )
    assert "dataset.features: no column 'z'" in csv_error(tmp_path, IRIS_LIKE, features=["a", "z"])
    wide = "\t".join(f"column{number}" for number in range(2000)) + "\n1\n"
    message = csv_error(tmp_path, wide, target="label")  # read with the wrong delimiter
    assert message.startswith("dataset.target: no column 'label' in data.csv (columns: column0")
    assert len(message) < 200
    with pytest.raises(DataError, match=r"dataset\.path: file not found: .*missing\.csv"):
        prepare_data({"source": "csv", "path": "missing.csv"}, tmp_path)
    message = csv_error(tmp_path, IRIS_LIKE, delimiter=";;")
    assert message == "dataset.delimiter: must be one character, got ';;'"
    (tmp_path / "bytes.csv").write_bytes(b"a,b\n\xff\xfe,1\n")
    with pytest.raises(DataError, match="not UTF-8"):
        prepare_data({"source": "csv", "path": "bytes.csv"}, tmp_path)


def test_npz_and_npy_arrays(tmp_path):
    x = np.random.default_rng(0).normal(size=(40, 3, 4)).astype(np.float32)
    y = np.arange(40) % 4
    np.savez(tmp_path / "set.npz", samples=x, labels=y)
    data = prepare_data(
        {"source": "npz", "path": "set.npz", "x": "samples", "y": "labels"}, tmp_path
    )
    assert data.sample_shape == (3, 4) and data.task == "multiclass" and len(data.class_names) == 4
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "y.npy", x[:, 0, 0] * 2.0)
    data = prepare_data({"source": "npy", "path": "x.npy", "targets": "y.npy"}, tmp_path)
    assert data.task == "regression" and data.train.y.shape[1:] == (1,)


def test_bad_arrays(tmp_path):
    np.savez(tmp_path / "set.npz", x=np.zeros((5, 2)), y=np.zeros(4, dtype=np.int64))
    with pytest.raises(DataError, match="5 samples but 4 targets"):
        prepare_data({"source": "npz", "path": "set.npz"}, tmp_path)
    with pytest.raises(
        DataError, match=r"dataset\.y: set\.npz has no array 'labels' \(arrays: x, y\)"
    ):
        prepare_data({"source": "npz", "path": "set.npz", "y": "labels"}, tmp_path)
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    np.save(tmp_path / "y.npy", np.zeros(2, dtype=np.int64))
    with pytest.raises(DataError, match=r"objects\.npy holds Python objects"):
        prepare_data({"source": "npy", "path": "objects.npy", "targets": "y.npy"}, tmp_path)
    np.savez(tmp_path / "empty.npz", x=np.zeros((0, 3)), y=np.zeros(0, dtype=np.int64))
    with pytest.raises(DataError, match=r"dataset\.path: the samples array is empty"):
        prepare_data({"source": "npz", "path": "empty.npz"}, tmp_path)
    with (tmp_path / "huge.npy").open("wb") as stream:  # a header claiming 1.6 PB
        header = {"descr": "<f8", "fortran_order": False, "shape": (10**14, 2)}
        np.lib.format.write_array_header_1_0(stream, header)
    with pytest.raises(DataError, match=r"huge\.npy is cut short: its header promises"):
        prepare_data({"source": "npy", "path": "huge.npy", "targets": "y.npy"}, tmp_path)
    np.savez(tmp_path / "nan.npz", x=np.array([[0.0], [np.nan], [1.0]]), y=np.array([0, 1, 0]))
    with pytest.raises(DataError, match="sample 1 holds NaN"):
        prepare_data({"source": "npz", "path": "nan.npz"}, tmp_path)


def make_images(root: Path, classes: dict[str, int]) -> None:
    for number, (name, count) in enumerate(classes.items()):
        (root / name).mkdir(parents=True)
        for index in range(count):
            pixels = np.full((10, 12, 3), 40 * number + index, dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{index}.png")


def test_image_folder_reads_one_class_per_subfolder(tmp_path):
    make_images(tmp_path / "pictures", {"cat": 6, "dog": 5, "owl": 5})
    settings = {"source": "image_folder", "path": "pictures", "image_size": [8, 9]}
    data = prepare_data(settings, tmp_path)
    assert data.class_names == ("cat", "dog", "owl")
    assert data.sample_shape == (1, 8, 9)
    rgb = prepare_data({**settings, "color": "rgb", "image_size": 16}, tmp_path)
    assert rgb.sample_shape == (3, 16, 16)
    # Kept as uint8 pixels, a quarter of float32's memory; fed as float32 from 0 to 1.
    assert rgb.train.x.dtype == torch.uint8
    batches = feed(rgb.train, 4, Loading(0, None, False), torch.device("cpu"), train=False)
    x, _ = next(batches.in_order())
    assert x.dtype == torch.float32 and 0.0 <= float(x.min()) <= float(x.max()) <= 1.0
    assert torch.equal(x, rgb.train.x.take(np.arange(4)).float() / 255)


def read_all(data) -> None:
    """Every sample of every part read, as training and evaluation read them."""
    for part in (data.train, data.val, data.test):
        batches = feed(part, 4, Loading(0, None, False), torch.device("cpu"), train=False)
        for _ in batches.in_order():
            pass


def test_bad_image_folders(tmp_path):
    make_images(tmp_path / "one", {"cat": 3})
    with pytest.raises(DataError, match="1 class folder"):
        prepare_data({"source": "image_folder", "path": "one"}, tmp_path)
    make_images(tmp_path / "two", {"cat": 3, "dog": 3})
    (tmp_path / "two" / "dog" / "broken.png").write_bytes(b"not a png")
    data = prepare_data({"source": "image_folder", "path": "two"}, tmp_path)  # read when needed
    with pytest.raises(DataError, match=r"broken\.png is not a readable image"):
        read_all(data)


def test_pipes_link_loops_and_decompression_bombs_in_an_image_folder(tmp_path, monkeypatch):
    """A named pipe would block a read for ever and a link in a loop is no image: both are
    passed over. An image over Pillow's pixel limit is refused by name."""
    make_images(tmp_path / "pets", {"cat": 3, "dog": 3})
    os.mkfifo(tmp_path / "pets" / "cat" / "pipe.png")
    (tmp_path / "pets" / "dog" / "loop.png").symlink_to(tmp_path / "pets" / "dog" / "loop.png")
    data = prepare_data({"source": "image_folder", "path": "pets"}, tmp_path)
    assert len(data.train) + len(data.val) + len(data.test) == 6
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 30)  # the 10x12 images are 4x the limit
    with pytest.raises(DataError, match=r"\d\.png is too large to decode safely"):
        read_all(prepare_data({"source": "image_folder", "path": "pets"}, tmp_path))
