"""Each epoch carries a few validation answers for the monitor's pictures: images with their
predicted and true classes, predicted against true values for regression."""

from __future__ import annotations

import torch

from designer.model import GraphDocument
from designer.project import Project, save_project
from designer.training import EpochDone, Trainer, prepare_run
from designer.training.val_samples import IMAGES, val_samples
from tests.train_helpers import example_copy


def last_epoch(project, **overrides) -> tuple[EpochDone, Trainer]:
    trainer = Trainer(prepare_run(project, **overrides), listeners=[lambda event: None])
    epochs = [event for event in trainer.events() if isinstance(event, EpochDone)]
    return epochs[-1], trainer


def regression_project(tmp_path) -> Project:
    doc = GraphDocument()
    features = doc.add_node("input", "features", {"shape": [10]})
    hidden = doc.add_node("dense", "hidden", {"units": 8})
    value = doc.add_node("dense", "value", {"units": 1})
    output = doc.add_node("output", "y")
    for source, target in ((features, hidden), (hidden, value), (value, output)):
        doc.connect(source.id, "out", target.id, "in")
    project = Project(name="diabetes", graph=doc, path=tmp_path / "diabetes.json")
    project.dataset = {"source": "diabetes"}
    project.training = {"epochs": 2, "batch_size": 32}
    save_project(project, project.path)
    return project


def test_image_classes_carry_a_grid_of_images_with_both_labels(tmp_path):
    project = example_copy(tmp_path, "lenet5_digits")
    epoch, trainer = last_epoch(project, epochs=1)
    samples = epoch.samples
    assert samples.kind == "images"
    assert samples.images.shape == (IMAGES, 32, 32)
    assert samples.images.min() >= 0 and samples.images.max() <= 1
    val = trainer.setup.data.val
    assert samples.true == val.y[:IMAGES].tolist()
    with torch.no_grad():
        trainer.model.eval()
        assert samples.predicted == trainer.model(val.x[:IMAGES]).argmax(1).tolist()


def test_regression_carries_predicted_and_true_values_in_the_data_units(tmp_path):
    epoch, trainer = last_epoch(regression_project(tmp_path))
    samples = epoch.samples
    data = trainer.setup.data
    assert samples.kind == "regression"
    assert len(samples.predicted) == len(samples.true) == len(data.val)
    assert samples.true == data.targets.undo(data.val.y).flatten().tolist()
    assert min(samples.true) >= 25 and max(samples.true) <= 346  # diabetes progress values


def test_tables_of_classes_have_no_picture(tmp_path):
    epoch, _ = last_epoch(example_copy(tmp_path, "mlp_iris"), epochs=1)
    assert epoch.samples is None


def test_no_listener_means_no_extra_pass(tmp_path):
    setup = prepare_run(example_copy(tmp_path, "lenet5_digits"), epochs=1)
    events = list(Trainer(setup).events())
    assert all(event.samples is None for event in events if isinstance(event, EpochDone))
    model = setup.build_model().eval()
    assert val_samples(setup.data, model, setup.data.val, setup.device) is not None
