"""Plot the 2-D latent of a trained projects/autoencoder_digits.json run: validation digits as
points coloured by the digit they show (labels the network never saw). Train first with
`netdesigner train projects/autoencoder_digits.json`; the newest run is plotted by default."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from png_chart import scatter_chart
from sklearn.datasets import load_digits

from designer.project import load_project
from designer.training import list_runs, load_checkpoint, open_run, prepare_run

ROOT = Path(__file__).resolve().parent.parent


def latent_points(project_path: Path, run_id: str | None, layer: str) -> dict[str, list]:
    """The output of the node named `layer` for every validation digit, grouped by digit."""
    project = load_project(project_path)
    setup = prepare_run(project)
    runs = list_runs(project_path)
    if run_id is None and not runs:
        raise SystemExit(f"{project_path} has no runs yet: train it with netdesigner train")
    run = open_run(project_path, run_id) if run_id else runs[-1]
    if run.config()["split_digest"] != setup.data.split_digest:
        raise SystemExit(f"run {run.id} was trained on another split of the data")
    model = setup.network()
    model.load_state_dict(load_checkpoint(run.checkpoint("best"))["model"])
    model.eval()
    found = []
    module = getattr(model, setup.code.names[project.graph.find(layer).id])
    hook = module.register_forward_hook(lambda _module, _inputs, output: found.append(output))
    with torch.no_grad():
        model(setup.data.val.x)
    hook.remove()
    if found[0].shape[1:] != (2,):
        raise SystemExit(f"layer {layer!r} gives {tuple(found[0].shape[1:])} values, not 2")
    labels = load_digits().target[setup.data.split["val"]]
    groups: dict[str, list] = {}
    for digit, (x, y) in sorted(zip(labels.tolist(), found[0].tolist(), strict=True)):
        groups.setdefault(str(digit), []).append((x, y))
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path, help="the PNG to write")
    default = ROOT / "projects" / "autoencoder_digits.json"
    parser.add_argument("--project", type=Path, default=default)
    parser.add_argument("--run", help="the run to plot (default: the newest)")
    parser.add_argument("--layer", default="latent", help="the 2-unit layer's name")
    args = parser.parse_args(argv)
    groups = latent_points(args.project, args.run, args.layer)
    title = f"{load_project(args.project).name}: latent of the validation digits"
    scatter_chart(groups, args.output, title, "latent 1", "latent 2")
    print(f"wrote {args.output} ({sum(map(len, groups.values()))} digits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
