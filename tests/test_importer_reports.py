"""What a refused import says: every problem in the graph, fx's own cause and the line it
stopped at, torchvision's functions by their module, and an output that cannot be written
refused before anything is loaded or traced."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from torch import nn

from designer.cli import main
from designer.importer import ImportProblem, UnsupportedModule, import_module, load_module
from designer.importer.assemble import function_name
from designer.runtime.vision import import_torchvision

MODELS = """
import torch
import torch.nn.functional as F
from torch import nn


class Several(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 8)
        self.out = nn.Linear(8, 8)

    def forward(self, x):
        h = torch.cumsum(self.fc(x), dim=1)
        h = F.softmax(h, dim=0)
        return self.out(h).transpose(0, 1)


class UsesLen(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        rows = len(x)
        return self.fc(x).reshape(rows, 2, 2)


class Heads(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleList([nn.Linear(4, 4) for _ in range(3)])

    def forward(self, x):
        return sum(head(x) for head in self.heads[: x.size(1) - 2])


class SlicesBySize(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Heads()

    def forward(self, x):
        return self.block(x)


class UnpacksSize(nn.Module):
    def forward(self, x):
        return x + x.new_zeros(x.shape[0], *x.shape[1:])


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        if x.sum() > 0:
            return self.fc(x)
        return x


class Recorded(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        Path(__file__).with_name("built").touch()

    def forward(self, x):
        Path(__file__).with_name("traced").touch()
        return self.fc(x)
"""


@pytest.fixture
def models(tmp_path) -> Path:
    path = tmp_path / "models.py"
    path.write_text("from pathlib import Path\n" + MODELS)
    return path


def line_of(path: Path, code: str) -> int:
    lines = path.read_text().splitlines()
    return next(number for number, line in enumerate(lines, start=1) if code in line)


def test_every_problem_is_listed_also_after_one_that_failed(models: Path):
    with pytest.raises(UnsupportedModule) as raised:
        import_module(load_module(f"{models}:Several"), [(8,)], "Several", custom_code=False)
    # Before, the calls after the cumsum were skipped, as their input had no node.
    assert raised.value.problems == [
        "torch.cumsum in forward: no catalog layer",
        "F.softmax in forward: works across the batch (dim 0); NetDesigner layers work per sample",
        "Tensor.transpose in forward: moves the batch dim; NetDesigner layers keep the batch first",
    ]
    assert "3 problem(s)" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "code", "shape", "cause"),
    [
        (
            "UsesLen",
            "rows = len(x)",
            (4,),
            "fx stopped at `rows = len(x)` in forward: RuntimeError: 'len' is not supported "
            "in symbolic tracing",
        ),
        (
            "SlicesBySize",
            "self.heads[: x.size(1) - 2]",
            (4,),
            "fx stopped at `return sum(head(x) for head in self.heads[: x.size(1) - 2])` in the "
            "forward of block (Heads): TypeError: slice indices must be integers",
        ),
        (
            "UnpacksSize",
            "x.new_zeros(x.shape[0], *x.shape[1:])",
            (4,),
            "fx stopped at `return x + x.new_zeros(x.shape[0], *x.shape[1:])` in forward: "
            "TraceError: Proxy object cannot be iterated",
        ),
    ],
)
def test_a_trace_failure_gives_fx_cause_and_the_line(models, name, code, shape, cause):
    with pytest.raises(ImportProblem) as raised:
        import_module(load_module(f"{models}:{name}"), [shape], name, custom_code=False)
    message = str(raised.value)
    assert message.startswith(f"{name}: models.py line {line_of(models, code)}: ")
    assert f"cannot be traced with torch.fx: {cause}" in message
    assert "decides on a traced value" not in message and "branch" not in message


def test_a_decision_on_a_traced_value_is_said_plainly(models: Path):
    with pytest.raises(ImportProblem) as raised:
        import_module(load_module(f"{models}:Branchy"), [(4,)], "Branchy")
    line = line_of(models, "if x.sum() > 0:")
    assert str(raised.value).startswith(
        f"Branchy: models.py line {line}: cannot be traced with torch.fx: `if x.sum() > 0:` in "
        "forward decides on a traced value: if, while, and, or and bool() cannot look at"
    )


def torchvision():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return import_torchvision()


class DropsBlocks(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.drop = torchvision().ops.DropBlock2d(0.1, 3)

    def forward(self, x):
        return self.drop(self.conv(x))


def test_torchvision_functions_are_named_by_their_module():
    with pytest.raises(UnsupportedModule) as raised:
        import_module(DropsBlocks(), [(3, 8, 8)], "DropsBlocks", custom_code=False)
    assert raised.value.problems == ["torchvision.ops.drop_block2d in drop: no catalog layer"]
    vision = torchvision()
    assert function_name(vision.ops.stochastic_depth) == "torchvision.ops.stochastic_depth"
    swin = vision.models.swin_transformer
    assert (
        function_name(swin._patch_merging_pad)
        == "torchvision.models.swin_transformer._patch_merging_pad"
    )


def import_args(models: Path, output: Path, *extra: str) -> list[str]:
    return ["import", f"{models}:Recorded", "--input-shape", "4", "-o", str(output), *extra]


def test_an_output_that_cannot_be_written_is_refused_before_loading(models, tmp_path, capsys):
    taken = tmp_path / "taken.json"
    taken.write_text("mine")
    folder = tmp_path / "folder.json"
    folder.mkdir()
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    nowhere = tmp_path / "nowhere"
    refusals = [
        (nowhere / "p.json", (), f"cannot be written: the folder {nowhere} does not exist"),
        (taken, (), "exists already; choose another name or add --force"),
        (folder, ("--force",), "is a folder, not a file: nothing was written"),
        (fifo, ("--force",), "is a FIFO (named pipe), not a file: nothing was written"),
        (Path(os.devnull), ("--force",), "is a character device, not a file: nothing was written"),
    ]
    for output, extra, message in refusals:
        assert main(import_args(models, output, *extra)) == 2
        assert capsys.readouterr().err.startswith(f"netdesigner: {output}: {message}")
        assert not (tmp_path / "built").exists() and not (tmp_path / "traced").exists()
    assert taken.read_text() == "mine"
    missing = tmp_path / "missing.pt"
    assert main(import_args(models, tmp_path / "new.json", "--weights", str(missing))) == 2
    assert f"{missing}: no such file" in capsys.readouterr().err
    assert not (tmp_path / "built").exists() and not (tmp_path / "traced").exists()
    assert main(import_args(models, taken, "--force")) == 0
    assert (tmp_path / "traced").exists() and taken.read_text() != "mine"
