"""Imports that keep what the catalog lacks as custom code: a class or function of the user's
own that fx cannot trace comes in with its source, a torch call with no layer by its import
path, a module that depends on the mode whole (one the catalog maps is its layer instead); the
notes name each; the exported class computes what the module does; the project file keeps it
all; and the command line runs the code only with --trust."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import torch
from torch import nn

from designer.cli import main
from designer.compiler import Analyzer, generate
from designer.compiler.code_trust import forget
from designer.importer import ImportProblem, import_module, load_module, map_state_dict
from designer.project import load_project, save_project
from designer.project.files import project_to_text
from designer.runtime.vision import import_torchvision
from tests.script_helpers import (
    PINNED,
    app_epochs,
    as_printed,
    printed_epochs,
    run_script,
    saved_epochs,
    write_script,
)

MODEL = '''
import math

import torch
from torch import nn

LIMIT = 3.0


def soft_clip(x):
    """Squashes large values; fx cannot trace it: it reads a value."""
    if float(x.detach().abs().max()) > LIMIT:
        return LIMIT * torch.tanh(x / LIMIT)
    return x


class Gate(nn.Module):
    def __init__(self, width: int, threshold: float = 0.0):
        super().__init__()
        self.scale = nn.Parameter(torch.linspace(0.5, 1.5, width))
        self.threshold = threshold

    def forward(self, x):
        if x.mean() > self.threshold:
            return x * self.scale
        return x * math.sqrt(2.0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 16)
        self.gate = Gate(16, threshold=0.1)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        x = soft_clip(self.gate(torch.relu(self.fc1(x))))
        return self.fc2(torch.cumsum(x, dim=1))


def make_local():
    class Local(nn.Module):
        def forward(self, x):
            if x.sum() > 0:
                return x
            return -x

    net = nn.Sequential(nn.Linear(4, 4), Local())
    return net
'''


@pytest.fixture(autouse=True)
def untrusted():
    """Importing trusts the code it imported, in this process: each test starts afresh."""
    forget()
    yield
    forget()


@pytest.fixture
def models(tmp_path: Path) -> Path:
    path = tmp_path / "custom_models.py"
    path.write_text(MODEL)
    return path


def inputs() -> torch.Tensor:
    """Rows whose gate goes either way, and values large enough to be clipped."""
    generator = torch.Generator().manual_seed(3)
    return torch.randn(6, 4, generator=generator) * torch.tensor([[4.0], [0.1]]).repeat(3, 1)


def test_what_fx_cannot_trace_comes_in_as_custom_code_that_computes_the_same(models, tmp_path):
    module = load_module(f"{models}:Net").eval()
    result = import_module(module, [(4,)], "Net")
    doc = result.project.graph
    custom = {node.name: node.params for node in doc.nodes() if node.kind == "custom_code"}
    assert set(custom) == {"gate", "soft_clip", "cumsum"}
    assert custom["gate"]["call"] == "module" and custom["gate"]["init"] == (
        "width=16, threshold=0.1"
    )
    assert custom["gate"]["code"].startswith("import math\n\nimport torch\nfrom torch import nn")
    assert "LIMIT = 3.0\n\n\ndef soft_clip(x):" in custom["soft_clip"]["code"]
    assert custom["cumsum"]["target"] == "torch:cumsum" and not custom["cumsum"]["code"]
    notes = "\n".join(result.notes)
    assert "gate (Gate): custom code (carries the class Gate): cannot be traced" in notes
    assert "soft_clip in forward: custom code (carries the function soft_clip)" in notes
    assert "torch.cumsum in forward: custom code (calls torch.cumsum): no catalog layer" in notes

    report = Analyzer(doc).report()
    own = sum(parameter.numel() for parameter in module.parameters())
    assert report.ok and report.total_params == result.params == own == 4 * 16 + 16 + 16 + 51
    code = generate(doc, report, "Net")
    path = tmp_path / "exported.py"
    path.write_text(code.source)
    exported = load_module(f"{path}:{code.class_name}")
    exported.load_state_dict(map_state_dict(result, module.state_dict()))
    exported.eval()
    with torch.no_grad():
        expected, found = module(inputs()), exported(inputs())
    assert float((found - expected).abs().max()) <= 1e-5

    saved = save_project(result.project, tmp_path / "net.json")
    forget()  # a new process: the file's code is not trusted
    loaded = load_project(saved)
    assert project_to_text(loaded) == project_to_text(result.project)
    assert Analyzer(loaded.graph).report().withheld
    assert main(["validate", str(saved), "--trust"]) == 0
    assert generate(loaded.graph, Analyzer(loaded.graph).report(), "Net").source == code.source


def test_the_command_line_runs_carried_code_only_with_trust(models, tmp_path, capsys):
    project = tmp_path / "net.json"
    spec = f"{models}:Net"
    assert main(["import", spec, "--input-shape", "4", "-o", str(project)]) == 0
    assert "note: soft_clip in forward: custom code" in capsys.readouterr().out
    forget()

    assert main(["validate", str(project)]) == 1
    out = capsys.readouterr().out
    assert "Custom code 'gate' runs code of its own (Gate), which is not trusted yet" in out
    assert "custom-code node(s) 'gate', 'soft_clip' carry code of their own" in out
    assert "runs only with --trust" in out
    assert main(["summary", str(project)]) == 1
    out = capsys.readouterr().out
    assert "Valid: not known" in out and "--trust" in out
    assert main(["export", str(project), "-o", str(tmp_path / "net.py"), "--model-only"]) == 2
    err = capsys.readouterr().err
    assert "'gate', 'soft_clip'; it runs only if you trust it: add --trust" in err
    assert not (tmp_path / "net.py").exists()

    assert main(["summary", str(project), "--trust"]) == 0
    out = capsys.readouterr().out
    assert "Parameters: 147" in out and "Valid: yes" in out
    assert main(["export", str(project), "-o", str(tmp_path / "net.py"), "--model-only"]) == 0


def test_the_exported_training_script_carries_the_code_and_trains_like_the_app(models, tmp_path):
    result = import_module(load_module(f"{models}:Net"), [(4,)], "Net")
    project = result.project
    project.dataset = {"source": "iris"}
    project.training = {"batch_size": 16, "seed": 3}
    save_project(project, tmp_path / "net.json")
    script = write_script(project, tmp_path)
    source = script.read_text()
    assert "class Gate(nn.Module):" in source and "LIMIT = 3.0" in source
    assert "        gate = self.gate(relu)" in source
    output = run_script(script, "--epochs", "2", *PINNED, "--output", "out")
    app, _ = app_epochs(project, 2)
    assert printed_epochs(output) == [as_printed(record) for record in app]
    assert saved_epochs(tmp_path / "out") == app


class Residual(nn.Module):
    def __init__(self, drop: nn.Module) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 3, padding=1)
        self.drop = drop

    def forward(self, x):
        return x + self.drop(self.conv(x))


def torchvision_ops():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a build for another torch: said once
        return import_torchvision().ops


def exported_residual(module: nn.Module, tmp_path: Path) -> tuple[str, nn.Module]:
    """The imported module's generated code, and that code loaded with the module's weights."""
    result = import_module(module, [(3, 6, 6)], "Residual")
    doc = result.project.graph
    code = generate(doc, Analyzer(doc).report(), "Residual")
    path = tmp_path / "residual.py"
    path.write_text(code.source)
    exported = load_module(f"{path}:Residual")
    exported.load_state_dict(map_state_dict(result, module.state_dict()))
    return code.source, exported


def test_a_module_that_acts_by_mode_without_a_catalog_layer_is_kept_whole(tmp_path):
    """torchvision's DropBlock2d reads self.training: custom code keeps it whole, so that it
    drops blocks in training only."""
    module = Residual(torchvision_ops().DropBlock2d(0.5, 3)).eval()
    result = import_module(module, [(3, 6, 6)], "Residual")
    node = result.project.graph.find("drop")
    assert (node.kind, node.params["target"], node.params["init"]) == (
        "custom_code",
        "torchvision.ops:DropBlock2d",
        "p=0.5, block_size=3",
    )
    assert any("drop (DropBlock2d): custom code" in note for note in result.notes)
    source, exported = exported_residual(module, tmp_path)
    assert "self.drop = torchvision.ops.DropBlock2d(p=0.5, block_size=3)" in source
    images = torch.randn(32, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(exported.eval()(images), module(images))
        torch.manual_seed(0)
        trained = exported.train()(images)
    dropped = int(((trained - images) == 0).sum())
    assert 0 < dropped < images.numel()  # blocks of the branch dropped, not all


def test_a_module_the_catalog_maps_is_its_layer_not_custom_code(tmp_path):
    """torchvision's StochasticDepth reads self.training too, but the catalog has it: it
    comes in as a StochasticDepth layer, which draws the same random numbers in training."""
    module = Residual(torchvision_ops().StochasticDepth(0.5, "row")).eval()
    result = import_module(module, [(3, 6, 6)], "Residual")
    node = result.project.graph.find("drop")
    assert (node.kind, node.params) == ("stochastic_depth", {"p": 0.5, "mode": "row"})
    assert not any("custom code" in note for note in result.notes)
    source, exported = exported_residual(module, tmp_path)
    assert source.count("class StochasticDepth(nn.Module):") == 1
    assert 'self.drop = StochasticDepth(0.5, "row")' in source
    images = torch.randn(32, 3, 6, 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(exported.eval()(images), module(images))
        torch.manual_seed(0)
        trained = exported.train()(images)
        torch.manual_seed(0)
        assert torch.equal(trained, module.train()(images))
    dropped = (trained - images).flatten(1).abs().amax(dim=1) == 0
    assert 0 < int(dropped.sum()) < 32  # whole rows of the branch dropped, not all


def test_a_class_defined_inside_a_function_cannot_be_carried_and_fx_cause_is_kept(models):
    module = load_module(f"{models}:make_local")
    with pytest.raises(ImportProblem) as raised:
        import_module(module, [(4,)], "Local")
    message = str(raised.value)
    assert "cannot be traced with torch.fx" in message
    assert "`if x.sum() > 0:` in the forward of 1 (Local) decides on a traced value" in message
