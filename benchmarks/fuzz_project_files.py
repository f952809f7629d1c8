"""Fuzz the project loader with damaged example files (10,000 by default): cases tried, failures.

Each case is an example project with one to three damages (tests/project_mutations.py) that
must either load, analyse, generate code that compiles and save again, or be refused with one
ProjectError naming the file. Failures are grouped by exception, with one case of each shown."""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings

from tests.project_mutations import check_load, damaged_files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    arguments = parser.parse_args()
    outcomes: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    shown: dict[str, str] = {}
    slowest = (0.0, "")
    folder = Path(tempfile.mkdtemp(prefix="fuzz-projects-"))

    @settings(
        max_examples=arguments.cases,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(damaged_files())
    def one_case(case: tuple[bytes, str]) -> None:
        nonlocal slowest
        data, notes = case
        path = folder / "project.json"
        path.write_bytes(data)
        started = time.perf_counter()
        try:
            outcomes["loaded" if check_load(path) is not None else "refused"] += 1
        except Exception as error:  # every kind is a finding: count it, show one of each
            kind = re.sub(r"\d+", "N", f"{type(error).__name__}: {error}".splitlines()[0][:120])
            failures[kind] += 1
            shown.setdefault(kind, f"{notes[:300]}\n{traceback.format_exc()[-1200:]}")
        took = time.perf_counter() - started
        if took > slowest[0]:
            slowest = (took, notes[:200])

    started = time.perf_counter()
    one_case()
    seconds = time.perf_counter() - started
    tried = sum(outcomes.values()) + sum(failures.values())
    print(f"cases tried: {tried} in {seconds:.0f} s ({1000 * seconds / max(tried, 1):.1f} ms each)")
    print(f"  refused with one ProjectError: {outcomes['refused']}")
    print(f"  loaded, analysed, generated, saved and reloaded: {outcomes['loaded']}")
    print(f"  slowest case: {slowest[0] * 1000:.0f} ms ({slowest[1]})")
    print(f"failures: {sum(failures.values())}")
    for kind, count in failures.most_common():
        print(f"\n{count} x {kind}\n{shown[kind]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
