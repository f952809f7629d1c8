"""Shared fixtures: each example project in turn; no test reaches past this machine, and
pretrained weights come from a hub cache of the tests' own; one intra-op thread for tests that
run large networks."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import torch

from designer.compiler.shape_cache import FOLDER_VARIABLE
from tests.helpers import EXAMPLES


@pytest.fixture(params=EXAMPLES, ids=[path.stem for path in EXAMPLES])
def example_path(request) -> Path:
    return request.param


@pytest.fixture(autouse=True, scope="session")
def stand_in_hub(tmp_path_factory):
    """torch's hub cache (TORCH_HOME, for the commands and scripts tests run too) holding
    seeded stand-ins for the published weights the examples start from: offline, a run would
    otherwise stop at the download."""
    from tests.pretrained_helpers import write_stand_in

    home = tmp_path_factory.mktemp("torch_home")
    write_stand_in(home)
    before = os.environ.get("TORCH_HOME")
    os.environ["TORCH_HOME"] = str(home)
    yield home
    if before is None:
        del os.environ["TORCH_HOME"]
    else:
        os.environ["TORCH_HOME"] = before


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


@pytest.fixture(autouse=True, scope="session")
def shape_cache_folder(tmp_path_factory):
    """Layer probe results go to a folder of this test run, not to the user's cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(FOLDER_VARIABLE, str(tmp_path_factory.mktemp("shape-cache")))
        yield


@pytest.fixture
def one_thread():
    """Two intra-op threads on two busy cores wait on each other: imports of large networks,
    which run many small convolutions, took five to ten times as long with them."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
