"""A project as one standalone training script: the generated network, the runtime's own
source for everything the project uses (data, loss, scores, loop), and the run's settings."""

from __future__ import annotations

import dataclasses
import textwrap
from dataclasses import dataclass
from typing import Any

from designer.compiler import GeneratedCode
from designer.compiler.code_text import (
    docstring_lines,
    join_code,
    plain_text,
    section_title,
)
from designer.compiler.formatting import ruff_tidied
from designer.export.runtime_copy import CopiedRuntime, copy_runtime
from designer.export.script_settings import SettingsSource
from designer.project import Project
from designer.training import parse_training, prepare_run
from designer.training.evaluate import task_scorer

REQUIREMENTS = {"torch": "torch", "numpy": "numpy", "sklearn": "scikit-learn", "PIL": "Pillow"}
MAIN_CALL = """if __name__ == "__main__":
    main(
        PROJECT_NAME,
        {network},
        DATA_SOURCE,
        DATA_PREPARATION,
        LOSS_FUNCTION,
        TASK_SCORER,
        TRAINING_SETTINGS,
        DATA_LOADING,
    )
"""


SCRIPT_DATA_CACHE = "data-cache"  # beside wherever the script runs (--data-cache)


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
    # The script picks its device, and reads published start weights, when it runs.
    setup = prepare_run(project, published=False, device="cpu")
    device = parse_training(project.training).device
    values = {
        "PROJECT_NAME": project.name,
        "DATA_SOURCE": portable(setup.data.source),
        "DATA_PREPARATION": setup.data.preparation,
        "LOSS_FUNCTION": setup.loss.function,
        "TASK_SCORER": task_scorer(setup.data, setup.config.top_k),
        "TRAINING_SETTINGS": dataclasses.replace(setup.settings, device=device),
        "DATA_LOADING": setup.loading,
    }
    settings = SettingsSource()
    assignments = [f"{name} = {settings.of(value)}" for name, value in values.items()]
    copied = copy_runtime({"main", *settings.names})
    generated_imports, network = split_generated(setup.code)
    imports = copied.imports | generated_imports | settings.imports
    copied_names = {d.name for _, definitions in copied.modules for d in definitions}
    requirements = tuple(
        package
        for module, package in REQUIREMENTS.items()
        if any(line.split()[1].split(".")[0] == module for line in imports)
    ) + (("torchvision",) if "import_torchvision" in copied_names else ())
    text = "\n".join(
        [
            docstring(project, requirements),
            *sorted(imports, key=lambda line: ("__future__" not in line, line)),
            "",
            "",
            join_code(
                section_title("The network, as NetDesigner generated it"),
                network,
                *runtime_sections(copied),
                section_title("Settings from the project (the command line overrides some)"),
                "\n".join(assignments),
                MAIN_CALL.format(network=setup.code.class_name),
            ),
        ]
    )
    return GeneratedScript(ruff_tidied(text), setup.code.class_name, requirements)


def runtime_sections(copied: CopiedRuntime) -> list[str]:
    """Each runtime module's definitions under a title naming it and its docstring."""
    pieces = []
    for module, definitions in copied.modules:
        title = section_title(f"designer/runtime/{module.name}.py")
        about = textwrap.wrap(plain_text(module.docstring), 86)
        pieces.append("\n".join([title, *(f"# {line}" for line in about)]))
        pieces += [definition.source for definition in definitions]
    return pieces


def split_generated(code: GeneratedCode) -> tuple[frozenset[str], str]:
    """The generated module's import lines, and its text from the first class on (the blocks'
    classes, then the network's), unchanged."""
    head, marker, rest = code.source.partition("\nclass ")
    imports = frozenset(line for line in head.splitlines() if line.startswith(("import ", "from ")))
    return imports, marker.lstrip("\n") + rest


def docstring(project: Project, requirements: tuple[str, ...]) -> str:
    name = plain_text(project.name) or "a NetDesigner project"
    lines = docstring_lines(f"Train {name}, a network designed in NetDesigner.", first='"""')
    description = docstring_lines(project.description)
    if description:
        lines += ["", *description]
    lines += [
        "",
        "Exported with its data, loss, optimizer and training loop: `python <this file>` trains",
        "as the project is set up and --help lists the flags that change it. The code below",
        "the network is NetDesigner's own training runtime, copied as the app runs it; the",
        "project's settings are at the end. The same file trains on several processes with",
        "DistributedDataParallel under `torchrun --nproc-per-node=N <this file>` (the batch",
        "size stays the global one). The output folder gets best.pt and last.pt, which",
        "torch.load(path, weights_only=True) reads, and metrics.json with every epoch's",
        "scores.",
        "",
        f"Needs {', '.join(requirements)}.",
        '"""',
        "",
    ]
    return "\n".join(lines)


def portable(source: Any) -> Any:
    """The data source as a script run anywhere reads it: its data cache (decoded pixels,
    parsed tables) in the script's working folder, not beside the project's runs."""
    if getattr(source, "cache", ""):
        return dataclasses.replace(source, cache=SCRIPT_DATA_CACHE)
    return source
