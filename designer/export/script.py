"""A project as one standalone training script: the generated network, the runtime's own
source for everything the project uses (data, loss, scores, loop), and the run's settings."""

from __future__ import annotations

import ast
import dataclasses
import sys
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
from designer.data import SetupError
from designer.export.runtime_copy import CopiedRuntime, copy_runtime
from designer.export.script_settings import SettingsSource
from designer.project import Project
from designer.training import parse_training, prepare_run
from designer.training.evaluate import task_scorer
from nodes.custom_call import bound_names

REQUIREMENTS = {
    "torch": "torch",
    "numpy": "numpy",
    "sklearn": "scikit-learn",
    "PIL": "Pillow",
    "torchvision": "torchvision",
}
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
    check_carried_names(setup.code, copied)
    generated_imports, network = split_generated(setup.code)
    imports = copied.imports | generated_imports | settings.imports
    copied_names = {d.name for _, definitions in copied.modules for d in definitions}
    imported = {line.split()[1].split(".")[0] for line in imports}
    carried = sorted(  # what custom code imports, by its module's name
        {line.split()[1].split(".")[0] for line in generated_imports}
        - set(REQUIREMENTS)
        - set(sys.stdlib_module_names)
    )
    requirements = tuple(
        dict.fromkeys(
            [
                *(package for module, package in REQUIREMENTS.items() if module in imported),
                *(["torchvision"] if "import_torchvision" in copied_names else []),
                *carried,
            ]
        )
    )
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
    """The generated module's imports, and its text from the first statement after them on
    (code that custom-code nodes carry, the blocks' classes, then the network's), unchanged."""
    tree = ast.parse(code.source)
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    imports = []
    for statement in body:
        if not isinstance(statement, ast.Import | ast.ImportFrom):
            first = min(
                [statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))]
            )
            break
        imports.append(ast.get_source_segment(code.source, statement))
    rest = "\n".join(code.source.splitlines()[first - 1 :]) + "\n"
    return frozenset(imports), rest


def check_carried_names(code: GeneratedCode, copied: CopiedRuntime) -> None:
    """Code carried by custom-code nodes must not define a name the runtime copied beside it
    defines (a function `main`, say): the script would run the wrong one."""
    defined = {
        name
        for statement in ast.parse(code.source).body
        if not isinstance(statement, ast.Import | ast.ImportFrom)
        for name in bound_names(statement)
    }
    runtime = {d.name for _, definitions in copied.modules for d in definitions}
    clashes = sorted(defined & runtime)
    if clashes:
        raise SetupError(
            f"custom code defines {', '.join(clashes)}, which the training script's own code "
            "defines too; rename it in the custom code",
            "graph",
        )


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
