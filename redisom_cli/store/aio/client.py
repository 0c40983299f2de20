# This module is the source of redisom_cli/store/sync/client.py (scripts/unasync.py).
"""Clients: creating them, the shared default client, and the capability probe."""

from __future__ import annotations

import weakref
from typing import Any

import asyncio
import dataclasses
import logging
import ssl

import redis.asyncio
import redis.asyncio.cluster
import redis.asyncio.retry
import redis.backoff
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
from redisom_cli.store.errors import translate, translated

logger = logging.getLogger(__name__)

# Reads are retried after these pauses (seconds) when the connection fails. Writes are never
# retried, because a write whose reply was lost may already have been applied.
READ_RETRY_DELAYS = (0.05, 0.2, 0.5)
RETRYABLE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)

NO_OPTIONS: dict[str, Any] = {}

_default_clients: dict[str, Any] = {}
_capabilities: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def get_redis_connection(url: str | None = None, **kwargs: Any) -> redis.asyncio.Redis:
    """Return a client for `url`, REDIS_OM_URL or redis://localhost:6379, responses decoded.

    `embedded://PATH` starts, or reuses, the local server that keeps its data in PATH.
    Creating the client opens no connection. Unless `retry` is given, redis-py's own retries
    are turned off, so that `send` retries reads only.
    """
    url, options, cluster = prepare(url, kwargs)
    if not cluster:
        options.setdefault("retry", redis.asyncio.retry.Retry(redis.backoff.NoBackoff(), 0))
    try:
        if cluster:
            return redis.asyncio.cluster.RedisCluster.from_url(url, **options)
        return redis.asyncio.Redis.from_url(url, **options)
    except ValueError as exc:
        raise ConfigurationError(
            f"invalid Redis URL {redact_url(url)!r}: {exc}; redisom-cli also accepts embedded://PATH "
            "and redis+cluster://HOST:PORT"
        ) from None


def is_cluster(client: Any) -> bool:
    """Return whether `client` is a Redis Cluster client."""
    return isinstance(client, redis.asyncio.cluster.RedisCluster)


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
        if is_cluster(client):
            found = dataclasses.replace(found, cluster=True, coordinator=found.search and await _has_coordinator(client))
    _capabilities[client] = found
    return found


async def _has_coordinator(client: Any) -> bool:
    # FT.CLUSTERINFO exists only where the Search module runs as a cluster coordinator,
    # which fans FT.SEARCH out to every shard.
    try:
        await client.execute_command("FT.CLUSTERINFO", target_nodes=client.get_random_node())
    except redis.exceptions.ResponseError:
        return False
    return True


async def send(client: Any, commands: list[tuple], *, transaction: bool = True, read_only: bool = False,
               model: type | None = None, options: dict[str, Any] = NO_OPTIONS) -> list[Any]:
    """Send commands and return their replies: one alone, several in one pipeline.

    Several commands run in MULTI/EXEC when `transaction` is set. `read_only` commands are
    sent again after a short pause when the connection fails, as after a server restart.
    `options` go to redis-py with every command (`NEVER_DECODE` for raw bytes, for example).
    """
    # The first attempt is written out here rather than calling `_send_once`, because one
    # more coroutine per call is measurable on one-record round trips.
    try:
        if len(commands) == 1:
            logger.debug("%s %s", commands[0][0], commands[0][1] if len(commands[0]) > 1 else "")
            return [await client.execute_command(*commands[0], **options)]
        pipeline = client.pipeline(transaction=transaction)
        for command in commands:
            pipeline.execute_command(*command, **options)
        logger.debug("pipeline of %d commands (transaction=%s)", len(commands), transaction)
        return await pipeline.execute()
    except RETRYABLE_ERRORS as exc:
        if not read_only:
            raise translate(exc, model) from exc
        first_error = exc
    except redis.exceptions.RedisError as exc:
        raise translate(exc, model) from exc
    return await retry_read(client, commands, transaction, model, first_error, options)


async def retry_read(client: Any, commands: list[tuple], transaction: bool, model: type | None,
                     error: Exception, options: dict[str, Any] = NO_OPTIONS) -> list[Any]:
    """Send read-only commands again after READ_RETRY_DELAYS; raise the translated last error.

    A rejected password or TLS certificate is raised at once, because sending again cannot help.
    """
    if not _is_transient(error):
        raise translate(error, model) from error
    for attempt, delay in enumerate(READ_RETRY_DELAYS, start=1):
        logger.info("Read failed (%s), retry %d of %d in %.2f s", error, attempt, len(READ_RETRY_DELAYS), delay)
        await asyncio.sleep(delay)
        try:
            return await _send_once(client, commands, transaction, options)
        except RETRYABLE_ERRORS as exc:
            error = exc
        except redis.exceptions.RedisError as exc:
            raise translate(exc, model) from exc
    raise translate(error, model) from error


async def scan_keys(client: Any, pattern: str, count: int, key_type: str | None = None,
                    model: type | None = None) -> Any:
    """Yield the keys that match `pattern` with SCAN (never KEYS).

    Only the first SCAN call is retried as a read. A server that restarted hashes its keys
    with a new seed, so a later cursor could skip or repeat keys and a failure there is
    raised. A cluster client scans every primary with redis-py's own `scan_iter`, without
    retries.
    """
    if is_cluster(client):
        with translated(model):
            async for key in client.scan_iter(match=pattern, count=count, _type=key_type):
                yield key
        return
    command = ("MATCH", pattern, "COUNT", count) + (("TYPE", key_type) if key_type else ())
    cursor = 0
    while True:
        [(cursor, keys)] = await send(client, [("SCAN", cursor, *command)], read_only=cursor == 0, model=model)
        for key in keys:
            yield key
        if int(cursor) == 0:
            return


def _is_transient(error: Exception) -> bool:
    # redis-py raises AuthenticationError as a ConnectionError, and wraps TLS errors in one.
    if isinstance(error, redis.exceptions.AuthenticationError):
        return False
    return not isinstance(error.__context__, ssl.SSLError)


async def _send_once(client: Any, commands: list[tuple], transaction: bool,
                     options: dict[str, Any] = NO_OPTIONS) -> list[Any]:
    if len(commands) == 1:
        logger.debug("%s %s", commands[0][0], commands[0][1] if len(commands[0]) > 1 else "")
        return [await client.execute_command(*commands[0], **options)]
    pipeline = client.pipeline(transaction=transaction)
    for command in commands:
        pipeline.execute_command(*command, **options)
    logger.debug("pipeline of %d commands (transaction=%s)", len(commands), transaction)
    return await pipeline.execute()
