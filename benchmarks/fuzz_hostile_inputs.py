"""Fuzz the data readers, run folders and outputs (10,000 cases by default): outcome counts.

The cases are tests/test_fuzz_data_files.py's, in these shares: CSV tables, NumPy arrays and
image folders (read to the last sample), damaged run folders (resumed, exported, listed) and
output targets (devices, FIFOs, folders, links, the project, a run's files). Each case ends
"ok" or in one clear "message"; "traceback", "hang" (past the deadline) and "memory" (past
the budget) are findings, counted and one of each kind shown."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings

from tests.data_mutations import array_cases, csv_cases, data_case, image_cases
from tests.fuzz_guard import DEADLINE_SECONDS, MEMORY_BUDGET
from tests.output_mutations import output_cases, output_check
from tests.run_mutations import run_cases, run_check

KINDS = {  # name: (share of the cases, strategy, check)
    "csv": (0.33, csv_cases(), data_case),
    "arrays": (0.31, array_cases(), data_case),
    "images": (0.28, image_cases(), data_case),
    "runs": (0.08, run_cases(), lambda case: run_check(*case)),
    # Every output option at every kind of target, with and without --force: 72 cases in all.
    "outputs": (0.01, output_cases(), lambda case: output_check(*case)),
}


def fuzz(name, check, strategy, cases, counts, findings, shown) -> None:
    """Run `cases` cases of `strategy` through `check`, counting outcomes and findings."""

    @settings(
        max_examples=cases,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def one_case(case) -> None:
        outcome = check(case)
        counts[name, outcome.kind] += 1
        if not outcome.clean:
            last = (outcome.text.strip().splitlines() or [""])[-1]
            kind = f"{name} {outcome.kind}: " + re.sub(r"\d+", "N", last[:120])
            findings[kind] += 1
            shown.setdefault(kind, f"{str(case)[:400]}\n{outcome.text[-1500:]}")

    one_case()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    arguments = parser.parse_args()
    counts: Counter[tuple[str, str]] = Counter()
    shown: dict[str, str] = {}
    findings: Counter[str] = Counter()
    started = time.perf_counter()
    for name, (share, strategy, check) in KINDS.items():
        fuzz(name, check, strategy, max(1, round(arguments.cases * share)), counts, findings, shown)
        found = (f"{kind} {n}" for (of, kind), n in counts.items() if of == name)
        print(f"{name}: " + ", ".join(found), flush=True)
    seconds = time.perf_counter() - started
    tried = sum(counts.values())
    totals: Counter[str] = Counter()
    for (_, kind), count in counts.items():
        totals[kind] += count
    print(f"cases tried: {tried} in {seconds:.0f} s ({1000 * seconds / max(tried, 1):.0f} ms each)")
    print(
        f"ok {totals['ok']}, clear message {totals['message']}; tracebacks {totals['traceback']}, "
        f"hangs (> {DEADLINE_SECONDS} s) {totals['hang']}, "
        f"memory (> {MEMORY_BUDGET // 2**30} GiB) {totals['memory']}"
    )
    for kind, count in findings.most_common():
        print(f"\n{count} x {kind}\n{shown[kind]}")
    return 1 if shown else 0


if __name__ == "__main__":
    sys.exit(main())
