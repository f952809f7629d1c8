"""Shared fixtures: each example project in turn; no test reaches past this machine; one
intra-op thread for tests that run large networks."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import torch

from tests.helpers import EXAMPLES


@pytest.fixture(params=EXAMPLES, ids=[path.stem for path in EXAMPLES])
def example_path(request) -> Path:
    return request.param


LOCAL_HOSTS = ("localhost", "::1", None)


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Name lookups of other hosts fail, as they do offline: code that downloads (a data set
    missing from its folder) must say so clearly, and no test may depend on a network."""
    lookup = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host in LOCAL_HOSTS or str(host).startswith("127."):
            return lookup(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"tests stay offline ({host})")

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture
def one_thread():
    """Two intra-op threads on two busy cores wait on each other: imports of large networks,
    which run many small convolutions, took five to ten times as long with them."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
