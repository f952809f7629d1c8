"""CSV files at scale: NetDesigner reading a table (parsed a chunk at a time, memory-mapped
beyond the memory budget, kept parsed in the data cache) against a plain script that reads the
whole file with numpy.loadtxt into torch tensors, each in its own process, at two sizes. It
prints each side's peak anonymous memory and time, the growth of our memory from the small file
to the large one (memory must not grow with the rows beyond their targets), and the time of a
second read from the cache against the plain read."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
from bench_data import GIB, line, measured

ROOT = Path(__file__).resolve().parents[1]
FEATURES = 20
SIZES = (400_000, 1_600_000)  # rows
BUDGET = 16  # MiB: both tables are beyond it
GROWTH_GOAL = 1.25  # our peak memory on the large file against the small one
CACHED_GOAL = 0.2  # a second read (the split and the scale remain) against the plain read

OURS = """
import json, os, sys, time
os.environ["XDG_CACHE_HOME"] = {cache!r}  # an unsaved project's data cache is the user's
sys.path.insert(0, {root!r})
from designer.data import prepare_data
started = time.perf_counter()
data = prepare_data({settings!r}, None)
print(json.dumps({{"event": "read", "time": time.time(), "seconds": time.perf_counter() - started,
    "kind": type(data.train.x).__name__}}))
"""
PLAIN = """
import json, time
import numpy as np
import torch
started = time.perf_counter()
table = torch.from_numpy(np.loadtxt({path!r}, delimiter=",", skiprows=1, dtype=np.float32))
x, y = table[:, :-1], table[:, -1].long()
print(json.dumps({{"event": "read", "time": time.time(), "seconds": time.perf_counter() - started,
    "kind": "ndarray"}}))
"""


def write_table(path: Path, rows: int) -> Path:
    """Twenty features and a class column, written a block at a time."""
    if path.exists():
        return path
    generator = np.random.default_rng(0)
    partial = path.with_suffix(".partial")
    with partial.open("w") as stream:
        stream.write(",".join(f"f{i}" for i in range(FEATURES)) + ",kind\n")
        for _ in range(0, rows, 100_000):
            values = generator.normal(size=(100_000, FEATURES))
            kinds = generator.integers(0, 5, (100_000, 1))
            formats = ["%.5f"] * FEATURES + ["%d"]
            np.savetxt(stream, np.hstack([values, kinds]), fmt=formats, delimiter=",")
    partial.rename(path)
    return path


def read(code: str, work: Path) -> dict:
    result = measured([sys.executable, "-c", code], work)
    event = result["events"][-1]
    return {"seconds": event["seconds"], "anon": result["anon"], "kind": event["kind"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-data")
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    peaks = []
    with tempfile.TemporaryDirectory() as work:
        for rows in SIZES:
            path = write_table(args.data / f"table-{rows}.csv", rows)
            cache = Path(work) / f"cache-{rows}"
            settings = {
                "source": "csv",
                "path": str(path),
                "task": "classes",
                "memory_budget": BUDGET,
                "cache": True,
            }
            code = OURS.format(cache=str(cache), root=str(ROOT), settings=settings)
            plain = read(PLAIN.format(path=str(path)), Path(work))
            first = read(code, Path(work))
            again = read(code, Path(work))
            peaks.append(first["anon"])
            size = path.stat().st_size / 2**20
            print(f"{rows:,} rows x {FEATURES} features ({size:.0f} MiB), budget {BUDGET} MiB:")
            ours = f"{first['seconds']:.1f} s parsing, peak {first['anon'] / GIB:.2f} GiB"
            print(f"  ours ({first['kind']}): {ours}; from the cache {again['seconds']:.2f} s")
            theirs = f"{plain['seconds']:.1f} s, peak {plain['anon'] / GIB:.2f} GiB"
            print(f"  plain numpy.loadtxt: {theirs}")
            parsing = first["seconds"] / plain["seconds"]
            print(line("parsing, against the plain read", parsing, None, "x"))
            cached = again["seconds"] / plain["seconds"]
            print(line("second read, against the plain read", cached, CACHED_GOAL, "x"))
    growth = peaks[1] / peaks[0]
    print(line("our peak memory, large file against small", growth, GROWTH_GOAL, "x"))


if __name__ == "__main__":
    main()
