"""Acceptance (slow): every example trains from the command line to its bar in its budget of
epochs, and its exported training script trains one epoch exactly as the app does; the
optimizer tour and the autoencoder's latent plot draw their PNGs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from designer.project.examples import copy_example
from designer.project.goals import GOALS
from tests.helpers import PROJECTS
from tests.script_helpers import PINNED, app_epochs, run_script, saved_epochs, write_script
from tests.train_helpers import example_copy

pytestmark = pytest.mark.slow
NETDESIGNER = Path(sys.executable).with_name("netdesigner")
SCRIPTS = PROJECTS.parent / "scripts"
TOUR_LABELS = ("SGD", "SGD + momentum", "Adagrad", "RMSprop", "Adam")
# png_chart's first colours, in the order the curves are drawn.
CURVE_COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189))


def run(*command: str | Path) -> str:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=280
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def copied(tmp_path: Path, name: str) -> Path:
    """A copy of the example, so that its runs folder is made in the temporary folder."""
    return copy_example(name, tmp_path)


@pytest.mark.parametrize("name", sorted(GOALS))
def test_example_trains_to_its_bar_from_the_command_line(name, tmp_path):
    scores_path = tmp_path / "scores.json"
    run(NETDESIGNER, "train", copied(tmp_path, name), "--metrics-json", scores_path)
    goal, scores = GOALS[name], json.loads(scores_path.read_text())
    assert scores["reason"] in ("completed", "early_stopped")
    assert goal.met(scores["val"]), f"{name}: {goal.bar()} not reached: {scores['val']}"


@pytest.mark.parametrize("name", sorted(GOALS))
def test_example_exports_a_script_that_trains_one_epoch_like_the_app(name, tmp_path):
    project = example_copy(tmp_path, name)
    script = write_script(project, tmp_path)
    run_script(script, "--epochs", "1", *PINNED, "--output", "out")
    app, _ = app_epochs(project, 1)
    script_epochs = saved_epochs(tmp_path / "out")
    assert script_epochs == app
    assert script_epochs[0]["val_loss"] < float("inf")


def test_optimizer_tour_draws_five_falling_loss_curves(tmp_path):
    picture = tmp_path / "tour.png"
    out = run(sys.executable, SCRIPTS / "optimizer_tour.py", picture)
    found = re.findall(r"^(\S.*?) +training loss ([\d.]+) -> ([\d.]+)$", out, re.M)
    assert tuple(label for label, _, _ in found) == TOUR_LABELS, out
    assert all(float(last) < float(first) / 2 for _, first, last in found), out
    assert all(count_of(picture, colour) > 500 for colour in CURVE_COLOURS)


def test_autoencoder_latent_plot_of_a_trained_run(tmp_path):
    project = copied(tmp_path, "autoencoder_digits")
    run(NETDESIGNER, "train", project, "--epochs", "3")
    picture = tmp_path / "latent.png"
    out = run(sys.executable, SCRIPTS / "autoencoder_latent.py", picture, "--project", project)
    assert "(359 digits)" in out
    assert all(count_of(picture, colour) > 300 for colour in CURVE_COLOURS)


def count_of(picture: Path, colour: tuple[int, int, int]) -> int:
    """How many pixels of the PNG have exactly this colour."""
    return sum(count for count, found in Image.open(picture).getcolors(1 << 20) if found == colour)
