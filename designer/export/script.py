"""A project as one standalone training script: the generated network, the data, the loss and
the trainer's loop, which trains as the app does and also runs under torchrun."""

from __future__ import annotations

from dataclasses import dataclass

from designer.compiler import Analyzer, GeneratedCode
from designer.data import input_node
from designer.export.script_data import data_code, read_source
from designer.export.script_loop import LoopChoices, loop_code
from designer.export.script_scores import loss_code, scores_code
from designer.export.script_text import (
    Snippet,
    assignment,
    docstring_lines,
    join_code,
    plain_text,
    section_title,
)
from designer.project import Project
from designer.training import TrainingConfig, parse_training, prepare_run
from designer.training.setup import output_of
from designer.training.start_weights import StartWeights

# Every import a script may need, in the order ruff's isort keeps them.
IMPORT_ORDER = (
    "import argparse",
    "import contextlib",
    "import csv",
    "import json",
    "import math",
    "import os",
    "import time",
    "",
    "import numpy as np",
    "import torch",
    "import torch.distributed as dist",
    "import torch.nn.functional as F",
    "from PIL import Image as pil_image",
    "from sklearn import datasets",
    "from torch import nn",
)
ALWAYS_IMPORTED = frozenset(
    {
        "import argparse",
        "import json",
        "import math",
        "import os",
        "import time",
        "import numpy as np",
        "import torch",
        "import torch.distributed as dist",
        "import torch.nn.functional as F",
        "from torch import nn",
    }
)
REQUIREMENT_ORDER = ("torch", "numpy", "scikit-learn", "Pillow")


@dataclass(frozen=True)
class GeneratedScript:
    """A standalone training script: `source` is the file's text, `class_name` the network's
    class in it and `requirements` the pip packages it imports."""

    source: str
    class_name: str
    requirements: tuple[str, ...]


def training_script(project: Project) -> GeneratedScript:
    """The project's full training script. Raises SetupError (naming the setting, file or
    graph) when the project cannot train, exactly as the app would refuse to start a run."""
    setup = prepare_run(project, device="cpu")  # the script picks its device when it runs
    base = project.path.parent if project.path is not None else None
    source = read_source(setup.dataset_settings, base)
    float_samples = (
        input_node(project.graph).params.get("dtype") != "long"
        and not source.dataset.x.is_floating_point()
    )
    data = data_code(source, setup.data, float_samples)
    output_shape, _ = output_of(project.graph, Analyzer(project.graph).report())
    scores = scores_code(setup.data, output_shape, setup.config.top_k)
    loss = loss_code(setup.loss)
    choices = LoopChoices(
        setup.code.class_name,
        setup.data.is_classification,
        data.scaled_targets,
        bool(scores.code),
        data.file_flags,
        source.values["source"],
    )
    loop = loop_code(setup.config, choices)
    snippets = (data.snippet, loss, scores, loop)
    requirements = tuple(
        name
        for name in REQUIREMENT_ORDER
        if name == "torch" or any(name in snippet.requirements for snippet in snippets)
    )
    generated_imports, network = split_generated(setup.code)
    imports = (
        ALWAYS_IMPORTED | generated_imports | frozenset().union(*(s.imports for s in snippets))
    )
    text = "\n".join(
        [
            docstring(project, requirements),
            ordered_imports(imports),
            *settings_lines(project, setup.config, snippets, setup.start),
            "",
            "",
            join_code(
                section_title("The network, as NetDesigner generated it"),
                network,
                section_title("Data: loaded, split and standardised as in NetDesigner"),
                data.snippet.code,
                section_title("Loss and scores"),
                join_code(loss.code, scores.code),
                section_title("Training"),
                loop.code,
            ),
        ]
    )
    return GeneratedScript(text, setup.code.class_name, requirements)


def settings_lines(
    project: Project,
    config: TrainingConfig,
    snippets: tuple[Snippet, ...],
    start: StartWeights | None,
) -> list[str]:
    """The settings block at the top: the flags' defaults (with the checkpoint `start` names,
    where the app would start from it), then each snippet's settings."""
    data, _, scores, loop = snippets
    return [
        section_title("Settings from the project"),
        assignment("PROJECT_NAME", project.name),
        "# Defaults of the command-line flags (--help lists them):",
        assignment("DEFAULT_EPOCHS", config.epochs),
        assignment("DEFAULT_BATCH_SIZE", config.batch_size),
        assignment("DEFAULT_LR", config.optimizer.lr),
        assignment("DEFAULT_SEED", config.seed),
        assignment("DEFAULT_DEVICE", parse_training(project.training).device),
        assignment("DEFAULT_THREADS", config.threads),
        assignment("DEFAULT_OUTPUT", "checkpoints"),
        "# The checkpoint of the run the project starts from (training.init_from), if any:",
        assignment("DEFAULT_INIT_WEIGHTS", str(start.path) if start is not None else None),
        "# The data:",
        *data.settings,
        "# Scores, checkpoints and early stopping:",
        *scores.settings,
        *loop.settings,
    ]


def split_generated(code: GeneratedCode) -> tuple[frozenset[str], str]:
    """The generated module's import lines, and its text from the first class on (the blocks'
    classes, then the network's), unchanged."""
    head, marker, rest = code.source.partition("\nclass ")
    imports = frozenset(line for line in head.splitlines() if line.startswith(("import ", "from ")))
    return imports, marker.lstrip("\n") + rest


def ordered_imports(needed: frozenset[str]) -> str:
    unknown = needed - set(IMPORT_ORDER)
    if unknown:
        raise ValueError(f"no place for {', '.join(sorted(unknown))} among the script's imports")
    lines = [line for line in IMPORT_ORDER if line in needed or not line]
    return "\n".join(lines) + "\n"


def docstring(project: Project, requirements: tuple[str, ...]) -> str:
    name = plain_text(project.name) or "a NetDesigner project"
    lines = docstring_lines(f"Train {name}, a network designed in NetDesigner.", first='"""')
    description = docstring_lines(project.description)
    if description:
        lines += ["", *description]
    lines += [
        "",
        "Exported with its data, loss, optimizer and training loop: `python <this file>` trains",
        "as the project is set up and --help lists the flags that change it. The same file",
        "trains on several processes with DistributedDataParallel under",
        "`torchrun --nproc-per-node=N <this file>` (the batch size stays the global one).",
        "The output folder gets best.pt and last.pt, which torch.load(path, weights_only=True)",
        "reads, and metrics.json with the scores of every epoch.",
        "",
        f"Needs {', '.join(requirements)}.",
        '"""',
        "",
    ]
    return "\n".join(lines)
