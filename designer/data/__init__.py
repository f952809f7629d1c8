"""Datasets for training: a project's dataset section read into the runtime's data sources,
loaded, split and checked against the network."""

from designer.data.graph_fit import fit_input, input_node
from designer.data.prepare import PreparedData, prepare_data
from designer.data.settings import Section
from designer.data.sources import SOURCES
from designer.runtime.batches import Batcher
from designer.runtime.dataset import CLASS_TASKS, TASKS, Dataset
from designer.runtime.errors import DataError, SetupError
from designer.runtime.prepare import Part, Scale
from designer.runtime.split import SplitSettings, split_indices

__all__ = [
    "CLASS_TASKS",
    "SOURCES",
    "TASKS",
    "Batcher",
    "DataError",
    "Dataset",
    "Part",
    "PreparedData",
    "Scale",
    "Section",
    "SetupError",
    "SplitSettings",
    "fit_input",
    "input_node",
    "prepare_data",
    "split_indices",
]
