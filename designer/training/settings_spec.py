"""The dataset and training settings a form can edit: place, type, default, range and when each
applies, with defaults and choices taken from the parsers that read them."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from designer.data import (
    SOURCES,
    arrays,
    builtin,
    cache_settings,
    generated,
    images,
    standard,
    tables,
)
from designer.data.augment import NONE
from designer.project.training_settings import DEFAULT
from designer.runtime.augmentation import CROPS
from designer.training.config import LOSSES, OPTIMIZERS, SCHEDULES

FILE_SOURCES = ("csv", "npz", "npy", "image_folder")
IMAGE_SOURCES = ("image_folder", *standard.SOURCE_NAMES)  # uint8 pixels: augmentable
TABLE_SOURCES = ("iris", "wine", "breast_cancer", "diabetes")
CACHED_SOURCES = ("image_folder", "csv")  # read as batches need, beyond a budget
INT_LIMIT = 2**31 - 1  # what a spin box holds
MONITORS = ("val_loss", "val_accuracy", "val_f1", "val_mae", "val_r2", "train_loss")
SOURCE = "dataset.source"
OPTIMIZER = "training.optimizer.name"
SCHEDULE = "training.schedule.name"
SHORTHANDS = {("training", "optimizer"): "name", ("training", "schedule"): "name"}
TRAINING, OPTIMIZING, SCHEDULING = DEFAULT, DEFAULT.optimizer, DEFAULT.schedule


@dataclass(frozen=True)
class Setting:
    """One field: its place (dotted, section first), kind (choice, int, float, bool, text, path
    or folder), default, range, choices, decimals shown, and the values of other fields it needs
    (`when`)."""

    place: str
    label: str
    kind: str
    group: str
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    decimals: int = 4
    help: str = ""
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.place.split("."))

    def applies(self, controls: dict[str, Any]) -> bool:
        """Whether the field counts, given the chosen source, optimizer and schedule."""
        return all(controls.get(place) in values for place, values in self.when)


DATA, OPTIMIZATION, SCHEDULE_GROUP, STOPPING, IMAGES = (
    "Data",
    "Loss and optimizer",
    "Schedule",
    "Regularisation and stopping",
    "Images and reading",
)
GROUPS = (DATA, OPTIMIZATION, SCHEDULE_GROUP, STOPPING, IMAGES)


def on(place: str, *values: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    return ((place, values),)


def seed(place: str, label: str, group: str, when=()) -> Setting:
    return Setting(place, label, "int", group, 0, 0, INT_LIMIT, when=when)


SETTINGS: tuple[Setting, ...] = (
    Setting(
        SOURCE,
        "Source",
        "choice",
        DATA,
        None,
        choices=tuple(SOURCES),
        help="Where the samples come from: a bundled set, a generated one or your files",
    ),
    Setting(
        "dataset.image_size",
        "Image size",
        "int",
        DATA,
        8,
        8,
        64,
        when=on(SOURCE, "digits"),
        help="Side of the square images in pixels; 32 suits LeNet-5",
    ),
    Setting(
        "dataset.resize",
        "Resize by",
        "choice",
        DATA,
        "interpolate",
        choices=builtin.RESIZE_MODES,
        when=on(SOURCE, "digits"),
    ),
    Setting(
        "dataset.target",
        "Target",
        "choice",
        DATA,
        "labels",
        choices=builtin.DIGIT_TARGETS,
        when=on(SOURCE, "digits"),
        help="labels: the digit; input: the image (autoencoders)",
    ),
    Setting(
        "dataset.task",
        "Task",
        "choice",
        DATA,
        "sort",
        choices=generated.TOKEN_TASKS,
        when=on(SOURCE, "tokens"),
    ),
    Setting(
        "dataset.samples", "Samples", "int", DATA, 600, 10, 100_000, when=on(SOURCE, "sine_waves")
    ),
    Setting(
        "dataset.samples", "Samples", "int", DATA, 1000, 10, 100_000, when=on(SOURCE, "tokens")
    ),
    Setting("dataset.length", "Length", "int", DATA, 50, 2, 1000, when=on(SOURCE, "sine_waves")),
    Setting("dataset.length", "Length", "int", DATA, 8, 1, 1000, when=on(SOURCE, "tokens")),
    Setting("dataset.classes", "Classes", "int", DATA, 3, 2, 50, when=on(SOURCE, "sine_waves")),
    Setting("dataset.noise", "Noise", "float", DATA, 0.3, 0.0, 10.0, when=on(SOURCE, "sine_waves")),
    Setting(
        "dataset.vocabulary", "Vocabulary", "int", DATA, 10, 2, 1000, when=on(SOURCE, "tokens")
    ),
    seed("dataset.seed", "Sample seed", DATA, on(SOURCE, "sine_waves", "tokens")),
    Setting(
        "dataset.path",
        "File",
        "path",
        DATA,
        "",
        when=on(SOURCE, "csv", "npz", "npy"),
        help="Relative paths start at the project's folder",
    ),
    Setting(
        "dataset.path",
        "Folder",
        "folder",
        DATA,
        "",
        when=on(SOURCE, "image_folder"),
        help="A folder holding one folder of images per class",
    ),
    Setting("dataset.targets", "Targets file", "path", DATA, "", when=on(SOURCE, "npy")),
    Setting(
        "dataset.root",
        "Folder",
        "folder",
        DATA,
        "",
        when=on(SOURCE, *standard.SOURCE_NAMES),
        help="Where the set is kept; empty: the user's cache, shared by projects",
    ),
    Setting(
        "dataset.download",
        "Download",
        "bool",
        DATA,
        True,
        when=on(SOURCE, *standard.SOURCE_NAMES),
        help="Download the set when it is not in the folder yet",
    ),
    Setting(
        "dataset.target",
        "Target column",
        "text",
        DATA,
        "",
        when=on(SOURCE, "csv"),
        help="Empty: the last column",
    ),
    Setting("dataset.delimiter", "Delimiter", "text", DATA, ",", when=on(SOURCE, "csv")),
    Setting(
        "dataset.max_columns",
        "Most columns",
        "int",
        DATA,
        tables.MAX_COLUMNS,
        1,
        tables.HIGHEST_MAX_COLUMNS,
        when=on(SOURCE, "csv"),
        help="A file with more columns is refused before it is parsed",
    ),
    Setting(
        "dataset.max_classes",
        "Most classes",
        "int",
        DATA,
        arrays.MAX_CLASSES,
        2,
        arrays.HIGHEST_MAX_CLASSES,
        when=on(SOURCE, "csv", "npz", "npy"),
        help="More different targets are refused before any table of classes is made",
    ),
    Setting("dataset.x", "Samples array", "text", DATA, "x", when=on(SOURCE, "npz")),
    Setting("dataset.y", "Targets array", "text", DATA, "y", when=on(SOURCE, "npz")),
    Setting(
        "dataset.task", "Task", "choice", DATA, "auto", choices=tables.TASKS, when=on(SOURCE, "csv")
    ),
    Setting(
        "dataset.task",
        "Task",
        "choice",
        DATA,
        "auto",
        choices=arrays.TASKS,
        when=on(SOURCE, "npz", "npy"),
    ),
    Setting(
        "dataset.image_size",
        "Image size",
        "int",
        DATA,
        32,
        1,
        4096,
        when=on(SOURCE, "image_folder"),
    ),
    Setting(
        "dataset.color",
        "Colour",
        "choice",
        DATA,
        "grayscale",
        choices=images.COLORS,
        when=on(SOURCE, "image_folder"),
    ),
    Setting(
        "dataset.standardize",
        "Standardise",
        "bool",
        DATA,
        True,
        when=on(SOURCE, *TABLE_SOURCES, "csv"),
        help="Scale each feature to mean 0 and deviation 1 on the training part",
    ),
    Setting(
        "dataset.standardize", "Standardise", "bool", DATA, False, when=on(SOURCE, "npz", "npy")
    ),
    Setting(
        "dataset.augment.crop",
        "Random crop",
        "choice",
        IMAGES,
        NONE.crop,
        choices=CROPS,
        when=on(SOURCE, *IMAGE_SOURCES),
        help="resized: a random part, resized back; padded: a random window of the padded image",
    ),
    *(
        Setting(place, label, kind, IMAGES, default, low, high, when=on(SOURCE, *IMAGE_SOURCES))
        for place, label, kind, default, low, high in (
            ("dataset.augment.flip", "Flip left to right", "bool", NONE.flip, None, None),
            ("dataset.augment.rotation", "Rotate up to (degrees)", "float", 0.0, 0.0, 180.0),
            ("dataset.augment.translate", "Shift up to (of the side)", "float", 0.0, 0.0, 0.5),
            ("dataset.augment.color_jitter", "Colour jitter", "float", 0.0, 0.0, 1.0),
            ("dataset.augment.crop_scale", "Resized crop: least area", "float", 0.5, 0.05, 1.0),
            ("dataset.augment.crop_padding", "Padded crop: padding", "int", 4, 1, 256),
        )
    ),
    Setting(
        "dataset.normalize",
        "Normalise pixels",
        "bool",
        IMAGES,
        False,
        when=on(SOURCE, *IMAGE_SOURCES),
        help="By each channel's mean and spread over the training images",
    ),
    Setting(
        "dataset.memory_budget",
        "Memory for decoded data (MiB)",
        "int",
        IMAGES,
        0,
        0,
        cache_settings.MAX_BUDGET,
        when=on(SOURCE, *CACHED_SOURCES),
        help="0: automatic (a quarter of the free memory, at most 1 GiB); beyond it, "
        "samples are read from disk as batches need them",
    ),
    Setting(
        "dataset.skip_unreadable",
        "Leave out unreadable images",
        "bool",
        IMAGES,
        False,
        when=on(SOURCE, "image_folder"),
        help="From training, with a count; otherwise a run stops at one, naming it",
    ),
    Setting(
        "dataset.cache",
        "Keep decoded data on disk",
        "bool",
        IMAGES,
        True,
        when=on(SOURCE, *CACHED_SOURCES),
        help="Pixels beyond the memory, and large CSV files parsed, in runs/.data-cache "
        "beside the project: later epochs and runs decode nothing",
    ),
    Setting(
        "training.workers",
        "Reading processes",
        "int",
        IMAGES,
        TRAINING.workers,
        -1,
        64,
        help="-1: automatic (cores - 1, at most 4); 0: read in the training process",
    ),
    Setting("dataset.split.val", "Validation part", "float", DATA, 0.2, 0.05, 0.9),
    Setting("dataset.split.test", "Test part", "float", DATA, 0.2, 0.0, 0.9),
    seed("dataset.split.seed", "Split seed", DATA),
    Setting("training.epochs", "Epochs", "int", OPTIMIZATION, TRAINING.epochs, 1, 1_000_000),
    Setting(
        "training.batch_size", "Batch size", "int", OPTIMIZATION, TRAINING.batch_size, 1, 1_000_000
    ),
    Setting(
        "training.loss",
        "Loss",
        "choice",
        OPTIMIZATION,
        TRAINING.loss,
        choices=LOSSES,
        help="auto: chosen from the task and the last layer",
    ),
    Setting(OPTIMIZER, "Optimizer", "choice", OPTIMIZATION, OPTIMIZING.name, choices=OPTIMIZERS),
    Setting(
        "training.optimizer.lr",
        "Learning rate",
        "float",
        OPTIMIZATION,
        OPTIMIZING.lr,
        1e-8,
        10.0,
        decimals=8,
    ),
    Setting(
        "training.optimizer.weight_decay",
        "Weight decay",
        "float",
        OPTIMIZATION,
        OPTIMIZING.weight_decay,
        0.0,
        1.0,
        decimals=6,
    ),
    Setting(
        "training.optimizer.momentum",
        "Momentum",
        "float",
        OPTIMIZATION,
        OPTIMIZING.momentum,
        0.0,
        0.999,
        when=on(OPTIMIZER, "sgd"),
    ),
    Setting(
        "training.optimizer.momentum",
        "Momentum",
        "float",
        OPTIMIZATION,
        0.0,
        0.0,
        0.999,
        when=on(OPTIMIZER, "rmsprop"),
    ),
    Setting(
        "training.optimizer.nesterov",
        "Nesterov",
        "bool",
        OPTIMIZATION,
        OPTIMIZING.nesterov,
        when=on(OPTIMIZER, "sgd"),
        help="Needs momentum above 0",
    ),
    Setting(SCHEDULE, "Schedule", "choice", SCHEDULE_GROUP, SCHEDULING.name, choices=SCHEDULES),
    Setting(
        "training.schedule.step_size",
        "Step size (epochs)",
        "int",
        SCHEDULE_GROUP,
        SCHEDULING.step_size,
        1,
        1_000_000,
        when=on(SCHEDULE, "step"),
    ),
    Setting(
        "training.schedule.gamma",
        "Gamma",
        "float",
        SCHEDULE_GROUP,
        SCHEDULING.gamma,
        1e-4,
        1.0,
        when=on(SCHEDULE, "step"),
        help="The rate is multiplied by this every step",
    ),
    Setting(
        "training.schedule.max_lr",
        "Peak rate",
        "float",
        SCHEDULE_GROUP,
        SCHEDULING.max_lr,
        0.0,
        10.0,
        decimals=6,
        when=on(SCHEDULE, "one_cycle"),
        help="0: ten times the learning rate",
    ),
    Setting(
        "training.schedule.factor",
        "Factor",
        "float",
        SCHEDULE_GROUP,
        SCHEDULING.factor,
        1e-3,
        0.999,
        when=on(SCHEDULE, "plateau"),
    ),
    Setting(
        "training.schedule.patience",
        "Patience (epochs)",
        "int",
        SCHEDULE_GROUP,
        SCHEDULING.patience,
        0,
        1_000_000,
        when=on(SCHEDULE, "plateau"),
    ),
    Setting(
        "training.schedule.min_lr",
        "Lowest rate",
        "float",
        SCHEDULE_GROUP,
        SCHEDULING.min_lr,
        0.0,
        10.0,
        decimals=8,
        when=on(SCHEDULE, "cosine", "plateau"),
    ),
    Setting(
        "training.clip.norm",
        "Clip gradient norm",
        "float",
        STOPPING,
        TRAINING.clip_norm,
        0.0,
        1e6,
        help="0: no clipping",
    ),
    Setting(
        "training.clip.value",
        "Clip gradient values",
        "float",
        STOPPING,
        TRAINING.clip_value,
        0.0,
        1e6,
        help="0: no clipping",
    ),
    Setting(
        "training.mixed_precision", "Mixed precision", "bool", STOPPING, TRAINING.mixed_precision
    ),
    Setting(
        "training.monitor",
        "Monitor",
        "choice",
        STOPPING,
        TRAINING.monitor,
        choices=MONITORS,
        help="The score that picks the best epoch and stops early",
    ),
    Setting(
        "training.early_stopping.patience",
        "Stop after (epochs)",
        "int",
        STOPPING,
        TRAINING.patience,
        0,
        1_000_000,
        help="Epochs without improvement; 0: never",
    ),
    Setting(
        "training.early_stopping.min_delta",
        "Least improvement",
        "float",
        STOPPING,
        TRAINING.min_delta,
        0.0,
        1e6,
        decimals=6,
    ),
    Setting(
        "training.restore_best", "Keep the best epoch", "bool", STOPPING, TRAINING.restore_best
    ),
    Setting("training.baseline", "Classical baseline", "bool", STOPPING, TRAINING.baseline),
    seed("training.seed", "Weights seed", STOPPING),
)
CONTROLS = (SOURCE, OPTIMIZER, SCHEDULE)

# Shown for a project that freezes layers (training.freeze), with its frozen layers to choose
# from: the dialog writes them itself (see designer.ui.training.frozen_fields).
FROZEN_GROUP = "Frozen layers"
BACKBONE_LR = Setting(
    "training.backbone_lr_factor",
    "Backbone rate (\u00d7 learning rate)",
    "float",
    FROZEN_GROUP,
    TRAINING.backbone_lr_factor,
    1e-4,
    1.0,
    help="Once unfrozen, the frozen layers learn at this fraction of the learning rate "
    "(1: the same rate)",
)
UNFREEZE_EPOCH = Setting(
    "training.unfreeze.epoch",
    "At epoch",
    "int",
    FROZEN_GROUP,
    1,
    1,
    1_000_000,
    help="From the start of this epoch the layers train (1: from the start, at the "
    "backbone's rate)",
)


def normalised(sections: dict[str, Any]) -> dict[str, Any]:
    """A deep copy with shorthands spelled out: "optimizer": "sgd" -> {"name": "sgd"}."""
    result = copy.deepcopy(sections)
    for (section, key), name in SHORTHANDS.items():
        value = result.get(section, {}).get(key)
        if isinstance(value, str):
            result[section][key] = {name: value}
    return result


def lookup(sections: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = sections
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def current(setting: Setting, sections: dict[str, Any]) -> Any:
    """The stored value if it is of the field's type, else the default."""
    value = lookup(normalised(sections), setting.path)
    valid = {
        "choice": lambda v: v in setting.choices,
        "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "bool": lambda v: isinstance(v, bool),
    }.get(setting.kind, lambda v: isinstance(v, str))
    return value if value is not None and valid(value) else setting.default


def applying(controls: dict[str, Any]) -> list[Setting]:
    return [setting for setting in SETTINGS if setting.applies(controls)]


def updated(sections: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """`sections` ({"dataset": ..., "training": ...}) with the fields' values (by place) written:
    a default that was not stored stays unstored, an empty text is removed, fields that do not
    apply are removed, and when the source, optimizer or schedule changes, the settings beside
    it that no field describes go too (they belonged to the old choice)."""
    result = normalised(sections)
    for control in CONTROLS:
        path = tuple(control.split("."))
        if values.get(control) != lookup(result, path):
            parent = lookup(result, path[:-1]) or {}
            described = {
                setting.path[len(path) - 1]
                for setting in SETTINGS
                if setting.path[: len(path) - 1] == path[:-1]
            }
            for key in [key for key in parent if key not in described]:
                del parent[key]
    wanted = {setting.place: setting for setting in applying(values)}
    for setting in SETTINGS:
        if setting.place not in wanted:
            remove(result, setting.path)
    for place, setting in wanted.items():
        value = values[place]
        if value == "" or (value == setting.default and lookup(result, setting.path) is None):
            remove(result, setting.path)
        else:
            put(result, setting.path, value)
    return result


def put(sections: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = sections
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value


def remove(sections: dict[str, Any], path: tuple[str, ...]) -> None:
    """Delete the value at `path` and any parent object it leaves empty (not the sections)."""
    parent = lookup(sections, path[:-1])
    if not isinstance(parent, dict) or path[-1] not in parent:
        return
    del parent[path[-1]]
    if not parent and len(path) > 2:
        remove(sections, path[:-1])
