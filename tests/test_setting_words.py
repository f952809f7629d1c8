"""A message names each setting as the Settings dialog labels its field, not by its key."""

from __future__ import annotations

from designer.training.setting_words import in_user_words

DIGITS = {"dataset": {"source": "digits"}, "training": {}}
FOLDER = {"dataset": {"source": "image_folder", "path": "pets"}, "training": {}}


def test_a_key_becomes_its_fields_label_with_where_to_find_it():
    assert in_user_words("set dataset.image_size to 32", DIGITS) == (
        "set \u201cImage size\u201d (in Settings\u2026) to 32"
    )
    assert in_user_words("dataset.image_size: must be a size", FOLDER) == (
        "\u201cImage size\u201d (in Settings\u2026): must be a size"
    )


def test_only_the_first_field_named_says_where_the_fields_are():
    message = "set dataset.image_size to 32 and dataset.color to rgb"
    assert in_user_words(message, FOLDER) == (
        "set \u201cImage size\u201d (in Settings\u2026) to 32 and \u201cColour\u201d to rgb"
    )


def test_the_label_is_the_one_the_chosen_source_shows():
    table = {"dataset": {"source": "csv", "path": "t.csv"}, "training": {}}
    assert in_user_words("dataset.path", FOLDER) == "\u201cFolder\u201d (in Settings\u2026)"
    assert in_user_words("dataset.path", table) == "\u201cFile\u201d (in Settings\u2026)"
    assert in_user_words("dataset.target", table).startswith("\u201cTarget column\u201d")
    assert in_user_words("dataset.target", DIGITS).startswith("\u201cTarget\u201d")


def test_what_no_field_shows_stays_as_it_is():
    message = "dataset: cannot read /data/dataset.csv (training.unknown)"
    assert in_user_words(message, DIGITS) == message
