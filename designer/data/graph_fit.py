"""Does the data fit the network's Input node? One clear message that says which and how."""

from __future__ import annotations

from math import prod
from pathlib import Path

from designer.compiler.diagnostics import Diagnostic
from designer.compiler.structure import label
from designer.data.prepare import PreparedData
from designer.data.sample_shape import settings_sample_shape
from designer.data.settings import Section
from designer.data.tables import csv_options
from designer.model import GraphDocument, Node
from designer.runtime.errors import DataError
from designer.runtime.prepare import is_real
from nodes import ParamError, Role


def input_node(doc: GraphDocument) -> Node:
    inputs = [node for node in doc.nodes() if node.spec.role == Role.INPUT]
    if len(inputs) != 1:
        names = ", ".join(repr(node.name) for node in inputs) or "none"
        raise DataError(
            f"training feeds one input, but the graph has {len(inputs)} Input nodes ({names})",
            "graph",
        )
    return inputs[0]


def fit_input(data: PreparedData, doc: GraphDocument, dataset_settings: dict) -> PreparedData:
    """Check the samples against the Input node (prepare_data made integer samples float where
    it takes real numbers)."""
    node = input_node(doc)
    wanted = tuple(node.params["shape"])
    given = data.sample_shape
    who = label(node)
    if given != wanted:
        raise DataError(mismatch(data.name, given, who, wanted, dataset_settings), "dataset")
    long_input = node.params.get("dtype") == "long"
    if long_input and is_real(data.train.x):
        raise DataError(
            f"{who} takes token ids (dtype long), but dataset {data.name!r} gives real numbers: "
            "set the Input dtype to float",
            "dataset",
        )
    return data


def mismatch(
    name: str, given: tuple[int, ...], who: str, wanted: tuple[int, ...], settings: dict
) -> str:
    return (
        f"dataset {name!r} gives samples of {shape(given)}, but {who} expects "
        f"{shape(wanted)}: {shape_hint(given, wanted, settings)}"
    )


def design_diagnostics(
    doc: GraphDocument, dataset_settings: dict, base: Path | None
) -> list[Diagnostic]:
    """While designing: a warning on the one Input node when the samples that the dataset
    settings give (where they tell without reading data) do not fit its shape. A run would
    stop there, saying the same."""
    inputs = [node for node in doc.nodes() if node.spec.role == Role.INPUT]
    if len(inputs) != 1:
        return []
    node = inputs[0]
    problem = reading_problem(dataset_settings)
    if problem:
        return [Diagnostic(problem, node.id, severity="warning")]
    given = settings_sample_shape(dataset_settings, base)
    if given is None:
        return []
    spec = node.spec.param("shape")
    try:
        wanted = tuple(spec.coerce(node.params.get("shape", spec.default)))
    except ParamError:  # the analysis reports it
        return []
    if given == wanted:
        return []
    source = dataset_settings["source"]
    name = Path(str(dataset_settings.get("path", ""))).name if source == "image_folder" else ""
    message = mismatch(name or source, given, label(node), wanted, dataset_settings)
    return [Diagnostic(message[:1].upper() + message[1:], node.id, severity="warning")]


def reading_problem(dataset_settings: dict) -> str:
    """What is wrong with the options a file is read with (a CSV delimiter of two
    characters, say), as a run would say it; "" when nothing is."""
    if not isinstance(dataset_settings, dict) or dataset_settings.get("source") != "csv":
        return ""
    try:
        csv_options(Section(dataset_settings, "dataset", DataError))
    except DataError as error:
        return str(error)
    return ""


def shape(sizes: tuple[int, ...]) -> str:
    return "shape " + sizes_text(sizes)


def sizes_text(sizes: tuple[int, ...]) -> str:
    return "x".join(map(str, sizes)) or "scalar"


def shape_hint(given: tuple[int, ...], wanted: tuple[int, ...], settings: dict) -> str:
    fix = f"change the Input shape to {sizes_text(given)}"
    source = settings.get("source")
    if source == "digits" and len(wanted) == 3 and wanted[0] == 1 and wanted[1] == wanted[2]:
        return f"set dataset.image_size to {wanted[1]}, or {fix}"
    if source == "image_folder" and len(wanted) == 3 and wanted[0] in (1, 3):
        color = "rgb" if wanted[0] == 3 else "grayscale"
        size = wanted[1] if wanted[1] == wanted[2] else f"[{wanted[1]}, {wanted[2]}]"
        return f"set dataset.image_size to {size} and dataset.color to {color}, or {fix}"
    if prod(given) == prod(wanted):
        return f"{fix}, or add a Reshape after the Input (both hold {prod(given)} values)"
    return fix
