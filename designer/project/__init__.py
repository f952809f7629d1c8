"""Project files: versioned, data-only JSON with the graph, dataset and training sections."""

from designer.project.files import load_project, project_from_text, save_project
from designer.project.project import FORMAT_VERSION, Project, ProjectError

__all__ = [
    "FORMAT_VERSION",
    "Project",
    "ProjectError",
    "load_project",
    "project_from_text",
    "save_project",
]
