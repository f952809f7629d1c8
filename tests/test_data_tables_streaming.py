"""CSV files read a chunk at a time: held in memory within the budget, memory-mapped
beyond it with the same training, kept parsed in the data cache, and never half kept."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from designer.data import DataError, prepare_data
from designer.runtime import csv_reading, csv_tables, data_cache
from designer.runtime.table_rows import TableRows
from designer.training import Trainer, prepare_run
from designer.training.events import RunFinished
from tests.train_helpers import example_copy, with_dataset

KINDS = ("setosa", "versicolor", "virginica")


def write_table(path: Path, rows: int, seed: int = 0) -> Path:
    """An iris-like table: four features, the kind as text, one row per line."""
    generator = np.random.default_rng(seed)
    kinds = generator.integers(0, 3, rows)
    values = generator.normal(size=(rows, 4)) + kinds[:, None] * 1.5 + 20
    lines = ["a,b,c,d,kind"]
    lines += [
        ",".join(f"{v:.4f}" for v in row) + f",{KINDS[k]}"
        for row, k in zip(values, kinds, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def table_settings(**more) -> dict:
    return {"source": "csv", "path": "table.csv", **more}


def test_a_table_beyond_the_budget_is_mapped_and_fed_standardised(tmp_path, monkeypatch):
    write_table(tmp_path / "table.csv", 3000)
    held = prepare_data(table_settings(), tmp_path)
    monkeypatch.setattr(csv_tables, "memory_budget", lambda megabytes: 0)  # nothing fits
    mapped = prepare_data(table_settings(), tmp_path)
    assert isinstance(held.train.x, torch.Tensor)
    assert isinstance(mapped.train.x, TableRows) and mapped.train.scale is not None
    assert torch.equal(mapped.features.mean, held.features.mean)
    rows = np.arange(len(mapped.train))
    fed = mapped.train.scale.apply(mapped.train.x.take(rows))
    assert torch.equal(fed, held.train.x) and torch.equal(mapped.train.y, held.train.y)
    assert float(held.train.x.mean()) == pytest.approx(0.0, abs=1e-5)


def table_run(tmp_path: Path, **dataset) -> RunFinished:
    project = example_copy(tmp_path, "mlp_iris", epochs=2, batch_size=32)
    with_dataset(project, table_settings(**dataset))
    ended = Trainer(prepare_run(project)).run()
    assert isinstance(ended, RunFinished)
    return ended


def test_training_on_a_mapped_table_equals_training_on_one_in_memory(tmp_path, monkeypatch):
    write_table(tmp_path / "table.csv", 1500)
    held = table_run(tmp_path)
    monkeypatch.setattr(csv_tables, "memory_budget", lambda megabytes: 0)
    assert table_run(tmp_path).val == held.val


def test_a_large_file_is_parsed_once_and_read_from_the_cache_after(tmp_path, monkeypatch):
    table = write_table(tmp_path / "table.csv", 500)
    monkeypatch.setattr(csv_tables, "CACHE_FROM", 0)  # every file counts as large
    first = prepare_data(table_settings(), tmp_path)
    cache = tmp_path / "runs" / ".data-cache"
    assert len(list(cache.glob("*.table"))) == 1
    assert not list(cache.glob(".*"))  # no partial folder left

    def no_parsing(self):
        raise AssertionError("parsed again")

    monkeypatch.setattr(csv_reading.CsvFile, "chunks", no_parsing)
    again = prepare_data(table_settings(), tmp_path)
    assert torch.equal(again.train.x, first.train.x) and again.class_names == first.class_names
    with pytest.raises(AssertionError, match="parsed again"):  # a changed file is new
        os.utime(table, ns=(time.time_ns(), time.time_ns() + 10**9))
        prepare_data(table_settings(), tmp_path)
    monkeypatch.undo()
    assert len(list(cache.glob("*.table"))) == 1


def test_a_bad_cell_late_in_a_file_names_its_line_and_keeps_nothing(tmp_path, monkeypatch):
    table = write_table(tmp_path / "table.csv", 400)
    lines = table.read_text().splitlines()
    lines[351] = lines[351].replace(lines[351].split(",")[2], "n/a", 1)
    table.write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(csv_reading, "CHUNK_CELLS", 50)  # ten rows a chunk
    monkeypatch.setattr(csv_tables, "CACHE_FROM", 0)
    with pytest.raises(DataError, match=r"table.csv line 352, column 'c': 'n/a' is not a num"):
        prepare_data(table_settings(), tmp_path)
    assert list((tmp_path / "runs" / ".data-cache").iterdir()) == []


def test_targets_across_chunks_keep_one_class_order_and_regression(tmp_path, monkeypatch):
    monkeypatch.setattr(csv_reading, "CHUNK_CELLS", 6)  # three rows a chunk
    labels = ["10", "2", "cat", "2", "10", "cat", "2", "cat"]
    rows = "".join(f"{i},{label}\n" for i, label in enumerate(labels))
    (tmp_path / "table.csv").write_text("x,label\n" + rows)
    data = prepare_data(table_settings(split={"val": 0.25, "test": 0.0}), tmp_path)
    assert data.class_names == ("2", "10", "cat")
    everything = torch.cat([data.train.y, data.val.y])[
        np.argsort(np.concatenate([data.split["train"], data.split["val"]]))
    ]
    assert [data.class_names[i] for i in everything] == labels
    (tmp_path / "table.csv").write_text("x,y\n" + "".join(f"{i},{i / 4}\n" for i in range(9)))
    assert prepare_data(table_settings(), tmp_path).task == "regression"
    (tmp_path / "table.csv").write_text("x,y\n1,2\n2,3\n3,inf\n4,5\n")
    with pytest.raises(DataError, match=r"line 4, column 'y': 'inf' is not a number"):
        prepare_data(table_settings(), tmp_path)
    (tmp_path / "table.csv").write_text("x,y\n1,2\n2,3\n3,1e39\n4,5\n")
    with pytest.raises(DataError, match=r"line 4, column 'y': '1e39' is not a number float32"):
        prepare_data(table_settings(), tmp_path)
    (tmp_path / "table.csv").write_text("x,y\n1,a\n-1e39,b\n3,a\n")
    with pytest.raises(DataError, match=r"line 3, column 'x': '-1e39' is beyond the range"):
        prepare_data(table_settings(), tmp_path)


def test_a_cache_folder_keeps_its_size_by_removing_what_was_used_longest_ago(tmp_path):
    old, recent, new = (tmp_path / f"{name}.pixels" for name in ("old", "recent", "new"))
    for age, path in enumerate((recent, old), 1):
        path.write_bytes(bytes(8192))
        os.utime(path, (time.time() - 100 * age, time.time() - 100 * age))
    long_ago = (time.time() - 7200, time.time() - 7200)
    for name, written in (("killed", long_ago), ("parsing", None)):
        partial = tmp_path / f".{name}.x1.partial"
        partial.mkdir()
        (partial / "features.f32").write_bytes(bytes(100))
        os.utime(partial / "features.f32", written)  # a parse still going writes on
        os.utime(partial, long_ago)
    new.write_bytes(bytes(8192))
    data_cache.make_room(tmp_path, keep=new, limit=20_000)
    kept = ["new.pixels", ".parsing.x1.partial", "recent.pixels"]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(kept)
