"""Compiled networks against hand-written twins, and shape inference on a 1,000-node graph."""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # first, so that no timing below counts torch's import
import torch.nn.functional as F
from torch import nn

from designer.compiler import Analyzer, compile_graph
from designer.compiler.probe import _probe, probe_class
from designer.compiler.shape_cache import FOLDER_VARIABLE, shape_cache_at
from designer.model import GraphDocument, Node

# A shape cache of this run's own, empty at the start: "cold" means torch runs every probe.
os.environ[FOLDER_VARIABLE] = tempfile.mkdtemp(prefix="netdesigner-bench-shapes-")

STEP_GOAL = 1.02
FULL_GOAL_MS = 100.0
INCREMENTAL_GOAL_MS = 20.0
MODEL_SECONDS = 8.0  # wall-clock seconds per model and batch size
CHUNKS = 6  # slices of each run over which the spread of the ratio is shown
# This process's CPU time: one thread does all the work, and time that other processes take
# from it on a shared machine does not count (--wall measures wall-clock time instead).
TIMER: list[Callable[[], float]] = [time.process_time]


# -- the graphs ----------------------------------------------------------------------------------


def chain(doc: GraphDocument, source: Node, layers: list[tuple[str, str, dict]]) -> Node:
    """Add `layers` one after another behind `source`; returns the last."""
    for kind, name, params in layers:
        node = doc.add_node(kind, name, params)
        doc.connect(source.id, "out", node.id, "in")
        source = node
    return source


def lenet5_doc() -> GraphDocument:
    doc = GraphDocument()
    image = doc.add_node("input", "image", {"shape": [1, 32, 32]})
    chain(
        doc,
        image,
        [
            ("conv2d", "conv1", {"filters": 6, "kernel_size": 5}),
            ("relu", "relu1", {}),
            ("maxpool2d", "pool1", {}),
            ("conv2d", "conv2", {"filters": 16, "kernel_size": 5}),
            ("relu", "relu2", {}),
            ("maxpool2d", "pool2", {}),
            ("flatten", "flatten", {}),
            ("dense", "fc1", {"units": 120}),
            ("relu", "relu3", {}),
            ("dense", "fc2", {"units": 84}),
            ("relu", "relu4", {}),
            ("dense", "fc3", {"units": 10}),
            ("output", "logits", {}),
        ],
    )
    return doc


def conv(filters: int, kernel: int = 3, stride: int = 1) -> dict:
    return {"filters": filters, "kernel_size": kernel, "stride": stride, "padding": kernel // 2}


def residual_block(
    doc: GraphDocument,
    x: Node,
    prefix: str,
    channels: int,
    stride: int = 1,
    inner: int | None = None,
    kernel: int = 3,
    projection: bool = False,
) -> Node:
    """conv, bn, relu, conv, bn, add (shortcut), relu; the shortcut is a 1x1 conv and bn when
    `projection`, else the block's input."""
    no_bias = {"bias": False}
    y = chain(
        doc,
        x,
        [
            ("conv2d", f"{prefix}_conv1", {**conv(inner or channels, kernel, stride), **no_bias}),
            ("batchnorm2d", f"{prefix}_bn1", {}),
            ("relu", f"{prefix}_relu1", {}),
            ("conv2d", f"{prefix}_conv2", {**conv(channels), **no_bias}),
            ("batchnorm2d", f"{prefix}_bn2", {}),
        ],
    )
    if projection:
        x = chain(
            doc,
            x,
            [
                ("conv2d", f"{prefix}_shortcut", {**conv(channels, 1, stride), **no_bias}),
                ("batchnorm2d", f"{prefix}_shortcut_bn", {}),
            ],
        )
    add = doc.add_node("add", f"{prefix}_add")
    doc.connect(y.id, "out", add.id, "in")
    doc.connect(x.id, "out", add.id, "in")
    return chain(doc, add, [("relu", f"{prefix}_out", {})])


def resnet_doc() -> GraphDocument:
    """The small ResNet of projects/resnet_digits.json, on 1x8x8 digits."""
    doc = GraphDocument()
    image = doc.add_node("input", "image", {"shape": [1, 8, 8]})
    x = chain(
        doc,
        image,
        [
            ("conv2d", "stem_conv", {**conv(16), "bias": False}),
            ("batchnorm2d", "stem_bn", {}),
            ("relu", "stem_relu", {}),
        ],
    )
    x = residual_block(doc, x, "block1", 16)
    x = residual_block(doc, x, "block2", 32, stride=2, projection=True)
    chain(
        doc,
        x,
        [
            ("adaptive_avgpool2d", "global_pool", {"output_size": 1}),
            ("flatten", "flatten", {}),
            ("dense", "classifier", {"units": 10}),
            ("output", "logits", {}),
        ],
    )
    return doc


def big_doc(total: int = 1000) -> tuple[GraphDocument, dict[str, str]]:
    """`total` nodes: a residual CNN (widths 16/32/64, kernels 3/5, inner widths c/2c) whose
    pooled features feed a residual MLP (widths 64/96/128, hidden c/2, c or 2c, some dropout
    and pre-norm). Returns the document and the ids of the nodes the edits change."""
    doc = GraphDocument()
    image = doc.add_node("input", "image", {"shape": [3, 16, 16]})
    stem = doc.add_node("conv2d", "stem", {**conv(16), "bias": False})
    doc.connect(image.id, "out", stem.id, "in")
    x = chain(doc, stem, [("batchnorm2d", "stem_bn", {}), ("relu", "stem_relu", {})])
    block = 0
    for stage, channels in enumerate((16, 32, 64)):
        for index in range(11):
            block += 1
            first = index == 0 and stage > 0
            x = residual_block(
                doc,
                x,
                f"c{block}",
                channels,
                stride=2 if first else 1,
                inner=channels * (1 + index % 2),
                kernel=5 if index % 3 == 2 else 3,
                projection=first,
            )
    x = chain(
        doc,
        x,
        [("adaptive_avgpool2d", "pool", {"output_size": 1}), ("flatten", "flatten", {})],
    )
    tail = 2  # the classifier and the output
    width, index, first_widen, last_hidden = 64, 0, f"d{block + 1}_widen", ""
    while total - len(doc) - tail >= 2:
        room = total - len(doc) - tail
        block += 1
        if index % 8 == 0 and room >= 2:  # a new width for the next blocks
            width = (64, 96, 128)[(index // 8) % 3]
            x = chain(
                doc,
                x,
                [("dense", f"d{block}_widen", {"units": width}), ("relu", f"d{block}_relu", {})],
            )
        elif room >= 6:
            hidden = (width // 2, width, 2 * width)[index % 3]
            layers = [("layernorm", f"d{block}_norm", {})] if index % 4 == 1 else []
            layers += [
                ("dense", f"d{block}_fc1", {"units": hidden}),
                ("relu", f"d{block}_relu", {}),
            ]
            if index % 5 == 3:
                layers.append(("dropout", f"d{block}_drop", {"p": (0.1, 0.2)[index % 2]}))
            layers.append(("dense", f"d{block}_fc2", {"units": width}))
            y = chain(doc, x, layers)
            last_hidden = f"d{block}_fc1"
            add = doc.add_node("add", f"d{block}_add")
            doc.connect(y.id, "out", add.id, "in")
            doc.connect(x.id, "out", add.id, "in")
            x = chain(doc, add, [("relu", f"d{block}_out", {})])
        else:
            x = chain(doc, x, [("dropout", f"d{block}_drop{n}", {"p": 0.1}) for n in range(room)])
        index += 1
    chain(doc, x, [("dense", "classifier", {"units": 10}), ("output", "logits", {})])
    assert len(doc) == total, len(doc)
    targets = {"start": stem.id, "mid": doc.find(first_widen).id, "end": doc.find(last_hidden).id}
    return doc, targets


# -- the hand-written twins ----------------------------------------------------------------------


class LeNet5(nn.Module):
    """As one writes it by hand: modules for learned layers, functions for the rest."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class LeNet5Modules(LeNet5):
    """The same with one module per layer, as the code generator writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.relu, self.pool, self.flatten = nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = self.flatten(x)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


def conv_bn(cin: int, cout: int, kernel: int = 3, stride: int = 1) -> tuple[nn.Module, nn.Module]:
    return nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False), nn.BatchNorm2d(cout)


class ResNet(nn.Module):
    """The small ResNet by hand; attribute names match the graph's so weights load across."""

    def __init__(self) -> None:
        super().__init__()
        self.stem_conv, self.stem_bn = conv_bn(1, 16)
        self.block1_conv1, self.block1_bn1 = conv_bn(16, 16)
        self.block1_conv2, self.block1_bn2 = conv_bn(16, 16)
        self.block2_conv1, self.block2_bn1 = conv_bn(16, 32, stride=2)
        self.block2_conv2, self.block2_bn2 = conv_bn(32, 32)
        self.block2_shortcut, self.block2_shortcut_bn = conv_bn(16, 32, 1, 2)
        self.classifier = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.stem_bn(self.stem_conv(x)))
        y = F.relu(self.block1_bn1(self.block1_conv1(x)))
        x = F.relu(self.block1_bn2(self.block1_conv2(y)) + x)
        y = F.relu(self.block2_bn1(self.block2_conv1(x)))
        y = self.block2_bn2(self.block2_conv2(y))
        x = F.relu(y + self.block2_shortcut_bn(self.block2_shortcut(x)))
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.classifier(x)


class ResNetModules(ResNet):
    """The same with one module per layer, as the code generator writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.relu, self.pool, self.flatten = nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(self.stem_bn(self.stem_conv(x)))
        y = self.relu(self.block1_bn1(self.block1_conv1(x)))
        x = self.relu(self.block1_bn2(self.block1_conv2(y)) + x)
        y = self.relu(self.block2_bn1(self.block2_conv1(x)))
        y = self.block2_bn2(self.block2_conv2(y))
        x = self.relu(y + self.block2_shortcut_bn(self.block2_shortcut(x)))
        return self.classifier(self.flatten(self.pool(x)))


# -- training steps ------------------------------------------------------------------------------


def count_params(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def twins(doc: GraphDocument, name: str, hand: type[nn.Module], layered: type[nn.Module]):
    """The compiled module and its hand-written twins, with the same weights; checks that all
    three have the same params and compute the same function."""
    compiled, _ = compile_graph(doc, name)
    models = {"compiled": compiled, "hand-written": hand(), "module-per-layer": layered()}
    counts = {key: count_params(model) for key, model in models.items()}
    if len(set(counts.values())) != 1:
        raise SystemExit(f"{name}: param counts differ: {counts}")
    state = compiled.state_dict()
    for key in ("hand-written", "module-per-layer"):
        models[key].load_state_dict(state)  # strict: same names and shapes
    image = next(node for node in doc.nodes() if node.kind == "input").params["shape"]
    sample = torch.randn(4, *image)
    with torch.no_grad():
        outputs = [model.eval()(sample) for model in models.values()]
    for output in outputs[1:]:
        torch.testing.assert_close(output, outputs[0])
    for model in models.values():
        model.train()
    return models, counts["compiled"]


def training_step(model: nn.Module, batch: int, image: tuple[int, ...]) -> Callable[[], None]:
    """Forward, cross-entropy on random data, backward and an SGD step."""
    data = torch.randn(batch, *image)
    target = torch.randint(0, 10, (batch,))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(model(data), target).backward()
        optimizer.step()

    return step


def interleaved(steps: dict[str, Callable[[], None]], seconds: float) -> dict[str, list[float]]:
    """Seconds of each single step of each callable. The callables take turns step by step, in
    an order that rotates, so that the machine's drift and other processes hit them alike;
    a step that another process interrupted is an outlier that medians ignore."""
    names = list(steps)
    for _ in range(20):
        for name in names:
            steps[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    clock = TIMER[0]
    end = time.perf_counter() + seconds * len(names)  # wall-clock, to bound the run's length
    turn = 0
    while time.perf_counter() < end or turn < 30:
        shift = turn % len(names)
        for name in names[shift:] + names[:shift]:
            step = steps[name]
            start = clock()
            step()
            times[name].append(clock() - start)
        turn += 1
    return times


def ratio_of_medians(
    times: dict[str, list[float]], top: str, bottom: str, chunks: int = CHUNKS
) -> tuple[float, float, float]:
    """median(top) / median(bottom), and the lowest and highest of the same ratio over
    `chunks` consecutive slices of the run (how stable the ratio was)."""
    ratio = statistics.median(times[top]) / statistics.median(times[bottom])
    size = len(times[top]) // chunks
    parts = [
        statistics.median(times[top][i * size : (i + 1) * size])
        / statistics.median(times[bottom][i * size : (i + 1) * size])
        for i in range(chunks)
    ]
    return ratio, min(parts), max(parts)


def bench_steps(label: str, doc: GraphDocument, hand: type, layered: type, expect: int | None):
    torch.manual_seed(0)
    models, params = twins(doc, label, hand, layered)
    if expect is not None and params != expect:
        raise SystemExit(f"{label}: {params:,} params, expected {expect:,}")
    image = tuple(next(node for node in doc.nodes() if node.kind == "input").params["shape"])
    print(f"{label}: {params:,} params in all three versions; same outputs")
    for batch in (1, 64):
        torch.manual_seed(batch)
        steps = {key: training_step(model, batch, image) for key, model in models.items()}
        times = interleaved(steps, MODEL_SECONDS)
        ratio, low, high = ratio_of_medians(times, "compiled", "hand-written")
        layered_ratio, *_ = ratio_of_medians(times, "compiled", "module-per-layer")
        ms = {key: statistics.median(values) * 1e3 for key, values in times.items()}
        verdict = "ok" if ratio <= STEP_GOAL else "OVER GOAL"
        print(
            f"{label:7s} batch {batch:2d}: compiled/hand-written = {ratio:.3f}"
            f"  (goal <= {STEP_GOAL}: {verdict})"
        )
        print(
            f"    median {ms['compiled']:.3f} vs {ms['hand-written']:.3f} ms/step,"
            f" {len(times['compiled'])} steps each; ratio over {CHUNKS} slices of the run"
            f" {low:.3f}-{high:.3f}; compiled/module-per-layer twin = {layered_ratio:.3f}"
        )


# -- shape inference -----------------------------------------------------------------------------


def clear_probe_caches() -> None:
    """Forget every probe result: in memory, and in the shape cache (not written until exit)."""
    _probe.cache_clear()
    probe_class.cache_clear()
    shape_cache_at.cache_clear()


def timed(action: Callable[[], Any]) -> float:
    clock = TIMER[0]
    start = clock()
    action()
    return clock() - start


def plain_loop(doc: GraphDocument) -> int:
    """The reference: visit every node and read each of its params."""
    count = 0
    for node in doc.nodes():
        for _value in node.params.values():
            count += 1
    return count


class Clock:
    """Times actions, each right after a run of the plain loop, so that the reference sees
    the same machine as what it is compared with."""

    def __init__(self, doc: GraphDocument) -> None:
        self.doc = doc
        self.loops: list[float] = []

    def __call__(self, action: Callable[[], Any]) -> float:
        self.loops.append(statistics.median(timed(lambda: plain_loop(self.doc)) for _ in range(5)))
        return timed(action)

    def edits(self, analyzer: Analyzer, node_id: str, name: str, values: list) -> list[float]:
        """Seconds of set_param + report() for each value in turn."""
        return [self(lambda v=value: edit(analyzer, node_id, name, [v])) for value in values]


def edit(analyzer: Analyzer, node_id: str, name: str, values: list) -> None:
    """Set the param to each value in turn and bring the report up to date each time."""
    for value in values:
        analyzer.doc.set_param(node_id, name, value)
        analyzer.report()


def same_as_fresh(analyzer: Analyzer) -> None:
    """The incremental report must equal a full analysis of the same document."""
    kept, fresh = analyzer.report(), Analyzer(analyzer.doc).report()
    if dict(kept.nodes) != dict(fresh.nodes) or kept.diagnostics != fresh.diagnostics:
        wrong = [key for key in fresh.nodes if kept.nodes.get(key) != fresh.nodes[key]]
        raise SystemExit(f"incremental analysis differs from a full one at {wrong[:5]}")


def ms_line(label: str, times: list[float], goal_ms: float | None, loop: float) -> str:
    seconds = statistics.median(times)
    ms = seconds * 1e3
    goal = "no goal"
    if goal_ms:
        verdict = "ok" if ms < goal_ms else "OVER GOAL"
        goal = f"goal < {goal_ms:.0f} ms: {ms / goal_ms:4.2f}x goal, {verdict}"
    return (
        f"  {label:50s} {ms:8.2f} ms  ({goal}; {seconds / loop:5.0f}x plain loop; n={len(times)})"
    )


def bench_analysis(profile: bool, first: float) -> None:
    doc, targets = big_doc()
    clock = Clock(doc)
    Analyzer(doc).report()
    report = Analyzer(doc).report()
    if not report.ok or any(node.output is None for node in report.nodes.values()):
        raise SystemExit(f"the 1,000-node graph has errors: {report.errors[:3]}")
    cold, warm = [], []
    for _ in range(7):
        clear_probe_caches()
        cold.append(clock(lambda: Analyzer(doc).report()))
        warm.append(clock(lambda: Analyzer(doc).report()))
    unique, sources = _probe.cache_info().currsize, probe_class.cache_info().currsize

    edited = doc.copy()  # the only Analyzer listening to this copy's events
    analyzer = Analyzer(edited)
    analyzer.report()
    start, mid, end = targets["start"], targets["mid"], targets["end"]
    misses = _probe.cache_info().misses
    start_cold = clock.edits(analyzer, start, "padding", [0, 2, 3])
    start_probes = (_probe.cache_info().misses - misses) / 3
    changed = sum(
        1
        for key, node in analyzer.report().nodes.items()
        if node.output is not None and node.output != report.nodes[key].output
    )
    start_warm = clock.edits(analyzer, start, "padding", [1, 0, 2, 3] * 3)
    same_as_fresh(analyzer)
    clock.edits(analyzer, start, "padding", [1])
    width = edited.node(mid).params["units"]
    mid_times = clock.edits(analyzer, mid, "units", [width + 16, width] * 8)
    mid_break, mid_repair = mid_times[2::2], mid_times[3::2]  # the first pair has new probes
    broken = sum(1 for node in analyzer.report().nodes.values() if node.output is None)
    clock.edits(analyzer, mid, "units", [width + 16])
    broken = sum(1 for node in analyzer.report().nodes.values() if node.output is None) - broken
    same_as_fresh(analyzer)
    clock.edits(analyzer, mid, "units", [width])
    hidden = edited.node(end).params["units"]
    end_cold = clock.edits(analyzer, end, "units", [hidden + 1, hidden + 2, hidden + 3])
    end_warm = clock.edits(analyzer, end, "units", [hidden, hidden + 1, hidden + 2] * 4)
    same_as_fresh(analyzer)
    loop = statistics.median(clock.loops)

    print(
        f"shape inference, {len(doc)} nodes, {len(doc.edges())} wires,"
        f" {unique} unique probe keys, {sources} probe sources:"
    )
    print(f"  {'plain loop reading every param (reference)':50s} {loop * 1e3:8.3f} ms")
    print(
        f"  {'first analysis in a process (LeNet-5, 14 nodes)':50s} {first * 1e3:8.2f} ms"
        "  (torch's lazy set-up on the first meta-tensor op)"
    )
    print(ms_line("(a) full, cold probe cache", cold, FULL_GOAL_MS, loop))
    print(ms_line("(b) full, warm probe cache (new Analyzer)", warm, FULL_GOAL_MS, loop))
    print("  (c) incremental: set_param + report(); start edit = stem padding, which resizes")
    print(f"      {changed} nodes downstream; end edit = hidden units of the last MLP block")
    print(ms_line("(c) start edit, shapes seen before", start_warm, INCREMENTAL_GOAL_MS, loop))
    print(
        ms_line(
            f"    start edit, new shapes ({start_probes:.0f} new probes)",
            start_cold,
            INCREMENTAL_GOAL_MS,
            loop,
        )
    )
    print(ms_line("(c) end edit, values seen before", end_warm, INCREMENTAL_GOAL_MS, loop))
    print(ms_line("    end edit, new values", end_cold, INCREMENTAL_GOAL_MS, loop))
    print(
        f"      mid edit = first MLP width +16, which breaks the {broken} nodes after it, and back:"
    )
    print(ms_line("    mid edit, breaking", mid_break, INCREMENTAL_GOAL_MS, loop))
    print(ms_line("    mid edit, repairing", mid_repair, INCREMENTAL_GOAL_MS, loop))
    print("  incremental reports equal full analyses of the edited graph")

    if profile:
        runs = {
            "full, cold probe cache": lambda: (clear_probe_caches(), Analyzer(doc).report()),
            "full, warm probe cache": lambda: Analyzer(doc).report(),
            "10 start edits, warm": lambda: edit(analyzer, start, "padding", [1, 0] * 5),
            "mid edit, breaking and repairing": lambda: edit(
                analyzer, mid, "units", [width + 16, width]
            ),
            "10 end edits, warm": lambda: edit(analyzer, end, "units", [hidden, hidden + 1] * 5),
        }
        for title, action in runs.items():
            action()  # so that "warm" means warm
            profiler = cProfile.Profile()
            profiler.runcall(action)
            print(f"\n-- cProfile: {title} --")
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(r"designer|nodes|networkx|psygnal", 14)
            stats.sort_stats("tottime").print_stats(8)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", action="store_true", help="cProfile the analysis runs")
    parser.add_argument("--skip-steps", action="store_true", help="only time shape inference")
    parser.add_argument("--wall", action="store_true", help="time wall-clock, not CPU, time")
    options = parser.parse_args()
    TIMER[0] = time.perf_counter if options.wall else time.process_time
    torch.set_num_threads(1)
    torch.manual_seed(0)
    gc.collect()
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} thread,"
        f" {os.cpu_count()} CPUs, Python {sys.version.split()[0]};"
        f" times are {'wall-clock' if options.wall else 'CPU'} times"
    )
    began = time.perf_counter()
    first = timed(lambda: Analyzer(lenet5_doc()).report())
    if not options.skip_steps:
        bench_steps("lenet5", lenet5_doc(), LeNet5, LeNet5Modules, expect=61_706)
        bench_steps("resnet", resnet_doc(), ResNet, ResNetModules, expect=None)
    bench_analysis(options.profile, first)
    print(f"total {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
