"""The sample shape a dataset section's settings tell is the shape its data has when read; while
designing, a mismatch with the Input node is a warning on it, in the words a run would stop with."""

from __future__ import annotations

import pytest

from designer.compiler import Analyzer
from designer.data import prepare_data
from designer.data.graph_fit import design_diagnostics
from designer.data.sample_shape import settings_sample_shape
from designer.project import load_project
from tests.helpers import PROJECTS
from tests.pretrained_helpers import image_folder
from tests.standard_files import write_cifar, write_cifar100, write_idx_set

SECTIONS = [
    {"source": "digits"},
    {"source": "digits", "image_size": 32},
    {"source": "digits", "image_size": 15, "resize": "pad", "target": "input"},
    {"source": "iris"},
    {"source": "wine"},
    {"source": "breast_cancer"},
    {"source": "diabetes"},
    {"source": "sine_waves", "samples": 30, "length": 20},
    {"source": "tokens", "samples": 30, "length": 5, "task": "majority"},
    {"source": "tokens", "samples": 30, "length": 6, "task": "copy"},
]


@pytest.mark.parametrize("dataset", SECTIONS, ids=lambda section: str(section))
def test_the_settings_tell_the_shape_the_data_has(dataset):
    expected = prepare_data(dataset, None).sample_shape
    assert settings_sample_shape(dataset, None) == expected


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist", "kmnist", "cifar10", "cifar100"])
def test_a_standard_set_has_its_known_shape(name, tmp_path):
    if name.startswith("cifar"):
        (write_cifar if name == "cifar10" else write_cifar100)(tmp_path)
    else:
        write_idx_set(tmp_path, name)
    dataset = {"source": name, "root": str(tmp_path), "download": False}
    assert settings_sample_shape(dataset, None) == prepare_data(dataset, None).sample_shape


@pytest.mark.parametrize(
    ("settings", "shape"),
    [({"image_size": 24}, (1, 24, 24)), ({"image_size": [20, 28], "color": "rgb"}, (3, 20, 28))],
)
def test_an_image_folder_gives_the_size_and_colour_it_is_set_to(settings, shape, tmp_path):
    image_folder(tmp_path / "pets")
    dataset = {"source": "image_folder", "path": "pets", **settings}
    assert prepare_data(dataset, tmp_path).sample_shape == shape
    assert settings_sample_shape(dataset, tmp_path) == shape
    gone = {**dataset, "path": "moved"}  # the shape needs no images: known all the same
    assert settings_sample_shape(gone, tmp_path) == shape


@pytest.mark.parametrize(
    "dataset",
    [
        {"source": "csv", "path": "table.csv"},  # files must be read to know
        {"source": "npz", "path": "arrays.npz"},
        {"source": "digits", "image_size": "big"},  # a run says what is wrong
        {"source": "image_folder", "path": "x", "color": "sepia"},
        {"source": "unknown"},
        {},
    ],
)
def test_files_and_wrong_settings_tell_no_shape(dataset, tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n1,2\n3,4\n")
    assert settings_sample_shape(dataset, tmp_path) is None


def test_a_mismatch_is_a_warning_on_the_input_node_worded_as_the_run_would_stop():
    project = load_project(PROJECTS / "lenet5_digits.json")
    dataset = {**project.dataset, "image_size": 8}
    analyzer = Analyzer(project.graph, lambda doc: design_diagnostics(doc, dataset, None))
    report = analyzer.report()
    image = project.graph.find("image")
    [warning] = report.nodes[image.id].diagnostics
    assert (warning.severity, warning.node_id) == ("warning", image.id)
    assert warning.message == (
        "Dataset 'digits' gives samples of shape 1x8x8, but Input 'image' expects shape "
        "1x32x32: set dataset.image_size to 32, or change the Input shape to 1x8x8"
    )
    assert warning in report.diagnostics and report.ok  # the network itself is sound
    dataset["image_size"] = 32
    assert analyzer.report() is report  # asked again only when told the data changed
    analyzer.findings_changed()
    assert analyzer.report().nodes[image.id].diagnostics == ()
    project.graph.set_param(image.id, "shape", [1, 28, 28])
    assert "shape 1x28x28" in analyzer.report().nodes[image.id].diagnostics[0].message
