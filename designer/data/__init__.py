"""Datasets for training: built-in, generated, CSV, NumPy and image folders, split and batched."""

from designer.data.batches import Batcher
from designer.data.dataset import CLASS_TASKS, TASKS, Dataset
from designer.data.errors import DataError, SetupError
from designer.data.graph_fit import fit_input, input_node
from designer.data.prepare import Part, PreparedData, Scale, prepare_data
from designer.data.settings import Section
from designer.data.sources import SOURCES
from designer.data.split import SplitSettings, split_indices

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
