"""One export as the user asked for it: the script (model only or the full training script) and
the weights, ONNX and TorchScript files beside it, written one by one. The command line and
the app's Export dialog both go through here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

from designer.compiler import Analyzer, CompileError, generate
from designer.export.errors import ExportError
from designer.export.network import Network, build_network
from designer.project import Project
from designer.runtime.files import write_atomically
from designer.training.output_owners import check_outputs


@dataclass(frozen=True)
class ExportRequest:
    """What to write. Weights come from `weights_run` (best checkpoint, else last); ONNX and
    TorchScript carry that run's weights too, or the network's seeded starting weights.
    `force` lets an output replace the project or a run's file."""

    script: Path | None = None
    model_only: bool = False
    weights_run: str | None = None
    weights: tuple[Path, ...] = ()
    onnx: Path | None = None
    torchscript: Path | None = None
    force: bool = False

    def paths(self) -> list[Path]:
        """Every file the request writes, in the order they are written."""
        return [
            path
            for path in (self.script, *self.weights, self.onnx, self.torchscript)
            if path is not None
        ]


def script_source(project: Project, model_only: bool) -> str:
    """The exact text the script file gets. Raises ExportError or SetupError (for a full
    script, whatever would stop the app from training the project) naming what is wrong."""
    if not model_only:
        from designer.export.script import training_script

        return training_script(project).source
    try:
        return generate(project.graph, Analyzer(project.graph).report(), project.name).source
    except CompileError as error:
        raise ExportError(f"cannot export: {error}", "graph") from None


def export(project: Project, request: ExportRequest) -> Iterator[str]:
    """Write the requested files, yielding a line for each as it is written (with the check
    that read it back). Stops at the first problem with ExportError / SetupError; the files
    written before it stay, each complete (every write is atomic). Every path is checked
    first (OutputRefused): nothing is written when one of them is no place for a file, or is
    the project or a run's file without `force`."""
    check_outputs(request.paths(), project.path, "exported", request.force)
    if request.weights and request.weights_run is None:
        raise ExportError("weights come from a training run: choose the run to take them from")
    network = origin = None
    if request.weights or request.onnx or request.torchscript:
        network = build_network(project.graph, project.name)
        if request.weights_run is not None:
            origin = load_run(network, project, request.weights_run)
        else:
            origin = starting_weights(network, project)
    if request.script is not None:
        source = script_source(project, request.model_only)
        write_atomically(request.script, source)
        what = "model class" if request.model_only else "training script"
        yield f"wrote {request.script.name} ({what}, {len(source.splitlines())} lines)"
    if network is None:
        return
    from designer.export.weights import export_weights

    for path in request.weights:
        state = network.module.state_dict()
        yield export_weights(state, path, project.name, network.code.class_name).summary()
    if request.onnx is not None:
        from designer.export.onnx_file import export_onnx

        yield f"{export_onnx(network, request.onnx).summary()} [{origin}]"
    if request.torchscript is not None:
        from designer.export.torchscript_file import export_torchscript

        yield f"{export_torchscript(network, request.torchscript).summary()} [{origin}]"


def starting_weights(network: Network, project: Project) -> str:
    """Give the module the weights a run of the project starts from (its seed)."""
    seed = project.training.get("seed", 0) if isinstance(project.training, dict) else 0
    torch.manual_seed(seed if isinstance(seed, int) and not isinstance(seed, bool) else 0)
    network.module.load_state_dict(type(network.module)().state_dict())
    return "untrained weights: no run chosen"


def load_run(network: Network, project: Project, run: str) -> str:
    from designer.export.run_weights import run_weights
    from designer.export.weights import load_weights

    if project.path is None:
        raise ExportError("save the project and train it first: weights come from its runs")
    weights = run_weights(project.path, run)
    load_weights(network.module, weights.state, str(weights.path))
    return f"weights of run {weights.run_id}, {weights.kind} checkpoint"
