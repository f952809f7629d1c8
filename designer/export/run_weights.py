"""The trained weights of a run: its best checkpoint, else its last, from the project's runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from designer.export.errors import ExportError
from designer.training.checkpoint import CheckpointError, load_checkpoint
from designer.training.runs import list_runs, open_run, runs_root

PREFERENCE = ("best", "last")


@dataclass(frozen=True)
class RunWeights:
    """A run's model state dict, the checkpoint file it came from and which one it is."""

    state: dict[str, torch.Tensor]
    path: Path
    kind: str
    run_id: str


def run_weights(project_path: str | Path, run: str) -> RunWeights:
    """The state dict of `run` (an id under runs/<project>/, or a run folder's path)."""
    project_path = Path(project_path)
    try:
        folder = open_run(project_path, run)
    except CheckpointError:
        known = ", ".join(folder.id for folder in list_runs(project_path)) or "none yet"
        raise ExportError(f"no run {run!r} in {runs_root(project_path)} (runs: {known})") from None
    for kind in PREFERENCE:
        path = folder.checkpoint(kind)
        if path.is_file():
            try:
                state = load_checkpoint(path)
            except CheckpointError as error:
                raise ExportError(error.message) from None
            return RunWeights(state["model"], path, kind, folder.id)
    raise ExportError(
        f"run {folder.id} has no checkpoint yet (no best.pt or last.pt in "
        f"{folder.root / 'checkpoints'})"
    )
