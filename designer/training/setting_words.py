"""Setting keys in a message (dataset.image_size), named as the Settings dialog labels them."""

from __future__ import annotations

import re
from typing import Any

from designer.training.settings_spec import CONTROLS, SETTINGS, current

SETTING_KEY = re.compile(r"\b(?:dataset|training)(?:\.\w+)+")
WHERE = "(in Settings\u2026)"


def in_user_words(message: str, sections: dict[str, Any]) -> str:
    """`message` with each setting it names by its key named by the label of the field that
    shows it for these sections ("Image size"), the first with where to find it; keys that no
    field shows stay as they are."""
    controls = {s.place: current(s, sections) for s in SETTINGS if s.place in CONTROLS}
    where = f" {WHERE}"

    def label(key: re.Match) -> str:
        nonlocal where
        fields = [setting for setting in SETTINGS if setting.place == key[0]]
        if not fields:
            return key[0]
        shown = next((field for field in fields if field.applies(controls)), fields[0])
        text, where = f"\u201c{shown.label}\u201d{where}", ""
        return text

    return SETTING_KEY.sub(label, message)
