"""Explanations of a trained run's answers: Grad-CAM looks at the digit, attributions find
the column a table's class depends on, and every method refuses what it cannot explain."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from PIL import Image

from designer.cli import main
from designer.data import SetupError
from designer.inspection.answers import val_answers
from designer.inspection.explain import explain
from designer.inspection.explained_layer import ExplanationRefused
from designer.inspection.samples import samples_at
from designer.inspection.trained import trained_network
from designer.project import load_project
from tests.inspection_helpers import (
    COLUMNS,
    DECIDING,
    DECIDING_STEP,
    STEPS,
    sequence_project,
    table_project,
    train,
)
from tests.train_helpers import example_copy

pytestmark = pytest.mark.slow  # each module trains a run first


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    folder = tmp_path_factory.mktemp("digits")
    project = example_copy(folder, "lenet5_digits", epochs=3, threads=1)
    return project, train(project)


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    project = table_project(tmp_path_factory.mktemp("table"))
    return project, train(project)


@pytest.fixture(scope="module")
def sequences(tmp_path_factory):
    project = sequence_project(tmp_path_factory.mktemp("sequences"))
    return project, train(project)


def strongest(explanations) -> int:
    """The position with the largest mean attribution (in size) over the samples: one
    sample's can be small where its value is near the baseline, 0."""
    return int(np.abs([explanation.values for explanation in explanations]).mean(0).argmax())


def digit_box(picture: np.ndarray) -> np.ndarray:
    """True inside the bounding box of the digit's ink."""
    ink = picture > 0.3
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    box = np.zeros_like(ink)
    box[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1] = True
    return box


def test_grad_cam_looks_at_the_digit_more_than_at_the_border(digits):
    trained = trained_network(*digits)
    inside, outside = [], []
    for sample in range(20):
        explanation = explain(trained, sample, "gradcam")
        assert explanation.layer == "conv2"  # the last convolution
        assert explanation.values.shape == explanation.picture.shape == (32, 32)
        box = digit_box(explanation.picture)
        inside.append(explanation.values[box].mean())
        outside.append(explanation.values[~box].mean())
    inside, outside = np.array(inside), np.array(outside)
    assert inside.mean() > outside.mean()
    assert (inside > outside).mean() >= 0.6


@pytest.mark.parametrize("method", ["ig", "saliency", "occlusion"])
def test_input_attributions_fall_on_the_digit(digits, method):
    trained = trained_network(*digits)
    explanation = explain(trained, 0, method)
    box = digit_box(explanation.picture)
    strength = np.abs(explanation.values)
    assert strength[box].mean() > strength[~box].mean()


@pytest.mark.parametrize("method", ["ig", "saliency", "occlusion"])
def test_the_deciding_column_ranks_first_with_its_name(table, method):
    trained = trained_network(*table)
    explanations = [explain(trained, sample, method) for sample in range(20)]
    assert {explanation.data_kind for explanation in explanations} == {"table"}
    assert {explanation.labels for explanation in explanations} == {COLUMNS}
    assert COLUMNS[strongest(explanations)] == DECIDING


@pytest.mark.parametrize("method", ["ig", "saliency", "occlusion"])
def test_the_deciding_time_step_ranks_first(sequences, method):
    trained = trained_network(*sequences)
    explanations = [explain(trained, sample, method) for sample in range(20)]
    assert {explanation.data_kind for explanation in explanations} == {"sequence"}
    labels = tuple(f"t{step}" for step in range(1, STEPS + 1))
    assert {explanation.labels for explanation in explanations} == {labels}
    assert labels[strongest(explanations)] == f"t{DECIDING_STEP}"


def test_tokens_are_explained_at_the_embedding_and_only_there(tmp_path):
    project = example_copy(tmp_path, "attention_sequences", epochs=1, threads=1)
    trained = trained_network(project, train(project))
    explanation = explain(trained, 0, "ig")
    assert explanation.data_kind == "sequence" and explanation.values.shape == (24,)
    assert np.isfinite(explanation.values).all() and np.abs(explanation.values).max() > 0
    for method in ("saliency", "occlusion"):
        with pytest.raises(ExplanationRefused, match=f"token ids, which {method} cannot vary"):
            explain(trained, 0, method)
    with pytest.raises(ExplanationRefused, match=r"these samples are a sequence: use ig$"):
        explain(trained, 0, "gradcam")


def test_grad_cam_refuses_a_dense_layer_and_a_table(digits, table):
    trained = trained_network(*digits)
    with pytest.raises(ExplanationRefused, match=r"'fc1' \(dense\) gives 120 values"):
        explain(trained, 0, "gradcam", "fc1")
    with pytest.raises(ExplanationRefused, match=r"'flatten' \(flatten\) gives 400 values"):
        explain(trained, 0, "gradcam", "flatten")
    with pytest.raises(ExplanationRefused, match=r"'image' \(input\) is not a layer of its own"):
        explain(trained, 0, "gradcam", "image")
    with pytest.raises(ExplanationRefused, match="no layer named 'conv9'"):
        explain(trained, 0, "gradcam", "conv9")
    with pytest.raises(ExplanationRefused, match="these samples are a table"):
        explain(trained_network(*table), 0, "gradcam")


def test_other_mistakes_are_refused_with_what_would_do(digits):
    trained = trained_network(*digits)
    with pytest.raises(ExplanationRefused, match="only Grad-CAM weighs a layer"):
        explain(trained, 0, "ig", "conv1")
    with pytest.raises(ExplanationRefused, match="unknown method 'lime'"):
        explain(trained, 0, "lime")
    count = len(trained.setup.data.val)
    with pytest.raises(ExplanationRefused, match=f"choose one from 0 to {count - 1}"):
        explain(trained, count, "saliency")


def test_cli_draws_the_map_over_the_digit(digits, tmp_path, capsys):
    project, run = digits
    out = tmp_path / "cam.png"
    assert main(["explain", str(project.path), "--run", run, "--sample", "2", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Grad-CAM at conv2 for the answer" in printed
    assert f"best checkpoint of run {run}" in printed
    with Image.open(out) as image:
        assert image.size == (256, 256) and image.mode == "RGB"


def test_cli_draws_a_table_as_bars_and_prints_them_ranked(table, tmp_path, capsys):
    project, run = table
    out = tmp_path / "bars.png"
    args = ["explain", str(project.path), "--run", run, "--sample", "0", "--method", "ig"]
    assert main([*args, "-o", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].split()[0] == DECIDING
    with Image.open(out) as image:
        assert image.width > image.height > 0


def test_cli_refusals_name_the_problem_and_write_nothing(digits, tmp_path, capsys):
    project, run = digits
    base = ["explain", str(project.path), "--run", run, "--sample", "0"]
    assert main([*base, "--layer", "fc2", "-o", str(tmp_path / "x.png")]) == 2
    assert "--layer: Grad-CAM weighs a convolution's feature maps" in capsys.readouterr().err
    assert main([*base[:3], "nothing", *base[4:], "-o", str(tmp_path / "x.png")]) == 2
    assert "no run 'nothing'" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()
    checkpoint = project.path.parent / "runs" / project.path.stem / run / "checkpoints" / "best.pt"
    before = checkpoint.read_bytes()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    refusals = {
        project.path: "is the project being explained; choose another file or pass --force",
        checkpoint: f"is the best checkpoint of run {run}; choose another file",
        fifo: "is a FIFO (named pipe), not a file: nothing was written",
        "/dev/null": "is a character device, not a file: nothing was written",
    }
    for target, message in refusals.items():
        assert main([*base, "-o", str(target)]) == 2
        assert message in capsys.readouterr().err
    assert checkpoint.read_bytes() == before
    assert project.path.read_text().startswith("{")


def test_a_network_changed_since_the_run_is_refused(digits):
    project, run = digits
    changed = load_project(project.path)
    changed.graph.set_param(changed.graph.find("fc1").id, "units", 100)
    with pytest.raises(SetupError, match=f"the network changed since run {run} trained"):
        trained_network(changed, run)


def test_an_answer_that_is_a_whole_image_is_refused(tmp_path):
    project = example_copy(tmp_path, "autoencoder_digits", epochs=1, threads=1)
    trained = trained_network(project, train(project))
    with pytest.raises(ExplanationRefused, match="explanations need one score per class"):
        explain(trained, 0, "saliency")


def test_the_wrong_answers_are_listed_to_choose_from(digits, capsys):
    project, run = digits
    trained = trained_network(project, run)
    answers = val_answers(trained)
    data = trained.setup.data
    assert (answers.true == data.val.y.numpy()).all()
    for sample in answers.wrong[:3]:
        explanation = explain(trained, int(sample), "saliency")
        assert explanation.predicted != explanation.true
        assert explanation.predicted == data.class_names[answers.predicted[sample]]
    right = np.setdiff1d(np.arange(len(data.val)), answers.wrong)[0]
    explanation = explain(trained, int(right), "saliency")
    assert explanation.predicted == explanation.true
    assert main(["explain", str(project.path), "--run", run, "--wrong"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0] == f"{len(answers.wrong)} of {len(data.val)} validation samples answered wrongly"
    )
    assert len(lines) == 1 + len(answers.wrong)
    assert main(["explain", str(project.path), "--run", run]) == 2
    assert "--sample K -o OUT.png" in capsys.readouterr().err


def test_a_task_without_classes_has_no_wrong_answers(tmp_path):
    project = example_copy(tmp_path, "regression_diabetes", epochs=1, threads=1)
    trained = trained_network(project, train(project))
    with pytest.raises(ExplanationRefused, match="this task is regression"):
        val_answers(trained)
    explanation = explain(trained, 0, "ig")
    assert explanation.target is None and explanation.data_kind == "table"
    assert explanation.labels[:3] == ("age", "sex", "bmi")


def test_grad_cam_weighs_a_layer_inside_a_block_or_a_whole_block(tmp_path):
    project = example_copy(tmp_path, "resnet_digits_blocks", epochs=1, threads=1)
    trained = trained_network(project, train(project))
    assert explain(trained, 0).layer == "block2.shortcut"  # the last convolution to run
    for layer in ("block1.conv2", "block1"):
        explanation = explain(trained, 0, "gradcam", layer)
        assert explanation.layer == layer
        assert explanation.values.shape == explanation.picture.shape == (8, 8)
        assert (explanation.values >= 0).all() and explanation.values.max() > 0
    with pytest.raises(ExplanationRefused, match=r"'classifier' \(dense\) gives 10 values"):
        explain(trained, 0, "gradcam", "classifier")


def test_one_logit_answers_are_explained_for_the_class_they_say(tmp_path):
    project = example_copy(tmp_path, "binary_breast_cancer", epochs=2, threads=1)
    trained = trained_network(project, train(project))
    data, model = trained.setup.data, trained.model
    x, _ = samples_at(data.val, np.arange(len(data.val)), trained.setup.device)
    with torch.no_grad():
        logits = model(x).flatten()
    said = {}
    for sample in range(len(x)):
        said.setdefault(bool(logits[sample] > 0), sample)
    assert set(said) == {False, True}
    for above, sample in said.items():
        explanation = explain(trained, sample, "ig")
        assert explanation.predicted == data.class_names[int(above)]
        assert explanation.true == data.class_names[int(data.val.y[sample])]
        with torch.no_grad():
            change = (model(x[sample : sample + 1]) - model(torch.zeros_like(x[:1]))).item()
        # Integrated gradients add up to the change of the output explained from the
        # baseline: the logit, or its negation for the first class.
        expected = change if above else -change
        assert explanation.values.sum() == pytest.approx(expected, rel=0.05, abs=0.02)
