# This module is the source of redisom_cli/store/sync/client.py (scripts/unasync.py).
"""Clients: creating them, the shared default client, and the capability probe."""

from __future__ import annotations

import weakref
from typing import Any

import redis.asyncio
import redis.exceptions

from redisom_cli.store.connection import (
    Capabilities,
    capabilities_from_commands,
    capabilities_from_modules,
    prepare,
    resolve_url,
)
from redisom_cli.store.errors import translated

_default_clients: dict[str, Any] = {}
_capabilities: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_redis_connection(url: str | None = None, **kwargs: Any) -> redis.asyncio.Redis:
    """Return a client for `url`, REDIS_OM_URL or redis://localhost:6379, responses decoded.

    `embedded://PATH` starts, or reuses, the local server that keeps its data in PATH.
    Creating the client opens no connection.
    """
    url, options = prepare(url, kwargs)
    return redis.asyncio.Redis.from_url(url, **options)


def default_client() -> Any:
    """Return the client shared by every model without `Meta.database`, one per URL."""
    url = resolve_url()
    client = _default_clients.get(url)
    if client is None:
        client = _default_clients[url] = get_redis_connection(url)
    return client


async def probe(client: Any) -> Capabilities:
    """Return what the server behind `client` can do, asking it once per client."""
    known = _capabilities.get(client)
    if known is not None:
        return known
    with translated():
        try:
            found = capabilities_from_modules(await client.execute_command("MODULE", "LIST"))
        except redis.exceptions.ResponseError:
            found = capabilities_from_commands(await client.execute_command("COMMAND", "INFO", "FT.SEARCH", "JSON.GET"))
    _capabilities[client] = found
    return found
