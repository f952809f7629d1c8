"""Sample inputs for a network, from its Input nodes: shapes and dtypes, ids the vocabulary has."""

from __future__ import annotations

import networkx as nx
import torch

from designer.export.network import Network

# Token ids for a long input that reaches no embedding are drawn below this.
SMALL_IDS = 10


def token_limit(network: Network, input_id: str) -> int:
    """Ids below the smallest vocabulary downstream of the input: every embedding can look
    them up."""
    sizes = [
        network.doc.node(node_id).params["vocab_size"]
        for node_id in nx.descendants(network.doc.graph, input_id)
        if "vocab_size" in network.doc.node(node_id).params
    ]
    return min(sizes, default=SMALL_IDS)


def sample_inputs(network: Network, batch: int, seed: int = 0) -> dict[str, torch.Tensor]:
    """forward's keyword arguments for `batch` samples: normal floats, or token ids."""
    generator = torch.Generator().manual_seed(seed)
    samples = {}
    for node_id, argument in network.arguments.items():
        info = network.report.nodes[node_id].output
        shape = (batch, *info.shape)
        if info.dtype == "long":
            high = token_limit(network, node_id)
            samples[argument] = torch.randint(0, high, shape, generator=generator)
        else:
            samples[argument] = torch.randn(shape, generator=generator)
    return samples
