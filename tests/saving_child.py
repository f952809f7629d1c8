"""A process that saves a large project over and over, for the test that kills it mid-save."""

from __future__ import annotations

from designer.model import GraphDocument
from designer.project import Project, save_project

VERSIONS = ("old", "new")


def big_project() -> Project:
    """Twenty layers and a dataset section of eight million characters: writing it takes
    a moment, so that many kills land in the middle of a write."""
    doc = GraphDocument()
    previous = doc.add_node("input", "x", {"shape": [8]})
    for index in range(20):
        node = doc.add_node("dense", f"dense{index}", {"units": 8}, (index * 270.0, 0.0))
        doc.connect(previous.id, "out", node.id, "in")
        previous = node
    doc.connect(previous.id, "out", doc.add_node("output", "y").id, "in")
    notes = [f"note {index}: " + "x" * 2500 for index in range(3200)]
    return Project(VERSIONS[0], graph=doc, dataset={"source": "csv", "notes": notes})


PROJECT = big_project()  # made once in the fork server, so each saver starts at once


def save_in_a_loop(target: str, started, saves) -> None:
    """Save the old and the new version in turn until killed, counting finished saves."""
    started.set()
    while True:
        for version in VERSIONS:
            PROJECT.name = version
            save_project(PROJECT, target)
            with saves.get_lock():
                saves.value += 1
