"""The exported script carries the runtime's own source: copied text equal to the runtime's,
only what a project uses, and no training logic written as text anywhere in the exporter."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import designer.export
from designer.export.runtime_copy import copy_runtime, read_module, runtime_modules
from designer.export.script import training_script
from designer.project import load_project
from tests.helpers import EXAMPLES, PROJECTS

RUNTIME_RULES = "E,F,W,B,UP,SIM,RUF"


def runtime_objects() -> dict[str, object]:
    """Every function and class the runtime defines, by name."""
    objects = {}
    for name in runtime_modules():
        module = __import__(f"designer.runtime.{name}", fromlist=["_"])
        objects.update(
            (key, value)
            for key, value in vars(module).items()
            if (inspect.isfunction(value) or inspect.isclass(value))
            and value.__module__ == module.__name__
        )
    return objects


def script_definitions(source: str) -> dict[str, str]:
    """The text of each top-level function and class of a script, decorators included."""
    lines = source.splitlines()
    found = {}
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.FunctionDef | ast.ClassDef):
            first = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
            found[statement.name] = "\n".join(lines[first - 1 : statement.end_lineno])
    return found


def test_every_example_script_holds_the_runtime_source_unchanged():
    objects = runtime_objects()
    for example in EXAMPLES:
        script = training_script(load_project(example))
        definitions = script_definitions(script.source)
        copied = [name for name in definitions if name in objects]
        assert {"main", "train", "Step", "Evaluation", "prepare"} <= set(copied), example
        for name in copied:
            assert definitions[name] == inspect.getsource(objects[name]).rstrip(), name


def test_a_changed_runtime_function_is_found_different():
    """The comparison above can fail: a script edited by one character no longer matches."""
    script = training_script(load_project(PROJECTS / "mlp_iris.json"))
    edited = script.source.replace("model.eval()", "model.train()", 1)
    definitions = script_definitions(edited)
    source = inspect.getsource(runtime_objects()["Evaluation"]).rstrip()
    assert definitions["Evaluation"] != source


def test_a_script_carries_only_what_its_project_uses():
    lenet = training_script(load_project(PROJECTS / "lenet5_digits.json")).source
    names = set(script_definitions(lenet))
    assert {"Digits", "ClassScores", "OneCycle"} <= names
    unused = {"CsvTable", "ImageFolder", "SineWaves", "Plateau", "Cosine", "ValueScores"}
    assert not names & unused
    assert "sequence_cross_entropy" not in names and "MultilabelScores" not in names
    regression = training_script(load_project(PROJECTS / "regression_diabetes.json")).source
    assert {"Diabetes", "ValueScores"} <= set(script_definitions(regression))
    assert "ClassScores" not in script_definitions(regression)


def test_the_whole_runtime_in_one_script_is_ruff_clean(tmp_path):
    """Any project's script holds a part of the runtime: all of it together must not shadow
    or redefine a name (ruff's pyflakes rules), so no combination can."""
    copied = copy_runtime(
        {name for module in runtime_modules().values() for name in module.definitions}
    )
    body = [d.source for _, definitions in copied.modules for d in definitions]
    path = tmp_path / "runtime.py"
    imports = sorted(copied.imports, key=lambda line: ("__future__" not in line, line))
    path.write_text("\n".join([*imports, "", "", "\n\n\n".join(body), ""]))
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--select", RUNTIME_RULES, str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_no_exporter_file_holds_code_written_as_text():
    """Training, data, metric and optimizer logic lives in designer.runtime, copied from
    there: no string in the exporter is a function or a loop."""
    folder = Path(inspect.getfile(designer.export)).parent
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            try:
                parsed = ast.parse(node.value)
            except SyntaxError:
                continue
            logic = (ast.FunctionDef, ast.ClassDef, ast.For, ast.While, ast.With)
            assert not any(isinstance(inner, logic) for inner in ast.walk(parsed)), path.name


def test_a_runtime_statement_the_exporter_cannot_copy_is_an_error_not_a_gap():
    """Annotated or conditional top-level code would otherwise be left out of scripts."""
    for text in ('"""Doc."""\nLIMIT: int = 3\n', '"""Doc."""\nif True:\n    LIMIT = 3\n'):
        with pytest.raises(ValueError, match="line 2: the exporter copies imports"):
            read_module("example", text)
    assert read_module("example", '"""Doc."""\nLIMIT = 3\n').definitions["LIMIT"].source
