"""Fixtures that run one test body against both the sync and the async API."""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import pytest

import redisom_cli
import redisom_cli.aio


class Api:
    """One of the two public APIs with a client of its own kind for one server."""

    def __init__(self, module: ModuleType, url: str) -> None:
        self.module = module
        self.url = url
        self.client = module.get_redis_connection(url)
        self.is_async = module is redisom_cli.aio

    def __repr__(self) -> str:
        return "async" if self.is_async else "sync"


async def call(value: Any) -> Any:
    """Await `value` if the API under test returned an awaitable."""
    return await value if inspect.isawaitable(value) else value


async def collect(iterable: Any) -> list[Any]:
    """Drain a sync or async iterator into a list."""
    if hasattr(iterable, "__aiter__"):
        return [item async for item in iterable]
    return list(iterable)


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, search_url: str) -> Api:
    """The sync or the async API, connected to the server with Search and JSON."""
    module = redisom_cli if request.param == "sync" else redisom_cli.aio
    return Api(module, search_url)


@pytest.fixture(params=["sync", "async"])
def plain_api(request: pytest.FixtureRequest, plain_url: str) -> Api:
    """The sync or the async API, connected to the server without modules."""
    module = redisom_cli if request.param == "sync" else redisom_cli.aio
    return Api(module, plain_url)


@pytest.fixture
def raw(search_url: str) -> Any:
    """A plain sync redis-py client of the Search server, to check the stored form."""
    import redis

    client = redis.Redis.from_url(search_url, decode_responses=True)
    yield client
    client.close()
