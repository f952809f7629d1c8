"""Settings of the generated sequence sets: noisy sine-wave classes and token tasks."""

from __future__ import annotations

from designer.data.settings import Section
from designer.data.source_choice import SourceChoice
from designer.runtime.generated_sets import SineWaves, TokenSequences

TOKEN_TASKS = ("copy", "sort", "majority")


def sine_waves(section: Section) -> SourceChoice:
    source = SineWaves(
        samples=section.integer("samples", 600, minimum=2, maximum=1_000_000),
        length=section.integer("length", 50, minimum=2, maximum=100_000),
        classes=section.integer("classes", 3, minimum=2, maximum=50),
        noise=section.number("noise", 0.3, minimum=0.0),
        seed=section.integer("seed", 0),
    )
    return SourceChoice(source)


def token_sequences(section: Section) -> SourceChoice:
    source = TokenSequences(
        task=section.choice("task", "sort", TOKEN_TASKS),
        samples=section.integer("samples", 1000, minimum=2, maximum=1_000_000),
        length=section.integer("length", 8, minimum=1, maximum=10_000),
        vocabulary=section.integer("vocabulary", 10, minimum=2, maximum=100_000),
        seed=section.integer("seed", 0),
    )
    return SourceChoice(source)
