# Generated from redisom_cli/store/aio/client.py by scripts/unasync.py: edit that file, not this one.
"""Clients: creating them, the shared default client, and the capability probe."""

from __future__ import annotations

import weakref
from typing import Any

import dataclasses

import redis
import redis.cluster
import redis.exceptions

from redisom_cli.errors import ConfigurationError
from redisom_cli.store.connection import (
    Capabilities,
    capabilities_from_commands,
    capabilities_from_modules,
    prepare,
    redact_url,
    resolve_url,
)
from redisom_cli.store.errors import translated

_default_clients: dict[str, Any] = {}
_capabilities: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_redis_connection(url: str | None = None, **kwargs: Any) -> redis.Redis:
    """Return a client for `url`, REDIS_OM_URL or redis://localhost:6379, responses decoded.

    `embedded://PATH` starts, or reuses, the local server that keeps its data in PATH.
    Creating the client opens no connection.
    """
    url, options, cluster = prepare(url, kwargs)
    try:
        if cluster:
            return redis.cluster.RedisCluster.from_url(url, **options)
        return redis.Redis.from_url(url, **options)
    except ValueError as exc:
        raise ConfigurationError(f"invalid Redis URL {redact_url(url)!r}: {exc}") from None


def is_cluster(client: Any) -> bool:
    """Whether `client` talks to a Redis Cluster."""
    return isinstance(client, redis.cluster.RedisCluster)


def default_client() -> Any:
    """Return the client shared by every model without `Meta.database`, one per URL."""
    url = resolve_url()
    client = _default_clients.get(url)
    if client is None:
        client = _default_clients[url] = get_redis_connection(url)
    return client


def probe(client: Any) -> Capabilities:
    """Return what the server behind `client` can do, asking it once per client."""
    known = _capabilities.get(client)
    if known is not None:
        return known
    with translated():
        try:
            found = capabilities_from_modules(client.execute_command("MODULE", "LIST"))
        except redis.exceptions.ResponseError:
            found = capabilities_from_commands(client.execute_command("COMMAND", "INFO", "FT.SEARCH", "JSON.GET"))
        if is_cluster(client):
            found = dataclasses.replace(found, cluster=True, coordinator=found.search and _has_coordinator(client))
    _capabilities[client] = found
    return found


def _has_coordinator(client: Any) -> bool:
    # FT.CLUSTERINFO exists only where the Search module runs as a cluster coordinator,
    # which fans FT.SEARCH out to every shard.
    try:
        client.execute_command("FT.CLUSTERINFO", target_nodes=client.get_random_node())
    except redis.exceptions.ResponseError:
        return False
    return True
