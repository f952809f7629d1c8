"""The example gallery, quickly: every example has a goal, states it, and its run can start."""

from __future__ import annotations

from designer.project import load_project
from designer.project.examples import examples
from designer.project.goals import GOALS, Goal
from designer.training import prepare_run
from tests.helpers import EXAMPLES


def test_every_example_has_a_goal_and_every_goal_an_example():
    assert set(GOALS) == {path.stem for path in EXAMPLES}


def test_the_examples_menu_lists_every_example_under_its_own_title():
    listed = {path.stem: title for title, path in examples()}
    assert set(listed) == set(GOALS)
    assert len(set(listed.values())) == len(listed)
    assert all(title != stem for stem, title in listed.items())


def test_each_description_states_its_budget_and_its_bar(example_path):
    project = load_project(example_path)
    goal = GOALS[example_path.stem]
    budget = goal.budget(project.training["epochs"])
    assert f"Budget: {budget}. Bar: {goal.bar()}." in project.description


def test_each_example_prepares_a_run_that_reports_its_goal_metric(example_path):
    setup = prepare_run(load_project(example_path))
    assert setup.warnings == ()
    assert GOALS[example_path.stem].metric in setup.metric_names()
    assert len(setup.data.train) > len(setup.data.val) > 0


def test_a_goal_is_met_at_its_bound_and_not_beyond():
    accuracy = Goal("accuracy", 0.9, seconds=10)
    assert accuracy.met({"accuracy": 0.9}) and not accuracy.met({"accuracy": 0.89})
    loss = Goal("loss", 0.05, seconds=10, at_most=True)
    assert loss.met({"loss": 0.05}) and not loss.met({"loss": 0.051})
    assert loss.bar() == "validation loss <= 0.05"
    assert accuracy.budget(12) == "12 epochs, under 10 s on 2 CPU cores"
