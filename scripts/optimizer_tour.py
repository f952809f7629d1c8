"""Train projects/optimizer_tour.json with five optimizers and plot their loss curves on one PNG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from png_chart import line_chart

from designer.project import load_project
from designer.training import EpochDone, RunFailed, Trainer, prepare_run

ROOT = Path(__file__).resolve().parent.parent
# The runs the project's description lists: each optimizer at a learning rate that suits it.
VARIANTS = {
    "SGD": {"name": "sgd", "lr": 0.1, "momentum": 0.0},
    "SGD + momentum": {"name": "sgd", "lr": 0.05, "momentum": 0.9},
    "Adagrad": {"name": "adagrad", "lr": 0.05},
    "RMSprop": {"name": "rmsprop", "lr": 0.001},
    "Adam": {"name": "adam", "lr": 0.003},
}


def train_loss_curve(project_path: Path, optimizer: dict, epochs: int | None) -> list[float]:
    """The training loss after each epoch of one run (kept in memory, no run folder)."""
    project = load_project(project_path)
    training = {**project.training, "optimizer": optimizer}
    setup = prepare_run(project, training=training, epochs=epochs, baseline=False)
    losses = []
    for event in Trainer(setup).events():
        if isinstance(event, EpochDone):
            losses.append(event.train["loss"])
        elif isinstance(event, RunFailed):
            raise SystemExit(f"{project_path}: the run failed: {event.message}")
    return losses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path, help="the PNG to write")
    parser.add_argument("--project", type=Path, default=ROOT / "projects" / "optimizer_tour.json")
    parser.add_argument("--epochs", type=int, help="override the project's epochs")
    args = parser.parse_args(argv)
    curves = {}
    for label, optimizer in VARIANTS.items():
        losses = train_loss_curve(args.project, optimizer, args.epochs)
        curves[label] = [(epoch, loss) for epoch, loss in enumerate(losses, start=1)]
        print(f"{label:15} training loss {losses[0]:.4f} -> {losses[-1]:.4f}", flush=True)
    title = f"{load_project(args.project).name}: training loss per epoch"
    line_chart(curves, args.output, title, "epoch", "training loss")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
