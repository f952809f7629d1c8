"""The settings form's description against the parsers: same choices and defaults, and every
value a field can hold is accepted where it applies."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from PIL import Image

from designer.data import SOURCES, prepare_data
from designer.data.prepare import PreparedData
from designer.runtime.prepare import gather
from designer.training.config import LOSSES, OPTIMIZERS, SCHEDULES, parse_training
from designer.training.settings_spec import (
    FILE_SOURCES,
    OPTIMIZER,
    SCHEDULE,
    SETTINGS,
    SOURCE,
    applying,
    current,
    put,
    updated,
)
from tests.standard_files import write_cifar, write_cifar100, write_idx_set

STANDARD = ("mnist", "fashion_mnist", "kmnist", "cifar10", "cifar100")
BUILT_IN = [source for source in SOURCES if source not in (*FILE_SOURCES, *STANDARD)]
COMBINATIONS = [{OPTIMIZER: o, SCHEDULE: s} for o, s in itertools.product(OPTIMIZERS, SCHEDULES)]


def setting(place: str):
    return next(setting for setting in SETTINGS if setting.place == place)


def explicit(section: str, controls: dict, **values) -> dict:
    """A section with every field that applies written out at its default, or at `values`."""
    result: dict = {}
    values = {**controls, **values}
    for field in applying(controls):
        value = values.get(field.place, field.default)
        if field.path[0] == section and value not in ("", None):
            put(result, field.path[1:], value)
    return result


def extremes(field) -> list:
    if field.kind in ("int", "float"):
        return [field.minimum, field.maximum]
    if field.kind == "bool":
        return [False, True]
    return list(field.choices)


def every(samples) -> torch.Tensor:
    """All the samples, images read from their files included."""
    return gather(samples, np.arange(len(samples)))


def same_data(a: PreparedData, b: PreparedData) -> bool:
    parts = ("train", "val", "test")
    return (a.task, a.class_names) == (b.task, b.class_names) and all(
        torch.equal(every(getattr(a, p).x), every(getattr(b, p).x))
        and torch.equal(getattr(a, p).y, getattr(b, p).y)
        for p in parts
    )


def test_the_choices_are_the_parsers_own():
    assert setting(SOURCE).choices == tuple(SOURCES)
    assert setting(OPTIMIZER).choices == OPTIMIZERS
    assert setting(SCHEDULE).choices == SCHEDULES
    assert setting("training.loss").choices == LOSSES
    for source in SOURCES:
        assert any(field.when for field in applying({SOURCE: source})), source


def test_float_fields_show_their_range_and_default_exactly():
    for field in SETTINGS:
        if field.kind == "float":
            for number in (field.minimum, field.maximum, field.default):
                assert round(number, field.decimals) == number, field.place


@pytest.mark.parametrize("controls", COMBINATIONS, ids=lambda c: "-".join(c.values()))
def test_training_defaults_are_the_parsers_defaults(controls):
    short = {"optimizer": controls[OPTIMIZER], "schedule": controls[SCHEDULE]}
    assert parse_training(explicit("training", controls)) == parse_training(short)


@pytest.mark.parametrize("controls", COMBINATIONS, ids=lambda c: "-".join(c.values()))
def test_every_training_value_the_form_holds_is_accepted(controls):
    for field in applying(controls):
        if field.path[0] == "training" and field.place not in controls:
            for value in extremes(field):
                settings = explicit("training", controls, **{field.place: value})
                assert parse_training(settings), (field.place, value)


@pytest.mark.parametrize("source", BUILT_IN)
def test_dataset_defaults_are_the_parsers_defaults(source):
    controls = {SOURCE: source}
    assert same_data(
        prepare_data(explicit("dataset", controls), None), prepare_data({"source": source}, None)
    )


@pytest.mark.parametrize("source", BUILT_IN)
def test_every_dataset_value_the_form_holds_is_accepted(source):
    """Split fractions are tried with the other one at its smallest, so their sum stays below 1
    (the dialog shows the parser's message for a sum of 1 or more)."""
    controls = {SOURCE: source}
    for field in applying(controls):
        if field.place == SOURCE:
            continue
        for value in extremes(field):
            values = {field.place: value}
            if field.place.startswith("dataset.split.") and field.place != "dataset.split.seed":
                other = "test" if field.place.endswith("val") else "val"
                values[f"dataset.split.{other}"] = setting(f"dataset.split.{other}").minimum
            assert prepare_data(explicit("dataset", controls, **values), None), values


def files(folder) -> dict[str, dict]:
    """Small data files for each file source, with the settings that name them."""
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 3)).astype(np.float32), np.arange(20) % 2
    rows = ["a,b,c,label"] + [f"{a},{b},{c},{t}" for (a, b, c), t in zip(x, y, strict=True)]
    (folder / "table.csv").write_text("\n".join(rows) + "\n")
    np.savez(folder / "arrays.npz", x=x, y=y)
    np.save(folder / "x.npy", x)
    np.save(folder / "y.npy", y)
    for name in ("mnist", "fashion_mnist", "kmnist"):
        write_idx_set(folder / "standard", name)
    write_cifar(folder / "standard")
    write_cifar100(folder / "standard")
    for name in ("cats", "dogs"):
        (folder / "images" / name).mkdir(parents=True)
        for index in range(5):
            pixels = rng.integers(0, 255, (6, 6, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / "images" / name / f"{index}.png")
    return {
        "csv": {"dataset.path": "table.csv"},
        "npz": {"dataset.path": "arrays.npz"},
        "npy": {"dataset.path": "x.npy", "dataset.targets": "y.npy"},
        "image_folder": {"dataset.path": "images", "dataset.image_size": 8},
        **{name: {"dataset.root": "standard", "dataset.download": False} for name in STANDARD},
    }


def test_file_sources_take_the_defaults_and_every_choice(tmp_path):
    for source, paths in files(tmp_path).items():
        controls = {SOURCE: source}
        short = {"source": source, **{place.split(".")[1]: v for place, v in paths.items()}}
        assert same_data(
            prepare_data(explicit("dataset", controls, **paths), tmp_path),
            prepare_data(short, tmp_path),
        )
        for field in applying(controls):
            if field.kind in ("choice", "bool") and field.place not in (SOURCE, "dataset.task"):
                for value in extremes(field):
                    values = {**paths, field.place: value}
                    assert prepare_data(explicit("dataset", controls, **values), tmp_path)


def shown(sections: dict, controls: dict) -> dict:
    """What the form holds for `sections` once the user picked `controls`."""
    values = {field.place: current(field, sections) for field in applying(controls)}
    return {**values, **controls}


def test_writing_keeps_what_it_does_not_describe_unless_its_choice_changed():
    sections = {
        "dataset": {"source": "csv", "path": "a.csv", "features": ["x"]},
        "training": {"device": "cpu", "optimizer": {"name": "adam", "betas": [0.8, 0.9]}},
    }
    assert updated(sections, shown(sections, {SOURCE: "csv", OPTIMIZER: "adam"})) == sections
    values = shown(sections, {SOURCE: "iris", OPTIMIZER: "sgd"})
    values["training.optimizer.momentum"] = 0.5
    assert updated(sections, values) == {
        "dataset": {"source": "iris"},
        "training": {"device": "cpu", "optimizer": {"name": "sgd", "momentum": 0.5}},
    }


def test_shorthands_and_odd_values_read_as_the_form_shows_them():
    sections = {"dataset": {}, "training": {"optimizer": "sgd", "epochs": "ten"}}
    assert current(setting(OPTIMIZER), sections) == "sgd"
    assert current(setting("training.epochs"), sections) == 10
    assert current(setting(SOURCE), sections) is None
