"""The full training script: the app's losses epoch by epoch on every example and data source,
the same training under torchrun, clean under ruff, safe with any names, clear refusals."""

from __future__ import annotations

import ast
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from designer.compiler import Analyzer, generate
from designer.compiler.code_text import LINE_LENGTH, string_lines, string_literal
from designer.data import SOURCES, SetupError
from designer.data.source_choice import SourceChoice
from designer.export.script import training_script
from designer.export.script_settings import PART_LENGTH, text_literal
from designer.project import load_project
from designer.runtime.builtin_sets import ScikitTable
from tests.helpers import EXAMPLES, PROJECTS
from tests.script_helpers import (
    PINNED,
    app_epochs,
    as_printed,
    dense_chain,
    printed_epochs,
    run_script,
    run_scripts,
    saved_epochs,
    small_project,
    source_projects,
    write_script,
)
from tests.train_helpers import example_copy

EPOCHS = ("--epochs", "2")
RUFF_RULES = "E,F,W,I,B,UP,SIM,RUF"
HOSTILE = "x'\"\"\"\n__import__('os').system('touch SENTINEL') # \\ class import Мир 🙂"


def assert_trains_like_the_app(output: str, folder: Path, app: list[dict[str, float]]) -> None:
    """The script prints 6 significant digits: the printed values must equal the app's values
    printed the same way (no tolerance beyond that rounding). metrics.json keeps the full
    floats, which must be equal bit for bit."""
    assert printed_epochs(output) == [as_printed(record) for record in app]
    assert saved_epochs(folder) == app


@pytest.mark.parametrize("name", ["mlp_iris", "lenet5_digits", "resnet_digits"])
def test_an_example_script_trains_exactly_like_the_app(tmp_path, name):
    project = example_copy(tmp_path, name)
    output = run_script(write_script(project, tmp_path), *EPOCHS, *PINNED, "--output", "out")
    app, trainer = app_epochs(project, 2)
    assert_trains_like_the_app(output, tmp_path / "out", app)
    best = torch.load(tmp_path / "out" / "best.pt", weights_only=True)
    last = torch.load(tmp_path / "out" / "last.pt", weights_only=True)
    kept = trainer.model.state_dict()
    assert best["model"].keys() == kept.keys()
    assert all(torch.equal(best["model"][key], value) for key, value in kept.items())
    assert last["epoch"] == 2 and {"optimizer", "metrics"} <= set(last)
    assert "kept the weights of epoch" in output and "test_loss=" in output


def test_every_example_script_trains_exactly_like_the_app_for_an_epoch(tmp_path):
    scripts, projects = {}, {}
    for example in EXAMPLES:
        folder = tmp_path / example.stem
        folder.mkdir()
        projects[example.stem] = example_copy(folder, example.stem)
        scripts[example.stem] = write_script(projects[example.stem], folder)
    outputs = run_scripts(list(scripts.values()), "--epochs", "1", *PINNED, "--output", "out")
    for name, script in scripts.items():
        app, _ = app_epochs(projects[name], 1)
        assert len(app) == 1, name
        assert_trains_like_the_app(outputs[script], script.parent / "out", app)


def test_every_data_source_trains_exactly_like_the_app(tmp_path):
    projects = source_projects(tmp_path)
    scripts = {key: write_script(project, tmp_path / key) for key, project in projects.items()}
    outputs = run_scripts(list(scripts.values()), *EPOCHS, *PINNED, "--output", "out")
    for key, script in scripts.items():
        app, _ = app_epochs(projects[key], 2)
        assert len(app) == 2, key
        assert_trains_like_the_app(outputs[script], script.parent / "out", app)


def torchrun(script: Path, *runner: str) -> str:
    """What process 0 of the script printed for one epoch under torchrun on two processes
    (process 1 must print nothing); `runner`: a program in the script's folder that runs
    the script (and its arguments), if not run itself."""
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc-per-node=2", "--log-dir", "logs", "--redirects", "3"]
    command += [*runner, script.name, "--epochs", "1", *PINNED, "--output", "out"]
    folder = script.parent
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr + process_errors(folder)
    first, second = sorted(folder.glob("logs/*/attempt_0/[01]/stdout.log"))
    assert second.read_text() == ""  # only process 0 prints and saves
    output = first.read_text()
    assert "on cpu, 2 process(es)" in output
    return output


def process_errors(folder: Path) -> str:
    """What each process wrote to its stderr (torchrun keeps it in a log file)."""
    return "".join(
        f"\n--- process {log.parent.name}, {log.relative_to(folder)}:\n{log.read_text()}"
        for log in sorted(folder.glob("logs/*/attempt_*/*/stderr.log"))
    )


# Linux lists a process's threads in /proc: a runner notes them before the script and after
# it, as Python is about to shut down.
SEES_THREADS = Path("/proc/self/task").is_dir()
THREADS_LEFT = """
import json, os, runpy, sys
from pathlib import Path


def thread_names():
    tasks = Path("/proc/self/task").iterdir()
    return sorted(Path(task, "comm").read_text().strip() for task in tasks)


started = thread_names()
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
Path(f"threads-{os.environ['RANK']}.json").write_text(json.dumps([started, thread_names()]))
"""


def threads_runner(folder: Path) -> tuple[str, ...]:
    """The `runner` for torchrun() that notes the threads (none where Linux's /proc is
    missing)."""
    if not SEES_THREADS:
        return ()
    (folder / "threads_left.py").write_text(THREADS_LEFT)
    return ("threads_left.py",)


def assert_no_thread_left(folder: Path) -> None:
    """A gloo thread that outlives the script frees the last collectives' tensors when it
    next runs (the barrier's work holds the broadcast's); if Python is shutting down by
    then, the thread cannot take the GIL and the process aborts now and then ("terminate
    called without an active exception")."""
    for rank in (0, 1):
        started, left = json.loads((folder / f"threads-{rank}.json").read_text())
        assert left == started, f"process {rank} in {folder.name}"


@pytest.mark.slow
def test_every_example_script_trains_under_torchrun_on_two_processes(tmp_path):
    for example in EXAMPLES:
        folder = tmp_path / example.stem
        folder.mkdir()
        script = write_script(example_copy(folder, example.stem), folder)
        output = torchrun(script, *threads_runner(folder))
        assert len(printed_epochs(output)) == 1, example.stem
        if SEES_THREADS:
            assert_no_thread_left(folder)


def test_the_script_trains_under_torchrun_like_the_app(tmp_path):
    project = example_copy(tmp_path, "mlp_iris")
    output = torchrun(write_script(project, tmp_path))
    (epoch,) = printed_epochs(output)
    (single,), _ = app_epochs(project, 1)
    # The same first weights, global batch (2 x 8) and number of steps; only the order of
    # the samples differs (DistributedSampler), which moves one epoch's losses by about 1 %.
    for name in ("train_loss", "val_loss"):
        assert float(epoch[name]) == pytest.approx(single[name], rel=0.05), name
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "best.pt",
        "last.pt",
        "metrics.json",
    ]
    state = torch.load(tmp_path / "out" / "last.pt", weights_only=True)
    assert not any(key.startswith("module.") for key in state["model"])


def hostile_project(folder: Path, layer_name: str = HOSTILE):
    """Quotes, newlines, code, keywords and unicode in every name a user can type."""
    table = folder / 'we\'ird "data".csv'
    with table.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([HOSTILE, "import", "y\u200b"])
        writer.writerows([index % 7, index % 5 - 2, "ab"[index % 3 % 2]] for index in range(60))
    layers = [
        ("dense", layer_name, {"units": 4}),
        ("relu", "class", {}),
        ("dense", "import", {"units": 2}),
    ]
    dataset = {"source": "csv", "path": table.name, "target": "y\u200b"}
    project = small_project(folder, dataset, (2,), layers, name=HOSTILE)
    project.description = HOSTILE * 3
    return project


def test_hostile_names_stay_text_and_the_script_runs(tmp_path):
    project = hostile_project(tmp_path)
    script = write_script(project, tmp_path)
    tree = ast.parse(script.read_text(encoding="utf-8"))
    values = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    assert ast.literal_eval(values["PROJECT_NAME"]) == HOSTILE
    source = {item.arg: ast.literal_eval(item.value) for item in values["DATA_SOURCE"].keywords}
    assert source["target"] == "y\u200b" and source["features"] is None
    assert source["path"] == str((tmp_path / 'we\'ird "data".csv').resolve())
    output = run_script(script, "--epochs", "1", *PINNED)
    assert len(printed_epochs(output)) == 1
    assert not list(tmp_path.rglob("SENTINEL")) and not Path("SENTINEL").exists()


def test_generated_scripts_pass_ruff_check_and_format(tmp_path):
    """Every example, every data source and its settings, and hostile names. (Not a long
    layer name: the generated class writes each forward line on one line, however long.)"""
    scripts = []
    for example in EXAMPLES:
        (tmp_path / example.stem).mkdir()
        scripts.append(write_script(load_project(example), tmp_path / example.stem))
    (tmp_path / "sources").mkdir()
    for key, project in source_projects(tmp_path / "sources").items():
        scripts.append(write_script(project, tmp_path / "sources" / key))
    (tmp_path / "hostile").mkdir()
    hostile = hostile_project(tmp_path / "hostile", layer_name="def'\n\"")
    scripts.append(write_script(hostile, tmp_path / "hostile"))
    ruff = [sys.executable, "-m", "ruff"]
    for command in (["check", "--select", RUFF_RULES], ["format", "--check"]):
        result = subprocess.run(
            [*ruff, *command, "--isolated", *map(str, scripts)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_script_holds_the_generated_class_unchanged_and_its_names_cannot_clash(tmp_path):
    for name in ("Path", "SEED", "Main", "Image", "datasets", "Digits", "Step", "Any"):
        project = example_copy(tmp_path, "mlp_iris")
        project.name = name
        script = training_script(project)
        code = generate(project.graph, Analyzer(project.graph).report(), name)
        class_text = code.source[code.source.index(f"class {code.class_name}(") :]
        assert class_text in script.source and script.class_name == code.class_name
        tree = ast.parse(script.source)
        bound = [name for node in tree.body for name in bound_names(node)]
        assert bound.count(code.class_name) == 1, name
        assert len(bound) == len(set(bound)), name


def test_layers_named_like_the_runtime_keep_their_names(tmp_path):
    """Only class names avoid the runtime's names: a layer's attribute is its weights' name,
    which must not change when the runtime gains a function."""
    layers = [("dense", "ratio", {"units": 4}), ("relu", "predictions", {}), *dense_chain(3)]
    project = small_project(tmp_path, {"source": "iris"}, (4,), layers)
    source = training_script(project).source
    # The script's own function ratio() and the layer's attribute live side by side.
    assert "self.ratio = nn.Linear(4, 4)" in source and "\ndef ratio(" in source
    output = run_script(write_script(project, tmp_path), "--epochs", "1", *PINNED)
    assert len(printed_epochs(output)) == 1


def bound_names(statement: ast.stmt) -> list[str]:
    """The names a top-level statement binds."""
    if isinstance(statement, ast.Import | ast.ImportFrom):
        return [alias.asname or alias.name for alias in statement.names]
    if isinstance(statement, ast.FunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [target.id for target in statement.targets if isinstance(target, ast.Name)]
    return []


def test_requirements_follow_the_data_source(tmp_path):
    iris = training_script(load_project(PROJECTS / "mlp_iris.json"))
    assert iris.requirements == ("torch", "numpy", "scikit-learn")
    projects = source_projects(tmp_path)
    folder_script = training_script(projects["image_folder"])
    assert folder_script.requirements == ("torch", "numpy", "Pillow")
    # Its data cache goes beside wherever the script runs, not into this project's runs.
    assert 'cache="data-cache"' in folder_script.source
    assert "runs/.data-cache" not in folder_script.source
    augmented = training_script(projects["image_folder_augmented"])
    assert augmented.requirements == ("torch", "numpy", "Pillow", "torchvision")
    assert training_script(projects["csv_values"]).requirements == ("torch", "numpy")
    assert "import torch.distributed as dist" in iris.source


def test_projects_that_cannot_train_cannot_be_exported(tmp_path, monkeypatch):
    project = small_project(
        tmp_path, {"source": "csv", "path": "missing.csv"}, (2,), dense_chain(2)
    )
    with pytest.raises(SetupError) as error:
        training_script(project)
    assert error.value.place == "dataset.path" and "missing.csv" in error.value.message
    project = small_project(tmp_path, {"source": "iris"}, (5,), dense_chain(3))
    with pytest.raises(SetupError) as error:
        training_script(project)
    assert error.value.place == "dataset" and "expects shape 5" in error.value.message
    monkeypatch.setitem(SOURCES, "flowers", lambda section, base: SourceChoice(Flowers()))
    project = small_project(tmp_path, {"source": "flowers"}, (4,), dense_chain(3))
    with pytest.raises(SetupError, match="Flowers is not part of NetDesigner's runtime"):
        training_script(project)


class Flowers:
    """A data source of the app's own, outside the runtime a script can carry."""

    def load(self):
        return ScikitTable("iris").load()


@given(st.text(max_size=300))
def test_any_text_becomes_a_literal_that_gives_it_back(text):
    assert ast.literal_eval(string_literal(text)) == text
    assert ast.literal_eval(text_literal(text)) == text
    parts = string_lines(text, "", PART_LENGTH)
    assert "".join(ast.literal_eval(part) for part in parts) == text
    assert all(len(part) <= PART_LENGTH < LINE_LENGTH for part in parts)
