"""The shape cache: layers seen before need no torch, in any process; what changes a result
misses; a damaged file is rebuilt; writers running at once never leave half a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import designer.compiler.probe as probe_module
import designer.compiler.probe_key as probe_key
import designer.compiler.shape_cache as shape_cache
from designer.cli import main as cli_main
from designer.compiler import Analyzer
from designer.compiler.probe import (
    ProbeDeferred,
    ProbeError,
    ProbeResult,
    _probe,
    cached_results_only,
    probe,
)
from designer.compiler.shape_cache import (
    FOLDER_VARIABLE,
    FORMAT,
    ShapeCache,
    cache_file,
    read_results,
    shape_cache_at,
)
from designer.project import load_project
from nodes import REGISTRY, TensorInfo
from tests.helpers import PROJECTS

ROOT = Path(__file__).resolve().parent.parent

# Runs the netdesigner command as a user would, then says whether torch was imported.
COMMAND = """
import sys
from designer.ui.launch import main
code = main(sys.argv[1:])
print("torch imported:", "torch" in sys.modules)
sys.exit(code)
"""


def netdesigner(cache: Path, *args: str) -> subprocess.CompletedProcess:
    """The command in a new process whose shape cache is the folder `cache`."""
    return subprocess.run(
        [sys.executable, "-c", COMMAND, *args],
        cwd=ROOT,
        env={**os.environ, FOLDER_VARIABLE: str(cache)},
        capture_output=True,
        text=True,
        timeout=240,
    )


def new_process(monkeypatch, folder: Path) -> None:
    """What a new process knows: the cache file in `folder`, and no result in memory."""
    monkeypatch.setenv(FOLDER_VARIABLE, str(folder))
    _probe.cache_clear()
    shape_cache_at.cache_clear()


def save() -> None:
    shape_cache_at(cache_file()).save()


def dense(units: int, features: int = 10) -> ProbeResult:
    spec = REGISTRY.get("dense")
    return probe(spec, spec.coerce_params({"units": units}), (TensorInfo((features,)),))


def conv(size: int) -> ProbeResult:
    spec = REGISTRY.get("conv2d")
    params = spec.coerce_params({"filters": 4, "kernel_size": 5})
    return probe(spec, params, (TensorInfo((1, size, size)),))


@pytest.mark.parametrize("name", ["lenet5_digits", "resnet_digits_blocks"])
def test_a_project_seen_before_is_validated_and_summarized_without_torch(name, tmp_path, capsys):
    path = str(PROJECTS / f"{name}.json")
    assert cli_main(["summary", path]) == 0
    expected_summary = capsys.readouterr().out

    cold = netdesigner(tmp_path, "validate", path)
    assert cold.returncode == 0, cold.stderr
    assert cold.stdout.endswith("torch imported: True\n")
    assert (tmp_path / "shapes.json").is_file()

    warm = netdesigner(tmp_path, "validate", path)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout.replace("True", "False")

    summary = netdesigner(tmp_path, "summary", path)
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout == expected_summary + "torch imported: False\n"


def test_a_result_is_found_again_and_a_changed_input_misses(tmp_path, monkeypatch):
    new_process(monkeypatch, tmp_path)
    result = dense(7)
    with pytest.raises(ProbeError) as refused:
        conv(3)
    refusal = str(refused.value)
    save()

    new_process(monkeypatch, tmp_path)
    with cached_results_only():
        assert dense(7) == result
        assert result.output == TensorInfo((7,)) and result.params == 77 and result.macs == 70
        with pytest.raises(ProbeError) as again:
            conv(3)
        assert str(again.value) == refusal
        with pytest.raises(ProbeDeferred):
            dense(8)  # another param
        with pytest.raises(ProbeDeferred):
            dense(7, features=11)  # another input shape
        with pytest.raises(ProbeDeferred):
            conv(9)


def test_an_analysis_put_off_midway_finishes_later_as_a_new_one_would(tmp_path, monkeypatch):
    new_process(monkeypatch, tmp_path)
    doc = load_project(PROJECTS / "lenet5_digits.json").graph
    Analyzer(doc).report()
    save()
    doc.set_param(doc.find("fc2").id, "units", 50)  # fc2 and fc3 not seen so
    new_process(monkeypatch, tmp_path)
    analyzer = Analyzer(doc)
    with cached_results_only(), pytest.raises(ProbeDeferred):
        analyzer.report()
    report = analyzer.report()
    assert report == Analyzer(doc).report()
    assert report.ok and report.nodes[doc.find("fc3").id].params == 50 * 10 + 10


def test_a_failure_of_the_machine_is_not_kept(tmp_path, monkeypatch):
    new_process(monkeypatch, tmp_path)
    with monkeypatch.context() as broken:
        broken.setattr(probe_module, "probe_class", failed_import)
        with pytest.raises(ProbeError, match="No module named 'sympy'"):
            dense(7)
    save()
    new_process(monkeypatch, tmp_path)
    with cached_results_only(), pytest.raises(ProbeDeferred):
        dense(7)
    assert dense(7).params == 77


def failed_import(source: str) -> type:
    raise ModuleNotFoundError("No module named 'sympy'")


def test_another_torch_build_misses(tmp_path, monkeypatch):
    new_process(monkeypatch, tmp_path)
    dense(7)
    save()
    new_process(monkeypatch, tmp_path)
    monkeypatch.setattr(probe_key, "torch_build", lambda: "__version__ = '9.9.9'")
    with cached_results_only(), pytest.raises(ProbeDeferred):
        dense(7)


def test_the_key_names_the_torch_build_that_import_would_load():
    import torch

    assert f"__version__ = '{torch.__version__}'" in probe_key.torch_build()


DAMAGED = {
    "empty": b"",
    "not json": b'{"format": 1, "results": {',
    "not utf-8": b"\xff\xfe\x00garbage",
    "a list": b"[1, 2, 3]",
    "another format": b'{"format": 99, "results": {}}',
    "results not a map": b'{"format": 1, "results": [1]}',
    "nested too deep": b"[" * 200_000,
}


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_a_damaged_file_is_ignored_and_rebuilt(content, tmp_path, monkeypatch):
    (tmp_path / "shapes.json").write_bytes(content)
    new_process(monkeypatch, tmp_path)
    result = dense(7)
    assert result.output == TensorInfo((7,)) and result.params == 77
    save()
    data = json.loads((tmp_path / "shapes.json").read_text())
    assert data["format"] == FORMAT and len(data["results"]) == 1
    new_process(monkeypatch, tmp_path)
    with cached_results_only():
        assert dense(7) == result


@pytest.mark.parametrize(
    "entry", ["junk", None, {"shape": "x"}, {"shape": [7], "dtype": "float"}, {"error": 3}]
)
def test_an_entry_that_cannot_be_read_is_probed_again(entry, tmp_path, monkeypatch):
    new_process(monkeypatch, tmp_path)
    expected = dense(7)
    save()
    file = tmp_path / "shapes.json"
    data = json.loads(file.read_text())
    data["results"] = dict.fromkeys(data["results"], entry)
    file.write_text(json.dumps(data))
    new_process(monkeypatch, tmp_path)
    with cached_results_only(), pytest.raises(ProbeDeferred):
        dense(7)
    assert dense(7) == expected


def test_the_command_works_on_from_a_damaged_file(tmp_path):
    (tmp_path / "shapes.json").write_bytes(b'{"format": 1, "results": {"a": ')
    path = str(PROJECTS / "mlp_iris.json")
    result = netdesigner(tmp_path, "validate", path)
    assert result.returncode == 0
    assert result.stdout == f"{path}: valid, 7 nodes\ntorch imported: True\n"
    assert result.stderr == ""
    assert len(read_results(tmp_path / "shapes.json")) == 4  # three Dense, one ReLU


def test_the_oldest_results_go_first_beyond_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(shape_cache, "LIMIT", 3)
    first = ShapeCache(tmp_path / "shapes.json")
    for index in range(4):
        first.put(f"key{index}", index)
    first.save()
    second = ShapeCache(tmp_path / "shapes.json")
    second.put("key0", 10)  # written again: the newest now
    second.save()
    assert read_results(tmp_path / "shapes.json") == {"key2": 2, "key3": 3, "key0": 10}


def test_a_save_merges_what_another_process_wrote_since(tmp_path):
    one, two = ShapeCache(tmp_path / "shapes.json"), ShapeCache(tmp_path / "shapes.json")
    assert one.get("a") is None and two.get("b") is None  # both have read the (empty) file
    one.put("a", 1)
    one.save()
    two.put("b", 2)
    two.save()
    assert read_results(tmp_path / "shapes.json") == {"a": 1, "b": 2}


def test_a_folder_that_cannot_be_written_costs_only_the_save(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    cache = ShapeCache(blocked / "shapes.json")  # its folder is a file
    cache.put("a", 1)
    cache.save()
    assert cache.get("a") == 1


WRITER = """
import sys
from pathlib import Path
from designer.compiler.shape_cache import ShapeCache

cache = ShapeCache(Path(sys.argv[1]))
for round in range(25):
    cache.put(f"{sys.argv[2]}-{round}", {"round": round, "filler": "x" * 20000})
    cache.save()
"""


def test_writers_at_once_never_leave_half_a_file(tmp_path):
    path = tmp_path / "shapes.json"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"writer{index}"], cwd=ROOT)
        for index in range(4)
    ]
    reads = 0
    while any(writer.poll() is None for writer in writers):
        try:
            text = path.read_text()
        except FileNotFoundError:
            continue
        data = json.loads(text)  # a file caught half-written would not parse
        assert data["format"] == FORMAT
        reads += 1
    assert [writer.returncode for writer in writers] == [0, 0, 0, 0]
    assert reads > 0
    results = read_results(path)
    assert all(value["filler"] == "x" * 20000 for value in results.values())
    # The last save merged the file as it found it: its writer's last result is there.
    assert any(f"writer{index}-24" in results for index in range(4))
    assert not list(tmp_path.glob(".shapes.json.*.tmp"))
