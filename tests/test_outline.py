"""A project's outline for the start page's cards, read from its file without building it."""

from __future__ import annotations

import json

from designer.project.examples import EXAMPLES_DIR
from designer.project.outline import first_sentence, read_outline


def test_the_first_sentence_is_cut_at_a_word():
    assert first_sentence("One line. Another.") == "One line."
    assert first_sentence("A b.c d") == "A b.c d"  # a full stop inside a word is not an end
    long = first_sentence("word " * 40, limit=30)
    assert long.endswith("\u2026") and len(long) <= 30 and "wor\u2026" not in long


def test_an_example_outline_has_its_layers_and_wires():
    outline = read_outline(EXAMPLES_DIR / "lenet5_digits.json")
    raw = json.loads((EXAMPLES_DIR / "lenet5_digits.json").read_text(encoding="utf-8"))
    assert outline.title == raw["name"] and outline.summary.startswith("LeNet-5 as in")
    assert [kind for kind, _, _ in outline.boxes] == [
        node["kind"] for node in raw["graph"]["nodes"]
    ]
    assert len(outline.wires) == len(raw["graph"]["edges"])


def test_an_unreadable_file_gives_its_name_only(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert read_outline(broken).title == "broken" and not read_outline(broken).boxes
    assert read_outline(tmp_path / "missing.json").title == "missing"
