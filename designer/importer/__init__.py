"""Import an nn.Module into a NetDesigner graph by tracing it with torch.fx."""

from designer.importer.errors import ImportProblem, UnsupportedModule
from designer.importer.importing import ImportResult, import_module, import_to_project
from designer.importer.inputs import parse_shape
from designer.importer.loading import load_module
from designer.importer.weights import map_state_dict

__all__ = [
    "ImportProblem",
    "ImportResult",
    "UnsupportedModule",
    "import_module",
    "import_to_project",
    "load_module",
    "map_state_dict",
    "parse_shape",
]
