"""Image folders at scale: NetDesigner's run (the app's own training code, in a child process)
against a plain PyTorch script (a Dataset decoding each item, a DataLoader with as many worker
processes), both on JPEG folders this benchmark writes. For each case it prints the peak memory
of each process tree (anonymous memory summed over the processes, so that a memory-mapped
cache's reclaimable pages do not count; and with shared memory added), the time to the first
training step, both epochs' times, and how long the run's end waited for the classical
baseline."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLASSES = 10
BATCH = 64
GIB = 2**30


@dataclass(frozen=True)
class Case:
    images: int
    side: int
    memory_goal: float  # GiB
    first_epoch_goal: float  # against the plain script
    second_epoch_goal: float
    first_step_goal: float | None  # seconds


FULL = (
    Case(20_000, 64, 1.2, 1.1, 0.7, 10.0),
    Case(6_000, 224, 2.0, 1.1, 1.1, None),
    Case(24_000, 224, 2.0, 1.1, 1.1, None),
)
BASELINE_GOAL = 5.0  # seconds from the last validation to the run's end


def write_image(task: tuple[str, int, int, int]) -> None:
    path, label, side, seed = task
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 60, size=(side // 8, side // 8, 3)) + 18 * label
    image = Image.fromarray(base.astype(np.uint8)).resize((side, side), Image.BILINEAR)
    noise = rng.integers(-20, 20, size=(side, side, 3))
    pixels = np.clip(np.asarray(image, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
    Image.fromarray(pixels).save(path, quality=90)


def image_folder(root: Path, count: int, side: int) -> Path:
    """`count` JPEGs of `side` pixels in CLASSES class folders, made once."""
    folder = root / f"jpeg-{count}-{side}"
    done = folder / ".complete"
    if done.exists():
        return folder
    tasks = []
    for index in range(count):
        label = index % CLASSES
        (folder / f"class{label}").mkdir(parents=True, exist_ok=True)
        tasks.append((str(folder / f"class{label}" / f"{index:06}.jpg"), label, side, index))
    with Pool(os.cpu_count()) as pool:
        pool.map(write_image, tasks, chunksize=256)
    done.touch()
    return folder


def cnn_layers(channels: int = 3) -> list[tuple[str, str, dict]]:
    """Three convolutions, the first strided, pooled to one value a channel."""
    conv = {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1, "groups": 1, "bias": True}
    pool = {"kernel_size": 2, "stride": 2, "padding": 0}
    return [
        ("conv2d", "conv1", {**conv, "filters": 16, "stride": 2}),
        ("relu", "relu1", {}),
        ("maxpool2d", "pool1", pool),
        ("conv2d", "conv2", {**conv, "filters": 32}),
        ("relu", "relu2", {}),
        ("maxpool2d", "pool2", pool),
        ("conv2d", "conv3", {**conv, "filters": 64}),
        ("relu", "relu3", {}),
        ("adaptive_avgpool2d", "gap", {"output_size": 1}),
        ("flatten", "flat", {}),
        ("dense", "head", {"units": CLASSES, "bias": True}),
    ]


def write_project(folder: Path, images: Path, side: int, epochs: int, baseline: bool) -> Path:
    from designer.model import GraphDocument
    from designer.project import Project, save_project

    doc = GraphDocument()
    last = doc.add_node("input", "image", {"shape": [3, side, side], "dtype": "float"})
    for kind, name, params in cnn_layers():
        node = doc.add_node(kind, name, params)
        doc.connect(last.id, "out", node.id, "in")
        last = node
    output = doc.add_node("output", "classes")
    doc.connect(last.id, "out", output.id, "in")
    dataset = {
        "source": "image_folder",
        "path": str(images),
        "color": "rgb",
        "image_size": side,
        "split": {"val": 0.2, "test": 0.0, "seed": 0},
    }
    training = {"epochs": epochs, "batch_size": BATCH, "seed": 0, "device": "cpu"}
    training["baseline"] = baseline
    path = folder / "project.json"
    save_project(Project("Bench CNN", "", doc, dataset, training), path)
    return path


# NetDesigner's run as the CLI makes it, with the time of each event it cares for.
NETDESIGNER = """
import json, sys, time
from designer.project import load_project
from designer.training import prepare_run, Trainer
from designer.training.background_baseline import run_with_baseline
from designer.training.events import BaselineFitted, EpochDone, StepDone

def say(what, **values):
    print(json.dumps({"event": what, "time": time.time(), **values}), flush=True)

first = []
def listener(event):
    if isinstance(event, StepDone) and not first:
        first.append(1)
        say("first_step")
    elif isinstance(event, EpochDone):
        say("epoch", seconds=event.seconds)
    elif isinstance(event, BaselineFitted):
        say("baseline", model=event.model)

setup = prepare_run(load_project(sys.argv[1]))
say("ready", workers=setup.config.workers)
last, baseline, note = run_with_baseline(Trainer(setup, listeners=[listener]), listener)
say("end", note=note)
"""

# The script a PyTorch user writes by hand: decode each item in a DataLoader worker.
PLAIN = """
import json, os, sys, time
import numpy as np, torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset

def say(what, **values):
    print(json.dumps({"event": what, "time": time.time(), **values}), flush=True)

root, side, epochs, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
classes = sorted(os.listdir(root))
classes = [c for c in classes if os.path.isdir(os.path.join(root, c))]
files = [(os.path.join(root, c, f), i) for i, c in enumerate(classes)
         for f in sorted(os.listdir(os.path.join(root, c)))]

class Files(Dataset):
    def __init__(self, items): self.items = items
    def __len__(self): return len(self.items)
    def __getitem__(self, i):
        path, label = self.items[i]
        with Image.open(path) as image:
            image = image.convert("RGB").resize((side, side), Image.BILINEAR)
        x = torch.from_numpy(np.array(image)).permute(2, 0, 1).float() / 255
        return x, label

order = np.random.default_rng(0).permutation(len(files))
cut = int(len(files) * 0.8)
train = Files([files[i] for i in order[:cut]])
val = Files([files[i] for i in order[cut:]])
loader = DataLoader(train, batch_size=64, shuffle=True, num_workers=workers,
                    persistent_workers=workers > 0)
val_loader = DataLoader(val, batch_size=64, num_workers=workers)
torch.set_num_threads(max(1, os.cpu_count() - 1))
torch.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(3, 16, 3, 2, 1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
    nn.Flatten(), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), 1e-3)
say("ready", workers=workers)
first = True
for epoch in range(epochs):
    started = time.perf_counter()
    model.train()
    for x, y in loader:
        loss = nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if first:
            say("first_step")
            first = False
    seconds = time.perf_counter() - started
    model.eval()
    with torch.no_grad():
        for x, y in val_loader:
            model(x)
    say("epoch", seconds=seconds)
say("end", note="")
"""


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                text = Path(f"/proc/{current}/task/{task}/children").read_text()
                queue += [int(child) for child in text.split()]
        except OSError:
            continue
    return found


def anonymous_bytes(pid: int) -> tuple[int, int]:
    """Summed over the tree: RssAnon, and RssAnon + RssShmem (shared memory, such as a pixel
    store in memory, counted in every process that touched it: an overestimate). Read from
    /proc/PID/status, which costs nothing however large a process's mappings are."""
    anon = shared = 0
    for member in tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("RssAnon:"):
                    anon += int(line.split()[1]) * 1024
                elif line.startswith("RssShmem:"):
                    shared += int(line.split()[1]) * 1024
        except (OSError, ValueError, IndexError):
            continue
    return anon, anon + shared


def measured(command: list[str], cwd: Path) -> dict:
    """Run `command`, sampling its tree's memory twice a second; its events with their
    times from its start, and the peaks."""
    started = time.time()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peaks = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            anon, shared = anonymous_bytes(process.pid)
            peaks[0], peaks[1] = max(peaks[0], anon), max(peaks[1], shared)
            done.wait(0.5)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    if process.returncode:
        raise SystemExit(f"{command[1]} failed ({process.returncode}):\n{err[-3000:]}")
    events = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    for event in events:
        event["time"] -= started
    return {"events": events, "anon": peaks[0], "shared": peaks[1]}


def times(result: dict) -> dict:
    events = result["events"]
    epochs = [e for e in events if e["event"] == "epoch"]
    found = {
        "first_step": next(e["time"] for e in events if e["event"] == "first_step"),
        "epoch1": epochs[0]["seconds"],
        "epoch2": epochs[1]["seconds"],
        "end_wait": events[-1]["time"] - epochs[-1]["time"],
        "note": events[-1].get("note", ""),
    }
    baseline = [e for e in events if e["event"] == "baseline"]
    ready = next(e["time"] for e in events if e["event"] == "ready")
    found["baseline"] = baseline[0]["time"] - ready if baseline else None
    return found


def line(name: str, value: float, goal: float | None, unit: str, lower: bool = True) -> str:
    if goal is None:
        return f"  {name}: {value:.2f}{unit}"
    met = value <= goal if lower else value >= goal
    return f"  {name}: {value:.2f}{unit} (goal <= {goal}{unit}) {'met' if met else 'MISSED'}"


def run_case(
    case: Case, images: Path, work: Path, epochs: int, rounds: int, baseline: bool
) -> None:
    from designer.runtime.devices import worker_count

    workers = worker_count(-1)
    print(f"{case.images:,} images {case.side}x{case.side}, {workers} worker(s):", flush=True)
    results: dict[str, list[dict]] = {"netdesigner": [], "plain": []}
    for round_number in range(rounds):
        for name in ("netdesigner", "plain") if round_number % 2 == 0 else ("plain", "netdesigner"):
            folder = work / f"{name}-{case.images}-{case.side}-{round_number}"
            folder.mkdir()
            if name == "netdesigner":
                project = write_project(folder, images, case.side, epochs, baseline)
                driver = folder / "driver.py"
                driver.write_text(NETDESIGNER)
                command = [sys.executable, str(driver), str(project)]
                env_root = str(ROOT)
            else:
                script = folder / "plain.py"
                script.write_text(PLAIN)
                command = [sys.executable, str(script), str(images), str(case.side)]
                command += [str(epochs), str(workers)]
                env_root = ""
            os.environ["PYTHONPATH"] = env_root
            result = measured(command, folder)
            peaks = {"anon": result["anon"], "shared": result["shared"]}
            results[name].append({**times(result), **peaks})
    ours, plain = results["netdesigner"], results["plain"]

    def best(rows: list[dict], key: str) -> float:
        return min(row[key] for row in rows)

    def most(rows: list[dict], key: str) -> float:
        return max(row[key] for row in rows)

    print(line("peak memory, RssAnon", most(ours, "anon") / GIB, case.memory_goal, " GiB"))
    shared = most(ours, "shared") / GIB
    print(line("peak memory, RssAnon + RssShmem", shared, case.memory_goal, " GiB"))
    print(
        f"  plain script's peak: RssAnon {most(plain, 'anon') / GIB:.2f} GiB, "
        f"with RssShmem {most(plain, 'shared') / GIB:.2f} GiB"
    )
    print(line("time to the first step", best(ours, "first_step"), case.first_step_goal, " s"))
    print(f"  plain script's first step: {best(plain, 'first_step'):.2f} s")
    for epoch, goal in (("epoch1", case.first_epoch_goal), ("epoch2", case.second_epoch_goal)):
        ratio = best(ours, epoch) / best(plain, epoch)
        print(
            line(f"{epoch} against the plain script", ratio, goal, "x")
            + f" ({best(ours, epoch):.1f} s / {best(plain, epoch):.1f} s)"
        )
    print(line("run's end after the last validation", most(ours, "end_wait"), BASELINE_GOAL, " s"))
    walls = [row["baseline"] for row in ours if row["baseline"] is not None]
    notes = {row["note"] for row in ours if row["note"]}
    shown = f"{max(walls):.1f} s from the run's start" if walls else "not ready"
    print(f"  baseline's own wall time: {shown}{'; ' + '; '.join(notes) if notes else ''}")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the images")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="alternating runs of each side")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench-data")
    parser.add_argument("--case", type=int, action="append", help="cases to run (0, 1, 2)")
    parser.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="fit the classical baseline beside the run (off: see what it costs)",
    )
    args = parser.parse_args()
    chosen = [FULL[i] for i in (args.case or range(len(FULL)))]
    with tempfile.TemporaryDirectory() as work:
        for case in chosen:
            count = max(CLASSES * 20, int(case.images * args.scale))
            scaled = Case(count, *list(vars(case).values())[1:])
            images = image_folder(args.data, count, case.side)
            run_case(scaled, images, Path(work), args.epochs, args.rounds, args.baseline)


if __name__ == "__main__":
    main()
