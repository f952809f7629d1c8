"""Live per-layer diagnostics: dead ReLUs flagged under a huge learning rate, none under a sane
one; sampling changes no number of the run; histograms hold every weight."""

from __future__ import annotations

import math

from designer.training import EpochDone, LayersSampled, StepDone, Trainer, prepare_run
from designer.training.layer_stats import LayerStats, layer_flags
from tests.train_helpers import example_copy

EVERY_STEP = 1e-9


def sampled_run(tmp_path, interval: float, **training) -> tuple[list, dict[str, str]]:
    tmp_path.mkdir(exist_ok=True)
    project = example_copy(tmp_path, "mlp_iris", epochs=3, **training)
    events = list(Trainer(prepare_run(project), layer_stats=interval).events())
    return events, {node.id: node.name for node in project.graph.nodes()}


def flags_by_name(events: list, names: dict[str, str]) -> dict[str, list[str]]:
    last = [event for event in events if isinstance(event, LayersSampled)][-1]
    return {
        names[node]: [flag.kind for flag in layer_flags(stats)]
        for node, stats in last.layers.items()
    }


def test_a_huge_learning_rate_kills_relus_and_they_are_flagged(tmp_path):
    events, names = sampled_run(tmp_path, EVERY_STEP, optimizer={"name": "sgd", "lr": 5.0})
    flags = flags_by_name(events, names)
    assert "dead" in flags["relu2"], flags
    sampled = [event for event in events if isinstance(event, LayersSampled)][-1]
    relu = next(stats for node, stats in sampled.layers.items() if names[node] == "relu2")
    assert relu.dead_fraction >= 0.5


def test_a_sane_learning_rate_flags_nothing(tmp_path):
    events, names = sampled_run(tmp_path, EVERY_STEP, optimizer={"name": "adam", "lr": 0.01})
    assert all(not kinds for kinds in flags_by_name(events, names).values())


def test_every_step_is_sampled_with_a_tiny_interval_and_one_with_a_long_one(tmp_path):
    events, _ = sampled_run(tmp_path / "tiny", EVERY_STEP)
    steps = [event.step for event in events if isinstance(event, StepDone)]
    sampled = [event.step for event in events if isinstance(event, LayersSampled)]
    assert sampled == steps
    events, _ = sampled_run(tmp_path / "long", 1e9)
    assert [event.step for event in events if isinstance(event, LayersSampled)] == [1]


def test_sampling_changes_no_number_of_the_run(tmp_path):
    plain, _ = sampled_run(tmp_path / "plain", 0.0)
    sampled, _ = sampled_run(tmp_path / "sampled", EVERY_STEP)
    assert not any(isinstance(event, LayersSampled) for event in plain)
    for kind in (StepDone, EpochDone):
        first = [event for event in plain if isinstance(event, kind)]
        second = [event for event in sampled if isinstance(event, kind)]
        assert [(e.step, e.lr) for e in first] == [(e.step, e.lr) for e in second]
        if kind is StepDone:
            assert [e.loss for e in first] == [e.loss for e in second]
        else:
            assert [e.val for e in first] == [e.val for e in second]


def test_histograms_count_every_weight_and_gradient(tmp_path):
    project = example_copy(tmp_path, "mlp_iris", epochs=1)
    setup = prepare_run(project)
    trainer = Trainer(setup, layer_stats=EVERY_STEP)
    last = [event for event in trainer.events() if isinstance(event, LayersSampled)][-1]
    hidden = project.graph.find("hidden1").id
    stats = last.layers[hidden]
    assert sum(stats.weights.counts) == 4 * 16 + 16
    assert sum(stats.grads.counts) == 4 * 16 + 16
    assert stats.weights.low <= stats.weights.high
    assert math.isfinite(stats.grad_norm) and stats.grad_norm > 0
    assert stats.dead_fraction is None  # only ReLU outputs have dead units


def test_flags_explain_cause_and_cure():
    exploding = layer_flags(LayerStats(grad_norm=1e4))
    assert [flag.kind for flag in exploding] == ["exploding"]
    assert "learning rate" in exploding[0].advice and "clip" in exploding[0].advice
    assert [flag.kind for flag in layer_flags(LayerStats(grad_norm=math.inf))] == ["exploding"]
    assert [flag.kind for flag in layer_flags(LayerStats(grad_norm=1e-9))] == ["vanishing"]
    assert layer_flags(LayerStats(grad_norm=0.5, dead_fraction=0.2)) == []
