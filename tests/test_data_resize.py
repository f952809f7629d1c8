"""Images prepared as pretrained weights want them (dataset.resize): the shorter side scaled,
then the centre cut, pixel for pixel as torchvision's own transforms do it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from PIL import Image

from designer.data import DataError, prepare_data
from designer.importer.pretrained import pretrained_project
from designer.runtime.image_files import read_image
from designer.runtime.vision import import_torchvision


def functional():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return import_torchvision().transforms.functional


@pytest.mark.parametrize("width, height", [(300, 200), (150, 400), (256, 256)])
def test_the_shorter_side_is_scaled_then_the_centre_cut_as_torchvision_does(
    tmp_path, width, height
):
    rng = np.random.default_rng(width)
    file = tmp_path / "photo.png"
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(file)
    ours = read_image(file, (224, 224), "rgb", resize=256)
    F = functional()
    with Image.open(file) as image:
        theirs = F.center_crop(F.resize(image.convert("RGB"), 256), [224, 224])
    assert ours.shape == (3, 224, 224)
    assert np.array_equal(ours, np.asarray(theirs).transpose(2, 0, 1))


def folder(tmp_path):
    for index, name in enumerate(("a", "b")):
        (tmp_path / name).mkdir()
        for copy in range(5):
            pixels = np.full((60, 90, 3), 100 * index + copy, dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / name / f"{copy}.png")
    return tmp_path


def test_pretrained_projects_prepare_images_as_the_weights_say(tmp_path):
    dataset = pretrained_project("resnet18", 2).project.dataset
    assert (dataset["image_size"], dataset["resize"]) == (224, 256)  # ResNet18_Weights
    section = {**dataset, "path": str(folder(tmp_path)), "image_size": 48, "resize": 64}
    data = prepare_data(section, None)
    assert tuple(data.train.x.shape[1:]) == (3, 48, 48)
    with pytest.raises(DataError, match="at least image_size's larger side, 48") as caught:
        prepare_data({**section, "resize": 40}, None)
    assert caught.value.place == "dataset.resize"
