"""A project's training section, read and checked: every mistake names its place."""

from __future__ import annotations

from typing import Any

from designer.data import Section, SetupError
from designer.project.training_settings import (
    DEFAULT,
    SCHEDULE,
    OptimizerConfig,
    ScheduleConfig,
    TrainingConfig,
)

LOSSES = ("auto", "cross_entropy", "bce_with_logits", "mse", "l1", "smooth_l1", "nll")
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")
SCHEDULES = ("none", "step", "cosine", "one_cycle", "plateau")


class ConfigError(SetupError):
    """A training setting that is missing, of the wrong type or out of range."""


def parse_training(settings: dict[str, Any] | None, place: str = "training") -> TrainingConfig:
    """Read a training section; missing settings take their defaults, unknown ones are errors."""
    section = Section(settings, place, ConfigError)
    epochs = section.integer("epochs", DEFAULT.epochs, minimum=1, maximum=1_000_000)
    config = TrainingConfig(
        epochs=epochs,
        batch_size=section.integer("batch_size", DEFAULT.batch_size, minimum=1, maximum=1_000_000),
        seed=section.integer("seed", DEFAULT.seed, minimum=0, maximum=2**63 - 1),
        device=section.text("device", DEFAULT.device),
        threads=threads(section),
        workers=workers(section),
        loss=section.choice("loss", DEFAULT.loss, LOSSES),
        optimizer=optimizer(section.child("optimizer", shorthand="name")),
        schedule=schedule(section.child("schedule", shorthand="name")),
        **clipping(section.child("clip")),
        mixed_precision=section.boolean("mixed_precision", DEFAULT.mixed_precision),
        monitor=monitor(section),
        **early_stopping(section.child("early_stopping")),
        top_k=section.integer("top_k", DEFAULT.top_k, minimum=2, maximum=1000),
        restore_best=section.boolean("restore_best", DEFAULT.restore_best),
        baseline=section.boolean("baseline", DEFAULT.baseline),
        init_from=init_from(section),
        start_weights=start_weights(section),
        freeze=tuple(section.texts("freeze", [])),
        unfreeze=unfreeze(section),
        backbone_lr_factor=section.number(
            "backbone_lr_factor", DEFAULT.backbone_lr_factor, maximum=1.0, positive=True
        ),
    )
    section.finish()
    return config


def threads(section: Section) -> int:
    """torch's threads for the run; "auto" (the default, stored as 0) is the cores that the
    reading processes leave, less one for the window in the app (see thread_count)."""
    if section.raw("threads", "auto") == "auto":
        return 0
    return section.integer("threads", minimum=1, maximum=1024)


def workers(section: Section) -> int:
    """Processes that read (decode, augment) samples where they stream; "auto" (the default,
    stored as -1) is all cores but one, at most four; 0 reads in the training process."""
    if section.raw("workers", "auto") == "auto":
        return -1
    return section.integer("workers", minimum=-1, maximum=64)


def optimizer(section: Section) -> OptimizerConfig:
    name = section.choice("name", DEFAULT.optimizer.name, OPTIMIZERS)
    config = OptimizerConfig(
        name=name,
        lr=section.number("lr", DEFAULT.optimizer.lr, maximum=10.0, positive=True),
        weight_decay=section.number(
            "weight_decay", DEFAULT.optimizer.weight_decay, minimum=0.0, maximum=1.0
        ),
    )
    if name in ("sgd", "rmsprop"):
        momentum = section.number("momentum", 0.9 if name == "sgd" else 0.0, 0.0, 0.999)
        nesterov = section.boolean("nesterov", False)
        if nesterov and (name != "sgd" or momentum == 0):
            raise section.fail("nesterov", "needs the sgd optimizer with momentum above 0")
        config = OptimizerConfig(name, config.lr, config.weight_decay, momentum, nesterov)
    if name in ("adam", "adamw"):
        betas = section.raw("betas", list(DEFAULT.optimizer.betas))
        valid = isinstance(betas, list) and len(betas) == 2
        if not valid or not all(isinstance(b, float | int) and 0 <= b < 1 for b in betas):
            raise section.fail("betas", f"must be two numbers from 0 to below 1, got {betas!r}")
        config = OptimizerConfig(name, config.lr, config.weight_decay, betas=tuple(betas))
    section.finish()
    return config


def schedule(section: Section) -> ScheduleConfig:
    name = section.choice("name", SCHEDULE.name, SCHEDULES)
    values: dict[str, Any] = {"name": name}
    if name == "step":
        values["step_size"] = section.integer("step_size", SCHEDULE.step_size, minimum=1)
        values["gamma"] = section.number("gamma", SCHEDULE.gamma, maximum=1.0, positive=True)
    elif name == "cosine":
        values["min_lr"] = section.number("min_lr", SCHEDULE.min_lr, minimum=0.0)
    elif name == "one_cycle":
        values["max_lr"] = section.number("max_lr", SCHEDULE.max_lr, minimum=0.0, maximum=10.0)
    elif name == "plateau":
        values["factor"] = section.number("factor", SCHEDULE.factor, maximum=0.999, positive=True)
        values["patience"] = section.integer("patience", SCHEDULE.patience, minimum=0)
        values["min_lr"] = section.number("min_lr", SCHEDULE.min_lr, minimum=0.0)
    section.finish()
    return ScheduleConfig(**values)


def clipping(section: Section) -> dict[str, float]:
    values = {
        "clip_norm": section.number("norm", DEFAULT.clip_norm, minimum=0.0),
        "clip_value": section.number("value", DEFAULT.clip_value, minimum=0.0),
    }
    section.finish()
    return values


def monitor(section: Section) -> str:
    value = section.text("monitor", DEFAULT.monitor)
    if not value.startswith(("val_", "train_")):
        message = f"must name a metric such as val_loss or val_accuracy, got {value!r}"
        raise section.fail("monitor", message)
    return value


def early_stopping(section: Section) -> dict[str, Any]:
    values = {
        "patience": section.integer("patience", DEFAULT.patience, minimum=0),
        "min_delta": section.number("min_delta", DEFAULT.min_delta, minimum=0.0),
    }
    section.finish()
    return values


def init_from(section: Section) -> str:
    """The run (its id, or its folder) whose trained weights a run starts from; "" for none."""
    if section.raw("init_from", None) is None:
        return ""
    return section.text("init_from")


def start_weights(training: Section) -> dict[str, Any] | None:
    """Weights the network starts from: their name, where the file is (`url`, published
    weights kept in torch's hub cache, or `path`, a file of the user's), the start of its
    SHA-256 ("" checks nothing) and `keys`, the network's tensor -> the file's; None for none
    (designer.importer.pretrained and designer.importer.start_file write them)."""
    if training.raw("start_weights", None) is None:
        return None
    section = training.child("start_weights")
    source = "path" if section.raw("path", None) is not None else "url"
    if source == "path" and section.raw("url", None) is not None:
        raise section.fail("path", "give url (published weights) or path (a file), not both")
    check = section.raw("check", "")  # none said (timm's files): nothing checked
    if not isinstance(check, str):
        raise section.fail("check", "must be a text: how the file's SHA-256 starts")
    found = {
        "name": section.text("name"),
        source: section.text(source),
        "check": check,
        "keys": section.raw("keys"),
    }
    section.finish()
    keys = found["keys"]
    if not isinstance(keys, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in keys.items()
    ):
        raise section.fail("keys", "must map each of the network's tensors to the file's")
    return found


def unfreeze(training: Section) -> tuple[tuple[str, int], ...]:
    """training.unfreeze: {"from": a frozen node's id, "epoch": N}, or a list of them, as
    (node, epoch) pairs; whether the nodes are there and frozen is checked with the graph (see
    designer.training.setup.unfreeze_steps)."""
    value = training.raw("unfreeze", [])
    steps = value if isinstance(value, list) else [value]
    pairs = []
    for index, step in enumerate(steps):
        place = training.where("unfreeze") + (f"[{index}]" if len(steps) > 1 else "")
        section = Section(step, place, ConfigError)
        node = section.text("from")
        epoch = section.integer("epoch", minimum=1)
        section.finish()
        pairs.append((node, epoch))
    return tuple(pairs)


def with_overrides(settings: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A copy of a training section with the given settings replaced (None leaves one alone)."""
    merged = dict(settings)
    merged.update({key: value for key, value in overrides.items() if value is not None})
    return merged
