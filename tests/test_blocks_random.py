"""Random groupings of every example: the network stays the same network, and undo is exact."""

from __future__ import annotations

import random

import pytest
import torch

from designer.compiler import Analyzer, compile_graph
from designer.model import GraphDocument, GraphError
from designer.model.grouping import group, ungroup
from designer.model.journal import recording
from designer.project import Project, load_project
from designer.project.files import project_to_text
from tests.blocks_helpers import output_shapes
from tests.helpers import EXAMPLES

TRIES = 6


def state(doc: GraphDocument) -> str:
    return project_to_text(Project(graph=doc))


def random_selection(doc: GraphDocument, chance: random.Random) -> list[str]:
    """A connected set of layers (no Inputs or Outputs) grown from a random one."""
    layers = [node.id for node in doc.nodes() if node.spec.role not in ("input", "output")]
    chosen = [chance.choice(layers)]
    for _ in range(chance.randint(0, 5)):
        around = {
            neighbour
            for node_id in chosen
            for neighbour in (*doc.graph.successors(node_id), *doc.graph.predecessors(node_id))
            if neighbour in layers and neighbour not in chosen
        }
        if not around:
            break
        chosen.append(chance.choice(sorted(around)))
    return chosen


def outputs(doc: GraphDocument, weights: dict[str, torch.Tensor], inputs) -> torch.Tensor:
    """The network's output with the flat network's weights: a layer inside an instance is at
    `instance.layer...` where it was at `layer...`."""
    module, _ = compile_graph(doc)
    flat = {key if key in weights else key.split(".", 1)[1]: key for key in module.state_dict()}
    module.load_state_dict({flat[key]: value for key, value in weights.items()})
    module.eval()
    with torch.no_grad():
        return module(*inputs)


def sample_inputs(doc: GraphDocument) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(3)
    made = []
    for node in doc.nodes():
        if node.kind == "input":
            shape = (2, *node.params["shape"])
            if node.params["dtype"] == "long":
                made.append(torch.randint(0, 3, shape, generator=generator))
            else:
                made.append(torch.randn(shape, generator=generator))
    return made


@pytest.mark.parametrize("path", EXAMPLES, ids=[path.stem for path in EXAMPLES])
def test_random_groupings_keep_the_network_and_undo_exactly(path):
    doc = load_project(path).graph  # examples with blocks get blocks inside new blocks
    before = Analyzer(doc).report()
    torch.manual_seed(0)
    flat_module, _ = compile_graph(doc)
    weights = flat_module.state_dict()
    inputs = sample_inputs(doc)
    flat_module.eval()
    with torch.no_grad():
        expected = flat_module(*inputs)
    chance = random.Random(path.stem)
    start = state(doc)
    grouped = 0
    for number in range(TRIES):
        selection = random_selection(doc, chance)
        with recording(doc) as journal:
            try:
                instance = group(doc, selection, f"Block{number}", "", output_shapes(doc))
            except GraphError:
                continue
        grouped += 1
        after = Analyzer(doc).report()
        assert after.ok, after.errors
        assert (after.total_params, after.total_macs) == (before.total_params, before.total_macs)
        assert after.activation_bytes(4) == before.activation_bytes(4)
        torch.testing.assert_close(outputs(doc, weights, inputs), expected)
        grouped_state = state(doc)
        with recording(doc) as inverse:
            ungroup(doc, instance.id)
        assert Analyzer(doc).report().total_params == before.total_params
        inverse.undo(doc)
        assert state(doc) == grouped_state
        journal.undo(doc)
        assert state(doc) == start
    assert grouped > 0
