"""Hostile CSV files and settings: a bad delimiter, a huge number of columns, a value too
large for float32; each ends in one clear message, in time."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from designer.data import DataError, prepare_data
from designer.data.graph_fit import design_diagnostics
from designer.training.settings_check import check_settings
from tests.script_helpers import small_project, write_script

REPOSITORY = str(Path(__file__).resolve().parent.parent)
ROWS = "".join(f"{i}.5,{i % 4},{'ab'[i % 2]}\n" for i in range(20))


def csv_settings(**settings) -> dict:
    return {"source": "csv", "path": "data.csv", **settings}


def python(folder: Path, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python ARGUMENTS` in `folder` with this repository's packages, stopped after
    `timeout` seconds (a hang fails the test)."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": REPOSITORY},
    )


@pytest.mark.parametrize(
    ("delimiter", "expected"),
    [
        (";;", "dataset.delimiter: must be one character, got ';;'"),
        ('"', "dataset.delimiter: cannot be the quote character, got '\"'"),
        ("\n", "dataset.delimiter: cannot be a line break, got '\\n'"),
        ("", "dataset.delimiter: must be a non-empty text, got ''"),
    ],
)
def test_a_delimiter_that_cannot_part_cells_is_named_when_read(tmp_path, delimiter, expected):
    (tmp_path / "data.csv").write_text("a,b,kind\n" + ROWS)
    with pytest.raises(DataError) as caught:
        prepare_data(csv_settings(delimiter=delimiter), tmp_path)
    assert str(caught.value) == expected


def test_a_bad_delimiter_shows_on_the_input_node_while_designing(tmp_path):
    project = small_project(tmp_path, csv_settings(delimiter=";;"), (2,), [("dense", "d", {})])
    found = design_diagnostics(project.graph, project.dataset, tmp_path)
    (input_node,) = [node for node in project.graph.nodes() if node.kind == "input"]
    assert [(d.node_id, d.severity, d.message) for d in found] == [
        (input_node.id, "warning", "dataset.delimiter: must be one character, got ';;'")
    ]
    assert design_diagnostics(project.graph, csv_settings(), tmp_path) == []


def test_train_and_export_say_a_bad_delimiter_in_one_line(tmp_path):
    (tmp_path / "data.csv").write_text("a;;b;;kind\n" + ROWS.replace(",", ";;"))
    small_project(tmp_path, csv_settings(delimiter=";;"), (2,), [("dense", "d", {"units": 2})])
    for arguments in (("train", "--epochs", "1"), ("export", "-o", "model.py")):
        result = python(
            tmp_path, "-m", "designer.cli", arguments[0], "project.json", *arguments[1:]
        )
        assert result.returncode in (1, 2), result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert "dataset.delimiter: must be one character, got ';;'" in result.stdout + result.stderr


def wide_csv(path: Path, columns: int) -> None:
    header = ",".join(f"c{i}" for i in range(columns)) + ",kind\n"
    rows = "".join(",".join(str(r) * columns) + f",{'ab'[r % 2]}\n" for r in range(10))
    path.write_text(header + rows)


def test_more_columns_than_the_limit_are_refused_at_once(tmp_path):
    wide_csv(tmp_path / "data.csv", 200_000)
    started = time.monotonic()
    with pytest.raises(DataError) as caught:
        prepare_data(csv_settings(), tmp_path)
    assert time.monotonic() - started < 10
    assert str(caught.value) == (
        f"dataset.max_columns: {(tmp_path / 'data.csv').resolve()} has 200,001 columns, "
        "more than the limit of 100,000; raise dataset.max_columns to read it"
    )
    with pytest.raises(DataError, match=r"dataset\.max_columns: must be at least 1, got 0"):
        prepare_data(csv_settings(max_columns=0), tmp_path)


def test_a_raised_column_limit_reads_a_wide_file_in_linear_time(tmp_path):
    """200,000 columns once took minutes: each feature's column was looked up by a search
    of the header. Run apart, so that a regression fails instead of hanging the tests."""
    wide_csv(tmp_path / "data.csv", 200_000)
    code = (
        "from pathlib import Path\n"
        "from designer.data import prepare_data\n"
        "settings = {'source': 'csv', 'path': 'data.csv', 'max_columns': 300000,\n"
        "            'split': {'val': 0.25, 'test': 0.25}}\n"
        "data = prepare_data(settings, Path('.'))\n"
        "print(data.sample_shape, data.task)\n"
    )
    result = python(tmp_path, "-c", code, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(200000,) binary"


@pytest.mark.parametrize("column", ["a", "kind"])
def test_a_value_too_large_for_float32_names_its_line_and_column(tmp_path, column):
    rows = [f"{i}.5,{i % 4},{i}\n" for i in range(20)]
    rows[5] = "1e39,1,5\n" if column == "a" else "5.5,1,1e39\n"
    (tmp_path / "data.csv").write_text("a,b,kind\n" + "".join(rows))
    with pytest.raises(DataError) as caught:
        prepare_data(csv_settings(), tmp_path)
    assert f"data.csv line 7, column {column!r}: '1e39'" in str(caught.value)
    assert "float32" in str(caught.value)


def test_the_settings_dialog_check_names_a_bad_delimiter_or_limit(tmp_path):
    (tmp_path / "data.csv").write_text("a,b,kind\n" + ROWS)
    with pytest.raises(DataError, match=r"^dataset\.delimiter: must be one character"):
        check_settings(csv_settings(delimiter=";;"), {}, tmp_path)
    with pytest.raises(DataError, match=r"^dataset\.max_columns: must be at least 1"):
        check_settings(csv_settings(max_columns=0), {}, tmp_path)
    check_settings(csv_settings(delimiter=";", max_columns=3), {}, tmp_path)


@pytest.mark.parametrize("special", ["pipe", "device"])
def test_the_exported_script_refuses_a_data_file_that_is_no_regular_file(tmp_path, special):
    (tmp_path / "data.csv").write_text("a,b,kind\n" + ROWS)
    project = small_project(tmp_path, csv_settings(), (2,), [("dense", "d", {"units": 2})])
    script = write_script(project, tmp_path)
    if special == "pipe":
        os.mkfifo(tmp_path / "special.csv")
    else:
        os.mknod(tmp_path / "special.csv", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # zero
    result = python(tmp_path, script.name, "--epochs", "1", "--data", "special.csv", timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    kind = "a FIFO (named pipe)" if special == "pipe" else "a character device"
    assert result.stderr.strip().endswith(f"special.csv is {kind}, not a regular file")


def test_a_text_target_with_more_values_than_the_class_limit(tmp_path):
    rows = "".join(f"{i},{i % 3},name{i % 12}\n" for i in range(40))
    (tmp_path / "data.csv").write_text("a,b,kind\n" + rows)
    with pytest.raises(DataError) as caught:
        prepare_data(csv_settings(max_classes=10), tmp_path)
    assert str(caught.value) == (
        f"dataset.max_classes: {(tmp_path / 'data.csv').resolve()}: column 'kind' has more "
        "than 10 different values, too many for classes: raise dataset.max_classes, or set "
        "dataset.task to regression"
    )
    assert len(prepare_data(csv_settings(max_classes=12), tmp_path).class_names) == 12
