"""Damaged and hostile variants of the example project files, and the check every load passes."""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from designer.compiler import Analyzer, generate
from designer.data import SetupError
from designer.project import FORMAT_VERSION, Project, ProjectError, load_project, save_project
from designer.project.files import project_to_text
from designer.training import parse_training
from tests.helpers import EXAMPLES

ORIGINALS = {path.stem: path.read_bytes() for path in EXAMPLES}
MAX_MESSAGE = 1500  # room for a name of the longest length a file may hold (1,000)

# Raw JSON text put in place of a value: what json.dumps cannot write (or would refuse to).
RAW_VALUES = [
    "NaN",
    "-Infinity",
    "1" * 5000,  # more digits than Python turns into an int
    "1e999",
    "[" * 100_000 + "]" * 100_000,
    "[" * 900 + "]" * 900,
    '{"a":' * 400 + "0" + "}" * 400,
    '"\\ud800"',  # a lone surrogate: valid JSON, not valid Unicode
    '"a\\udfffb"',
]
HUGE = [2**31, 2**63, 2**64, 10**18, 10**40, -(10**40), 1e308, -1e308, 5e-324, 1e-300]
SIZES = [0, -1, -2, -(2**31), -(10**9), 1, 10**6, 10**9, 2**62]
TEXTS = ["", " ", "x" * 5000, "\x00", "é", "\u202e", "😀", "'\"\\", "__import__('os')"]
KINDS = ["warp_drive", "Dense", "dense ", "", "conv3d", "__class__", "input\x00"]


# Values of every JSON type, with the sizes and numbers that break careless code.
VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(HUGE + SIZES),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(TEXTS),
        st.text(max_size=20),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document, as the keys and indices that lead there."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


def at(document: Any, path: tuple) -> Any:
    for key in path:
        document = document[key]
    return document


class Mutant:
    """A document being damaged; `raw` maps marker strings to JSON text put in their place."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document, self.raw, self.notes = document, {}, []

    def put(self, path: tuple, value: Any) -> None:
        if not path:
            self.document = value
        else:
            at(self.document, path[:-1])[path[-1]] = value
        self.notes.append(f"{'.'.join(map(str, path)) or 'top'} = {str(value)[:60]!r}")

    def put_raw(self, path: tuple, text: str) -> None:
        marker = f"@@raw{len(self.raw)}@@"
        self.raw[json.dumps(marker)] = text
        self.put(path, marker)

    def text(self) -> bytes:
        text = json.dumps(self.document, indent=1, ensure_ascii=False)
        for marker, raw in self.raw.items():
            text = text.replace(marker, raw)
        return text.encode("utf-8", "surrogatepass")

    def part(self, name: str) -> list[dict]:
        """The objects in graph.nodes or graph.edges that earlier damage left in place."""
        graph = self.document.get("graph") if isinstance(self.document, dict) else None
        items = graph.get(name) if isinstance(graph, dict) else None
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    def nodes(self) -> list[dict]:
        return self.part("nodes")

    def edges(self) -> list[dict]:
        return self.part("edges")


# -- damage: each kind takes a Chooser and the mutant ------------------------------------------


class Chooser:
    """Places and kinds of damage drawn evenly (hypothesis would favour the first of each list),
    values from hypothesis' strategies (which find the edge cases)."""

    def __init__(self, draw) -> None:
        self.draw, self.random = draw, draw(st.randoms(use_true_random=True))

    def pick(self, items: list) -> Any:
        return self.random.choice(items)

    def value(self, *extra: Any) -> Any:
        return self.draw(st.sampled_from(extra) | VALUES if extra else VALUES)


def set_anywhere(choose: Chooser, mutant: Mutant) -> None:
    mutant.put(choose.pick(paths(mutant.document)), choose.value())


def set_raw_anywhere(choose: Chooser, mutant: Mutant) -> None:
    mutant.put_raw(choose.pick(paths(mutant.document)), choose.pick(RAW_VALUES))


def hostile_text(choose: Chooser, mutant: Mutant) -> None:
    """A name or other text made of quotes, control characters, code or broken Unicode."""
    texts = [p for p in paths(mutant.document) if isinstance(at(mutant.document, p), str)]
    if texts:
        path = choose.pick(texts)
        if choose.random.random() < 0.5:
            mutant.put_raw(path, choose.pick(['"\\ud800"', '"a\\udfffb"', '"\\u0000"']))
        else:
            mutant.put(path, choose.draw(st.sampled_from(TEXTS) | st.text(max_size=30)))


def remove_anywhere(choose: Chooser, mutant: Mutant) -> None:
    places = [path for path in paths(mutant.document) if path]
    if places:
        path = choose.pick(places)
        del at(mutant.document, path[:-1])[path[-1]]
        mutant.notes.append(f"removed {'.'.join(map(str, path))}")


def add_unknown_key(choose: Chooser, mutant: Mutant) -> None:
    objects = [p for p in paths(mutant.document) if isinstance(at(mutant.document, p), dict)]
    if objects:
        key = choose.pick(["x", "__proto__", "kind", "k" * 5000])
        mutant.put((*choose.pick(objects), key), choose.value())


def change_param(choose: Chooser, mutant: Mutant) -> None:
    nodes = [n for n in mutant.nodes() if isinstance(n.get("params"), dict) and n["params"]]
    if nodes:
        node = choose.pick(nodes)
        name = choose.pick(sorted(node["params"]))
        node["params"][name] = value = choose.value(*SIZES, *HUGE)
        mutant.notes.append(f"{node.get('id')}.params.{name} = {str(value)[:60]!r}")


def change_shape(choose: Chooser, mutant: Mutant) -> None:
    inputs = [n for n in mutant.nodes() if isinstance(n.get("params"), dict)]
    inputs = [n for n in inputs if n.get("kind") == "input"]
    if inputs:
        shape = [choose.pick([*SIZES, 2, 3, 28]) for _ in range(choose.random.randint(0, 6))]
        choose.pick(inputs)["params"]["shape"] = shape
        mutant.notes.append(f"input shape = {shape}")


def unknown_kind(choose: Chooser, mutant: Mutant) -> None:
    if mutant.nodes():
        node = choose.pick(mutant.nodes())
        node["kind"] = choose.draw(st.sampled_from(KINDS) | st.text(max_size=10))
        mutant.notes.append(f"{node.get('id')}.kind = {node['kind']!r}")


def duplicate_id(choose: Chooser, mutant: Mutant) -> None:
    items = mutant.part(choose.pick(["nodes", "edges"]))
    if len(items) >= 2:
        first, second = choose.random.sample(items, 2)
        second["id"] = first.get("id")
        mutant.notes.append(f"duplicate id {first.get('id')!r}")


def duplicate_entry(choose: Chooser, mutant: Mutant) -> None:
    part = choose.pick(["nodes", "edges"])
    items = mutant.part(part)
    if items:
        mutant.document["graph"][part].append(copy.deepcopy(choose.pick(items)))
        mutant.notes.append(f"duplicate entry in {part}")


def dangling_wire(choose: Chooser, mutant: Mutant) -> None:
    ids = [node.get("id") for node in mutant.nodes()]
    if mutant.edges():
        edge = choose.pick(mutant.edges())
        end = choose.pick(["source", "target", "source_port", "target_port"])
        edge[end] = choose.pick(["nowhere", "", "in", "out", "other", *ids[:3]])
        mutant.notes.append(f"wire {edge.get('id')}.{end} = {edge[end]!r}")


def extra_wire(choose: Chooser, mutant: Mutant) -> None:
    """A wire between any two nodes: cycles, self-loops, a second wire into one port."""
    ids = [node.get("id") for node in mutant.nodes()]
    if ids and isinstance(mutant.document["graph"].get("edges"), list):
        edge = {"source": choose.pick(ids), "target": choose.pick(ids)}
        if choose.random.random() < 0.5:
            edge["id"] = choose.pick(["e1", "e2", "zz"])
        mutant.document["graph"]["edges"].append(edge)
        mutant.notes.append(f"extra wire {edge}")


def future_version(choose: Chooser, mutant: Mutant) -> None:
    versions = [FORMAT_VERSION + 1, 99, 2**70, 0, -1, 1.0, 1.5, "1", True, None, [1]]
    mutant.put(("format_version",), choose.pick(versions))


def shuffle_lists(choose: Chooser, mutant: Mutant) -> None:
    for part in ("nodes", "edges"):
        if mutant.part(part):
            choose.random.shuffle(mutant.document["graph"][part])
    mutant.notes.append("shuffled nodes and edges")


STRUCTURAL = [
    set_anywhere,
    set_raw_anywhere,
    hostile_text,
    remove_anywhere,
    add_unknown_key,
    change_param,
    change_param,
    change_shape,
    unknown_kind,
    duplicate_id,
    duplicate_entry,
    dangling_wire,
    extra_wire,
    future_version,
    shuffle_lists,
]

# -- byte damage ---------------------------------------------------------------------------------

BAD_UTF8 = [b"\xff", b"\xfe\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xe2\x82", b"\x80", b"\xf8\x88"]


def byte_damage(choose: Chooser, data: bytes) -> tuple[bytes, str]:
    spot = choose.random.randrange(max(1, len(data)))
    kind = choose.pick(["truncate", "flip", "invalid_utf8", "cut", "bom"])
    if kind == "truncate":
        return data[:spot], f"truncated at byte {spot}"
    if kind == "flip":
        flipped = bytearray(data)
        for _ in range(choose.random.randint(1, 8)):
            flipped[choose.random.randrange(len(data))] ^= choose.random.randint(1, 255)
        return bytes(flipped), "flipped bytes"
    if kind == "invalid_utf8":
        return data[:spot] + choose.pick(BAD_UTF8) + data[spot:], f"bad UTF-8 at byte {spot}"
    if kind == "cut":
        length = choose.random.randint(1, 64)
        return data[:spot] + data[spot + length :], f"cut {length} bytes at byte {spot}"
    return b"\xef\xbb\xbf" + data, "byte order mark"


@st.composite
def damaged_files(draw) -> tuple[bytes, str]:
    """The bytes of an example with one to three damages (a quarter of them also damaged byte
    by byte), and a note of what was done."""
    choose = Chooser(draw)
    name = choose.pick(sorted(ORIGINALS))
    mutant = Mutant(json.loads(ORIGINALS[name]))
    for _ in range(choose.random.randint(1, 3)):
        if isinstance(mutant.document, dict) and isinstance(mutant.document.get("graph"), dict):
            choose.pick(STRUCTURAL)(choose, mutant)
    data = mutant.text()
    notes = [name, *mutant.notes]
    if choose.random.random() < 0.25:
        data, note = byte_damage(choose, data)
        notes.append(note)
    return data, "; ".join(notes)


def check_load(path: Path) -> Project | None:
    """Load `path`: a ProjectError with one short message naming the file, or a project that
    analyses, generates code that compiles, saves and loads again as saved. Returns the
    project, or None when the file was refused."""
    try:
        project = load_project(path)
    except ProjectError as error:
        message = str(error)
        assert message.startswith(f"{path}: "), message
        assert len(message) <= MAX_MESSAGE and "Traceback" not in message, message
        return None
    report = Analyzer(project.graph).report()
    if report.ok:
        compile(generate(project.graph, report, project.name).source, "<fuzz>", "exec")
    with contextlib.suppress(SetupError):
        parse_training(project.training)
    try:
        text = project_to_text(project)
        saved = save_project(project, path.with_name(f"saved-{path.name}"))
    except ProjectError:
        return project
    assert project_to_text(load_project(saved)) == text
    return project
