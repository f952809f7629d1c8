"""The training script's data code: each source loaded, split and standardised exactly as
designer.data does it, so the script trains on the same tensors as the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from designer.data import DataError, PreparedData, SetupError
from designer.data.dataset import STRATIFIED_TASKS, Dataset
from designer.data.files import existing_path
from designer.data.images import SUFFIXES, image_size
from designer.data.settings import MISSING, Section
from designer.data.sources import load_source
from designer.export.script_text import (
    Snippet,
    assignment,
    call,
    fill,
    function_docstring,
    join_code,
)

SKLEARN = frozenset({"from sklearn import datasets"})
SKLEARN_PACKAGE = frozenset({"scikit-learn"})
FUNCTIONAL = frozenset({"import torch.nn.functional as F"})


class RecordingSection(Section):
    """A dataset section that remembers every setting a loader read, defaults included."""

    def __init__(self, data: Any) -> None:
        super().__init__(data, "dataset", DataError)
        self.values: dict[str, Any] = {}

    def raw(self, key: str, default: Any = MISSING) -> Any:
        value = super().raw(key, default)
        self.values[key] = value
        return value


@dataclass(frozen=True)
class DataSource:
    """The project's dataset as its loader saw it: the settings it read (with defaults), the
    section as written, the loaded samples and the folder relative paths start from."""

    values: dict[str, Any]
    section: dict[str, Any]
    dataset: Dataset
    base: Path | None

    def path(self, key: str, folder: bool = False) -> str:
        """A file setting made absolute, as the loader resolved it."""
        section = Section(self.section, "dataset", DataError)
        return str(existing_path(section, key, self.base, folder).resolve())


def read_source(settings: dict[str, Any], base: Path | None) -> DataSource:
    """Load the dataset once more, as designer.data does, noting each setting it reads."""
    section = RecordingSection(settings)
    dataset = load_source(section, base)
    return DataSource(section.values, settings, dataset, base)


# -- built-in and generated sets --------------------------------------------------------------

DIGITS = """
def load_dataset() -> tuple[torch.Tensor, torch.Tensor]:
    $doc
    bunch = datasets.load_digits()
    images = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)
    $resize
    images = images.contiguous()
    return images, $target
"""


def digits(source: DataSource) -> Snippet:
    size, mode = source.values["image_size"], source.values["resize"]
    resize, how = "", ""
    if size != 8 and mode == "interpolate":
        how = " (bilinear resizing)"
        arguments = ["images", f"size=({size}, {size})", 'mode="bilinear"', "align_corners=False"]
        resize = call("images = F.interpolate", arguments)
    elif size != 8:
        before, after = (size - 8) // 2, size - 8 - (size - 8) // 2
        how = " (zero padding)"
        resize = f"images = F.pad(images, ({before}, {after}, {before}, {after}))"
    labels = source.values["target"] == "labels"
    targets = "the digits are the targets" if labels else "each image is its own target"
    code = fill(
        DIGITS,
        doc=function_docstring(f"scikit-learn's digits as 1x{size}x{size} images{how}; {targets}."),
        resize=resize,
        target="torch.from_numpy(bunch.target).long()" if labels else "images.clone()",
    )
    imports = SKLEARN | (FUNCTIONAL if resize else frozenset())
    return Snippet(code, imports=imports, requirements=SKLEARN_PACKAGE)


TABLE = """
def load_dataset() -> tuple[torch.Tensor, torch.Tensor]:
    $doc
    bunch = datasets.load_$name()
    x = torch.from_numpy(bunch.data.astype(np.float32))
    return x, torch.from_numpy(bunch.target).long()
"""


def table(source: DataSource) -> Snippet:
    name = source.values["source"]
    doc = function_docstring(f"scikit-learn's {name} table: float32 features and class numbers.")
    code = fill(TABLE, doc=doc, name=name)
    return Snippet(code, imports=SKLEARN, requirements=SKLEARN_PACKAGE)


DIABETES = '''
def load_dataset() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's diabetes table: float32 features and one float32 target each."""
    bunch = datasets.load_diabetes()
    x = torch.from_numpy(bunch.data.astype(np.float32))
    return x, torch.from_numpy(bunch.target.astype(np.float32)).unsqueeze(1)
'''


def diabetes(source: DataSource) -> Snippet:
    return Snippet(DIABETES, imports=SKLEARN, requirements=SKLEARN_PACKAGE)


SINE_WAVES = '''
def load_dataset() -> tuple[torch.Tensor, torch.Tensor]:
    """Noisy sine waves, one frequency per class, with a random phase and amplitude
    each, generated from a fixed seed; samples are length x 1 (sequence x features)."""
    samples, length, classes, noise = $samples, $length, $classes, $noise
    generator = torch.Generator().manual_seed($seed)
    labels = torch.arange(samples) % classes
    labels = labels[torch.randperm(samples, generator=generator)]
    frequency = (1.0 + labels.float()) / length * 2.0
    phase = torch.rand(samples, generator=generator) * 2 * math.pi
    amplitude = 0.5 + torch.rand(samples, generator=generator)
    steps = torch.arange(length).float()
    angle = 2 * math.pi * frequency[:, None] * steps + phase[:, None]
    waves = amplitude[:, None] * torch.sin(angle)
    waves = waves + noise * torch.randn(samples, length, generator=generator)
    return waves.unsqueeze(-1), labels
'''


def sine_waves(source: DataSource) -> Snippet:
    values = source.values
    code = fill(
        SINE_WAVES,
        samples=repr(values["samples"]),
        length=repr(values["length"]),
        classes=repr(values["classes"]),
        noise=repr(float(values["noise"])),
        seed=repr(values["seed"]),
    )
    return Snippet(code)


TOKENS = """
def load_dataset() -> tuple[torch.Tensor, torch.Tensor]:
    $doc
    samples, length, vocabulary = $samples, $length, $vocabulary
    generator = torch.Generator().manual_seed($seed)
    tokens = torch.randint(vocabulary, (samples, length), generator=generator)
    return $result
"""

MAJORITY = '''

def with_one_majority(
    tokens: torch.Tensor, vocabulary: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences whose most frequent token is unique, and that token. Where tokens tie,
    one of them picked at random takes over a position of another token."""
    counts = F.one_hot(tokens, vocabulary).sum(dim=1)
    jitter = torch.rand(counts.shape, generator=generator) / 2
    winners = (counts + jitter).argmax(dim=1)
    tied = (counts == counts.max(dim=1, keepdim=True).values).sum(dim=1) > 1
    others = (tokens != winners[:, None]).float()
    draw = 0.5 + torch.rand(tokens.shape, generator=generator)
    position = (others * draw).argmax(dim=1)
    rows = tied.nonzero().squeeze(1)
    tokens = tokens.clone()
    tokens[rows, position[rows]] = winners[rows]
    return tokens, winners
'''

TOKEN_TASKS = {
    "copy": ("repeats them", "tokens, tokens.clone()"),
    "sort": ("puts them in order", "tokens, tokens.sort(dim=1).values"),
    "majority": (
        "is the token that occurs most often",
        "with_one_majority(tokens, vocabulary, generator)",
    ),
}


def tokens(source: DataSource) -> Snippet:
    values = source.values
    what, result = TOKEN_TASKS[values["task"]]
    code = fill(
        TOKENS,
        doc=function_docstring(f"Random token sequences from a fixed seed; the target {what}."),
        samples=repr(values["samples"]),
        length=repr(values["length"]),
        vocabulary=repr(values["vocabulary"]),
        seed=repr(values["seed"]),
        result=result,
    )
    if values["task"] == "majority":
        return Snippet(join_code(code, MAJORITY), imports=FUNCTIONAL)
    return Snippet(code)


# -- files --------------------------------------------------------------------------------------

CSV_CLASSES = '''
def load_dataset(path: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The CSV file's feature columns as float32 and its target column as class numbers:
    the target's values in order, numbers by value first, then texts alphabetically."""
    header, rows = read_rows(path)
    x = torch.from_numpy(numbers(header, rows, FEATURE_COLUMNS))
    values = [row[header.index(TARGET_COLUMN)] for row in rows]
    names = sorted(set(values), key=class_order)
    index = {name: number for number, name in enumerate(names)}
    return x, torch.tensor([index[value] for value in values], dtype=torch.long)


def class_order(name: str) -> tuple[int, float, str]:
    try:
        return (0, float(name), name)
    except ValueError:
        return (1, 0.0, name)
'''

CSV_VALUES = '''
def load_dataset(path: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The CSV file's feature columns and its target column, as float32."""
    header, rows = read_rows(path)
    x = torch.from_numpy(numbers(header, rows, FEATURE_COLUMNS))
    return x, torch.from_numpy(numbers(header, rows, [TARGET_COLUMN]))
'''

CSV_READING = '''

def read_rows(path: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows, cells stripped, blank lines left out."""
    with open(path, newline="", encoding="utf-8-sig") as stream:
        lines = list(csv.reader(stream, delimiter=CSV_DELIMITER))
    rows = [[cell.strip() for cell in line] for line in lines]
    rows = [row for row in rows if any(row)]
    return rows[0], rows[1:]


def numbers(header: list[str], rows: list[list[str]], columns: list[str]) -> np.ndarray:
    """The columns as float32; every cell must hold a finite number."""
    positions = [header.index(name) for name in columns]
    values = [[float(row[position]) for position in positions] for row in rows]
    array = np.array(values, dtype=np.float32)
    if not np.isfinite(array).all():
        raise SystemExit(f"a column of {columns} holds NaN or infinity")
    return array
'''


def csv_file(source: DataSource) -> Snippet:
    values = source.values
    classes = source.dataset.task != "regression"
    settings = (
        assignment("DATA_PATH", source.path("path")),
        assignment("CSV_DELIMITER", values["delimiter"]),
        assignment("FEATURE_COLUMNS", list(values["features"])),
        assignment("TARGET_COLUMN", values["target"]),
    )
    code = join_code(CSV_CLASSES if classes else CSV_VALUES, CSV_READING)
    return Snippet(code, settings, frozenset({"import csv"}))


LOAD_FILE = "def load_dataset(path: str) -> tuple[torch.Tensor, torch.Tensor]:"
LOAD_FILES = "def load_dataset(path: str, targets_path: str) -> tuple[torch.Tensor, torch.Tensor]:"

ARRAYS = """
$signature
    $doc
    $read
    $convert
"""


def array_conversion(dataset: Dataset) -> tuple[str, str]:
    """Lines that turn NumPy arrays x and y into the dataset's tensors, and what they give."""
    if dataset.task == "reconstruction":
        lines = (
            'kind = np.int64 if x.dtype.kind in "biu" else np.float32\n'
            "x = torch.from_numpy(np.ascontiguousarray(x, kind)).float()\n"
            "return x, x.clone()"
        )
        return lines, "samples that are their own targets, as float32"
    sample_type = "np.float32" if dataset.x.is_floating_point() else "np.int64"
    samples = f"x = torch.from_numpy(np.ascontiguousarray(x, {sample_type}))\n"
    kind = "float32" if sample_type == "np.float32" else "int64"
    if dataset.task == "regression":
        reshape = ".reshape(len(y), -1)" if dataset.y.ndim == 2 else ""
        target = f"torch.from_numpy(np.ascontiguousarray(y, np.float32)){reshape}"
        return samples + f"return x, {target}", f"{kind} samples and float32 targets"
    if dataset.task == "multilabel":
        target = "torch.from_numpy(np.ascontiguousarray(y, np.float32))"
        return samples + f"return x, {target}", f"{kind} samples and 0 / 1 labels"
    target = "torch.from_numpy(np.ascontiguousarray(y, np.int64))"
    return samples + f"return x, {target}", f"{kind} samples and class numbers"


def npz_file(source: DataSource) -> Snippet:
    convert, what = array_conversion(source.dataset)
    read = (
        "with np.load(path, allow_pickle=False) as archive:\n"
        "    x, y = archive[SAMPLES_ARRAY], archive[TARGETS_ARRAY]"
    )
    code = fill(
        ARRAYS,
        signature=LOAD_FILE,
        doc=function_docstring(f"Arrays of the .npz file: {what}."),
        read=read,
        convert=convert,
    )
    settings = (
        assignment("DATA_PATH", source.path("path")),
        assignment("SAMPLES_ARRAY", source.values["x"]),
        assignment("TARGETS_ARRAY", source.values["y"]),
    )
    return Snippet(code, settings)


def npy_files(source: DataSource) -> Snippet:
    convert, what = array_conversion(source.dataset)
    read = "x = np.load(path, allow_pickle=False)\ny = np.load(targets_path, allow_pickle=False)"
    code = fill(
        ARRAYS,
        signature=LOAD_FILES,
        doc=function_docstring(f"Samples and targets from two .npy files: {what}."),
        read=read,
        convert=convert,
    )
    settings = (
        assignment("DATA_PATH", source.path("path")),
        assignment("TARGETS_PATH", source.path("targets")),
    )
    return Snippet(code, settings)


IMAGE_FOLDER = """
def load_dataset(path: str) -> tuple[torch.Tensor, torch.Tensor]:
    $doc
    classes = sorted(entry.name for entry in os.scandir(path) if entry.is_dir())
    images, labels = [], []
    for label, name in enumerate(classes):
        folder = os.path.join(path, name)
        for file in sorted(os.listdir(folder)):
            if os.path.splitext(file)[1].lower() in IMAGE_SUFFIXES:
                images.append(read_image(os.path.join(folder, file)))
                labels.append(label)
    return torch.from_numpy(np.stack(images)), torch.tensor(labels)


def read_image(file: str) -> np.ndarray:
    with pil_image.open(file) as image:
        converted = image.convert($mode)
        resized = converted.resize(($width, $height), pil_image.Resampling.BILINEAR)
        pixels = np.asarray(resized, dtype=np.float32) / 255.0
    return $channels_first
"""


def image_folder(source: DataSource) -> Snippet:
    height, width = image_size(Section(source.section, "dataset", DataError))
    gray = source.values["color"] == "grayscale"
    code = fill(
        IMAGE_FOLDER,
        doc=function_docstring(
            "One subfolder of images per class, classes and files in name order; each image "
            f"{'grayscale' if gray else 'RGB'}, resized to {height}x{width}, scaled to 0..1 "
            "and channels first."
        ),
        mode='"L"' if gray else '"RGB"',
        width=str(width),
        height=str(height),
        channels_first="pixels[None]" if gray else "pixels.transpose(2, 0, 1)",
    )
    settings = (
        assignment("DATA_PATH", source.path("path", folder=True)),
        assignment("IMAGE_SUFFIXES", sorted(SUFFIXES)),
    )
    pillow = frozenset({"from PIL import Image as pil_image"})
    return Snippet(code, settings, pillow, frozenset({"Pillow"}))


LOADERS: dict[str, Callable[[DataSource], Snippet]] = {
    "digits": digits,
    "iris": table,
    "wine": table,
    "breast_cancer": table,
    "diabetes": diabetes,
    "sine_waves": sine_waves,
    "tokens": tokens,
    "csv": csv_file,
    "npz": npz_file,
    "npy": npy_files,
    "image_folder": image_folder,
}

# -- split and standardisation ------------------------------------------------------------------

STRATIFIED_SPLIT = '''

def split_indices(labels: torch.Tensor) -> dict[str, torch.Tensor]:
    """Seeded train / val / test indices, each sorted; every class is split on its own
    so that each part keeps the class proportions."""
    rng = np.random.default_rng(SPLIT_SEED)
    values = labels.numpy()
    groups = [np.flatnonzero(values == value) for value in np.unique(values)]
    pieces = {"train": [], "val": [], "test": []}
    for group in groups:
        shuffled = rng.permutation(group)
        val = round(len(group) * VAL_FRACTION)
        test = round(len(group) * TEST_FRACTION)
        pieces["val"].append(shuffled[:val])
        pieces["test"].append(shuffled[val : val + test])
        pieces["train"].append(shuffled[val + test :])
    return {
        part: torch.from_numpy(np.sort(np.concatenate(arrays)))
        for part, arrays in pieces.items()
    }
'''

PLAIN_SPLIT = '''

def split_indices(count: int) -> dict[str, torch.Tensor]:
    """Seeded train / val / test indices, each sorted."""
    shuffled = np.random.default_rng(SPLIT_SEED).permutation(np.arange(count))
    val = round(count * VAL_FRACTION)
    test = round(count * TEST_FRACTION)
    pieces = {
        "train": shuffled[val + test :],
        "val": shuffled[:val],
        "test": shuffled[val : val + test],
    }
    return {part: torch.from_numpy(np.sort(array)) for part, array in pieces.items()}
'''

FIT_SCALE = '''

def fit_scale(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard deviation over the samples; a constant keeps a scale of 1."""
    one = len(values) == 1
    std = torch.ones_like(values[0]) if one else values.std(dim=0, unbiased=False)
    return values.mean(dim=0), torch.where(std > 1e-12, std, torch.ones_like(std))
'''

PREPARE = '''

$signature
    """The dataset split into train / val / test, ready for training."""
    x, y = load_dataset($arguments)
    indices = split_indices($split_by)
    parts = {name: (x[index], y[index]) for name, index in indices.items()}
    $features
    $targets
    $floats
    return $result
'''

SCALE_FEATURES = """# Features: standardised with the training part's mean and standard deviation.
mean, std = fit_scale(parts["train"][0])
parts = {name: ((x - mean) / std, y) for name, (x, y) in parts.items()}"""

SCALE_TARGETS = """# Targets too; scores are measured after undoing it.
target_scale = fit_scale(parts["train"][1])
mean, std = target_scale
parts = {name: (x, (y - mean) / std) for name, (x, y) in parts.items()}"""

FLOAT_SAMPLES = """# The Input node takes real numbers: integer samples become float32.
parts = {name: (x.float(), y) for name, (x, y) in parts.items()}"""

PARTS_TYPE = "dict[str, tuple[torch.Tensor, torch.Tensor]]"
SCALED_PARTS_TYPE = "tuple[dict, tuple[torch.Tensor, torch.Tensor]]"


@dataclass(frozen=True)
class DataCode:
    """The data snippet; prepare_data takes a path for each of `file_flags`, and with
    `scaled_targets` it returns the targets' scale beside the parts."""

    snippet: Snippet
    file_flags: tuple[str, ...]
    scaled_targets: bool


def data_code(source: DataSource, data: PreparedData, float_samples: bool) -> DataCode:
    """The whole data section for a checked project: loading, split, standardisation."""
    name = source.values["source"]
    loader = LOADERS.get(name)
    if loader is None:
        raise SetupError(f"the {name} source cannot be exported as a script yet", "dataset.source")
    loaded = loader(source)
    stratified = data.task in STRATIFIED_TASKS
    scaled_features, scaled_targets = data.features is not None, data.targets is not None
    flags = file_flags(name)
    parameters = [FLAG_PARAMETERS[flag] for flag in flags]
    returns = SCALED_PARTS_TYPE if scaled_targets else PARTS_TYPE
    arguments = [f"{parameter}: str" for parameter in parameters]
    prepare = fill(
        PREPARE,
        signature=call("def prepare_data", arguments, depth=0, tail=f" -> {returns}:"),
        arguments=", ".join(parameters),
        split_by="y" if stratified else "len(x)",
        features=SCALE_FEATURES if scaled_features else "",
        targets=SCALE_TARGETS if scaled_targets else "",
        floats=FLOAT_SAMPLES if float_samples else "",
        result="parts, target_scale" if scaled_targets else "parts",
    )
    split = data.split_settings
    settings = (
        *loaded.settings,
        assignment("SPLIT_SEED", split.seed),
        assignment("VAL_FRACTION", split.val),
        assignment("TEST_FRACTION", split.test),
    )
    code = join_code(
        loaded.code,
        STRATIFIED_SPLIT if stratified else PLAIN_SPLIT,
        FIT_SCALE if scaled_features or scaled_targets else "",
        prepare,
    )
    requirements = loaded.requirements | {"torch", "numpy"}  # numpy: the split's generator
    snippet = Snippet(code, settings, loaded.imports, requirements)
    return DataCode(snippet, flags, scaled_targets)


FLAG_PARAMETERS = {"data": "path", "targets": "targets_path"}


def file_flags(source: str) -> tuple[str, ...]:
    """The command-line flags that name data files (prepare_data takes one each)."""
    if source == "npy":
        return ("data", "targets")
    if source in ("csv", "npz", "image_folder"):
        return ("data",)
    return ()
