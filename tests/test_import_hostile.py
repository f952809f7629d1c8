"""`netdesigner import` on hostile input: a shape too large to trace, a module name that is
not a name or not there, a file or constructor that raises or exits: one line naming the file
and what is wrong, exit 2, nothing allocated or written."""

from __future__ import annotations

import pytest

from designer.cli import main
from designer.importer import parse_shape
from designer.importer.errors import ImportProblem
from designer.importer.loading import load_module

NET = """\
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)


def make():
    return Net()
"""


def imported(tmp_path, spec: str, *shape: str) -> tuple[int, bool]:
    """The exit code, and whether the output is still not there."""
    code = main(["import", spec, "--input-shape", *(shape or ("4",)), "-o", str(tmp_path / "o")])
    return code, not (tmp_path / "o").exists()


def one_error(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


def test_a_shape_too_large_to_trace_is_refused_before_anything_is_allocated(tmp_path, capsys):
    module = tmp_path / "net.py"
    module.write_text(NET)
    assert imported(tmp_path, f"{module}:Net", "1000000x1000000") == (2, True)
    line = one_error(capsys)
    assert line.startswith(
        "netdesigner: input shape '1000000x1000000': makes example batches of 3 x "
        "1,000,000,000,000 values (21.8 TiB) to trace the module with, more than an eighth of "
    )
    assert line.endswith(" free; give a smaller shape")
    assert parse_shape("3x224x224") == (3, 224, 224)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("x; rm", "'x; rm' is not the name of a class or function"),
        ("'Net'", "\"'Net'\" is not the name of a class or function"),
        ("Net.class", "'Net.class' is not the name of a class or function"),
        ("__builtins__.exit", "'__builtins__.exit' is not the name of a class or function"),
        ("Nope", "defines no 'Nope'"),
        ("Net.nope", "defines no 'Net.nope'"),
    ],
)
def test_a_name_that_is_not_there_says_what_the_file_offers(tmp_path, capsys, name, problem):
    module = tmp_path / "net.py"
    module.write_text(NET)
    assert imported(tmp_path, f"{module}:{name}") == (2, True)
    assert one_error(capsys) == (
        f"netdesigner: {module}: {problem} (its nn.Module classes: Net; its functions: make)"
    )


def test_a_module_getattr_that_raises_is_a_missing_name(tmp_path, capsys):
    module = tmp_path / "net.py"
    module.write_text(NET + "\n\ndef __getattr__(name):\n    raise KeyError(name)\n")
    assert imported(tmp_path, f"{module}:Nope") == (2, True)
    assert one_error(capsys).endswith(
        f"{module}: defines no 'Nope' (its nn.Module classes: Net; its functions: make)"
    )


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("import sys\nsys.exit('bye')\n", "line 2: fails when run: it calls sys.exit('bye')"),
        ("raise OSError('no disk')\n", "line 1: fails when run: OSError: no disk"),
        (
            NET.replace("super().__init__()", "raise SystemExit(3)"),
            "line 6: Net() fails: it calls sys.exit(3)",
        ),
        (
            NET.replace("super().__init__()", "raise RuntimeError('a\\nb')"),
            "line 6: Net() fails: RuntimeError: a",
        ),
    ],
)
def test_a_file_or_constructor_that_raises_or_exits_is_one_line(tmp_path, capsys, code, problem):
    module = tmp_path / "net.py"
    module.write_text(code)
    with pytest.raises(ImportProblem):
        load_module(f"{module}:Net")
    assert imported(tmp_path, f"{module}:Net") == (2, True)
    assert one_error(capsys) == f"netdesigner: {module}: {problem}"
