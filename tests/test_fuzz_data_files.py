"""Fuzzing the data readers: hostile CSV tables, NumPy arrays and image folders are read to
the last sample or refused with one clear message, never a traceback, hang or memory blow-up."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from tests.data_mutations import array_cases, csv_cases, data_case, image_cases
from tests.output_mutations import output_cases, output_check
from tests.run_mutations import run_cases, run_check

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def check(case) -> None:
    outcome = data_case(case)
    assert outcome.clean, f"{case[2]}: {outcome.kind}: {outcome.text}"


@settings(FUZZ, max_examples=100)
@given(case=csv_cases())
def test_a_hostile_csv_table_reads_or_gives_one_clear_message(case):
    check(case)


@settings(FUZZ, max_examples=100)
@given(case=array_cases())
def test_hostile_arrays_read_or_give_one_clear_message(case):
    check(case)


@settings(FUZZ, max_examples=100)
@given(case=image_cases())
def test_a_hostile_image_folder_reads_or_gives_one_clear_message(case):
    check(case)


@settings(FUZZ, max_examples=40)
@given(case=run_cases())
def test_a_damaged_run_folder_is_refused_clearly_and_nothing_else_is_touched(case):
    outcome = run_check(*case)
    assert outcome.clean, f"{case}: {outcome.kind}: {outcome.text}"


@settings(FUZZ, max_examples=60)
@given(case=output_cases())
def test_an_output_never_replaces_what_is_not_a_file_of_its_own(case):
    outcome = output_check(*case)
    assert outcome.clean, f"{case}: {outcome.kind}: {outcome.text}"
