# This module is the source of redisom_cli/store/sync/index.py (scripts/unasync.py).
"""Search index I/O: the Migrator, and the index administration behind the model classes' index methods.

`redisom_cli.index` decides what each index needs; this module reads the server's state
for it and sends FT.CREATE, FT.DROPINDEX and the schema bookkeeping keys. Dropping an
index never deletes records (FT.DROPINDEX without DD), so a recreated index finds them
again once the server has re-indexed them in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

import redis.asyncio
import redis.exceptions

from redisom_cli.errors import ConfigurationError, IndexMissingError, InvalidInputError, ServerError
from redisom_cli.index import DEFAULT_WAIT_TIMEOUT
from redisom_cli.index.migrator import (
    SHARDED_SEARCH_REASON,
    ActionKind,
    IndexAction,
    IndexInfo,
    IndexState,
    decide,
    parse_index_info,
    select_models,
)
from redisom_cli.index.schema import IndexSchema, schema_for, schema_hash_key, schema_text_key
from redisom_cli.model.base import model_registry
from redisom_cli.store.aio.client import default_client, is_cluster, probe
from redisom_cli.store.errors import translated

logger = logging.getLogger(__name__)

POLL_INTERVAL = 0.05  # seconds between FT.INFO calls while waiting for indexing
# The first RediSearch version (2.10.0, as MODULE LIST reports it) that accepts INDEXMISSING.
INDEX_MISSING_VERSION = 21000
# Connection options that mean the same for sync and async clients.
_PORTABLE_OPTIONS = (
    "host", "port", "db", "username", "password", "decode_responses", "encoding", "encoding_errors",
    "socket_timeout", "socket_connect_timeout", "client_name", "ssl_keyfile", "ssl_certfile",
    "ssl_cert_reqs", "ssl_ca_certs", "ssl_ca_data", "ssl_check_hostname",
)


class _Clients:
    """The clients of one operation, in this module's flavour (sync or async).

    A model whose `Meta.database` is a client of the other flavour gets a client of this
    flavour to the same server, made from the same connection options and closed by
    `close()`.
    """

    def __init__(self, conn: Any = None) -> None:
        self.conn = conn
        self.created: dict[int, Any] = {}
        self.index_missing: dict[int, bool] = {}

    def for_model(self, model: Any) -> Any:
        """Return the client to use for `model`: the Migrator's, the model's, or the default."""
        client = self.conn if self.conn is not None else model._meta.database
        if client is None:
            return default_client()
        if isinstance(client, (redis.asyncio.Redis, redis.asyncio.RedisCluster)):
            return client
        created = self.created.get(id(client))
        if created is None:
            created = self.created[id(client)] = _client_like(client)
        return created

    async def supports_index_missing(self, client: Any) -> bool:
        """Return whether the server's Search module accepts INDEXMISSING, asking once per client."""
        known = self.index_missing.get(id(client))
        if known is None:
            known = self.index_missing[id(client)] = await _search_version(client) >= INDEX_MISSING_VERSION
        return known

    async def close(self) -> None:
        """Close the clients that this object created."""
        for client in self.created.values():
            await client.aclose()
        self.created.clear()


def _client_like(client: Any) -> Any:
    """Return a client of this module's flavour connected as `client` (of the other flavour) is."""
    pool = getattr(client, "connection_pool", None)
    if pool is None:
        # Cluster clients have no single connection pool to copy the options from.
        raise ConfigurationError(
            f"cannot make a client of this API's kind (sync or async) from {type(client).__name__}; "
            "pass a client of the same kind as the Migrator with Migrator(conn=client)"
        )
    options = {name: value for name, value in pool.connection_kwargs.items() if name in _PORTABLE_OPTIONS}
    if "path" in pool.connection_kwargs:
        options["unix_socket_path"] = pool.connection_kwargs["path"]
    if "SSL" in pool.connection_class.__name__:
        # NOTE: tests convert unix-socket and TCP clients only, so the TLS options are copied untested.
        options["ssl"] = True
    return redis.asyncio.Redis(**options)


async def _search_version(client: Any) -> int:
    """Return the Search module's version number, or a large number if the server hides it."""
    try:
        modules = await client.execute_command("MODULE", "LIST")
    except redis.exceptions.ResponseError:
        return INDEX_MISSING_VERSION  # Managed services may reject MODULE LIST, so assume a current server.
    for entry in modules or []:
        fields = entry if isinstance(entry, dict) else dict(zip(entry[::2], entry[1::2]))
        fields = {_text(key): value for key, value in fields.items()}
        if _text(fields.get("name", "")).lower() in ("search", "ft"):
            return int(fields.get("ver", 0))
    return INDEX_MISSING_VERSION


class Migrator:
    """Create and update the search indexes of models, as Redis OM Python's Migrator does.

    `Migrator()` covers every registered model that has an index, sync and async alike;
    `Migrator([Customer, Order])` covers those. Models without an index, and embedded
    models, are skipped. A connection given as `Migrator(conn)` or `Migrator(conn=...)`
    is used for every model; otherwise each model uses its own `Meta.database`.
    """

    def __init__(self, models: Iterable[Any] | Any = None, conn: Any = None) -> None:
        if models is not None and _is_client(models):
            models, conn = None, models
        if isinstance(models, type):
            models = [models]
        self.models = None if models is None else list(models)
        self.conn = conn

    async def plan(self) -> list[IndexAction]:
        """Return one action per model: create, recreate or unchanged. Writes nothing."""
        clients = _Clients(self.conn)
        try:
            return [await _plan_model(clients, model) for model in select_models(self.models, model_registry)]
        finally:
            await clients.close()

    async def run(self, wait: bool = False, timeout: float = DEFAULT_WAIT_TIMEOUT) -> list[IndexAction]:
        """Apply the plan and return its actions.

        With `wait=True`, return only after the server has indexed the existing records of
        every created or recreated index; ServerError is raised after about `timeout` seconds.
        """
        clients = _Clients(self.conn)
        try:
            actions = [await _plan_model(clients, model) for model in select_models(self.models, model_registry)]
            for action in actions:
                await _apply(clients.for_model(action.model), action)
            if wait:
                for action in actions:
                    if action.kind in (ActionKind.CREATE, ActionKind.RECREATE):
                        await _wait_for_indexing(clients.for_model(action.model), action.model, timeout)
            return actions
        finally:
            await clients.close()


def _is_client(value: Any) -> bool:
    return not isinstance(value, type) and hasattr(value, "execute_command")


async def _plan_model(clients: _Clients, model: Any) -> IndexAction:
    client = clients.for_model(model)
    with translated(model):
        index_missing = await clients.supports_index_missing(client)
    schema = schema_for(model, index_missing=index_missing)
    if await _sharded_search(client):
        return IndexAction(model, ActionKind.SKIP, schema)
    state = await _read_state(client, model, schema.index_name)
    return decide(model, schema, state)


async def _sharded_search(client: Any) -> bool:
    """Whether the client reaches a cluster whose Search module indexes one shard per index.

    There the Search module treats the index name as a key: FT.CREATE runs on the shard that
    owns its slot and indexes only that shard's records.
    """
    if not is_cluster(client):
        return False
    with translated():
        return not (await probe(client)).coordinator


async def _read_state(client: Any, model: Any, index_name: str) -> IndexState:
    """Read whether the index exists and the fingerprint and schema text recorded for it."""
    try:
        with translated(model, index_name):
            await client.execute_command("FT.INFO", index_name)
    except IndexMissingError:
        return IndexState(exists=False)
    with translated(model, index_name):
        recorded_hash = await client.get(schema_hash_key(index_name))
        recorded_text = await client.get(schema_text_key(index_name))
    return IndexState(True, _optional_text(recorded_hash), _optional_text(recorded_text))


async def _apply(client: Any, action: IndexAction) -> None:
    if action.kind is ActionKind.UNCHANGED:
        logger.debug("%s", action.describe())
        return
    if action.kind is ActionKind.SKIP:
        logger.info("%s", action.describe())
        return
    if action.kind is ActionKind.RECREATE:
        await _drop(client, action.model, action.index_name)
    await _create(client, action.model, action.schema)
    logger.info("%s", action.describe())


async def _create(client: Any, model: Any, schema: IndexSchema) -> None:
    """Create the index and record its fingerprint and schema text, as Redis OM Python does."""
    logger.debug("%s", " ".join(schema.create_command))
    with translated(model, schema.index_name):
        await client.execute_command(*schema.create_command)
        # Two SETs, not MSET, so that the two keys may live in different cluster slots.
        await client.set(schema_hash_key(schema.index_name), schema.fingerprint)
        await client.set(schema_text_key(schema.index_name), schema.text)


async def _drop(client: Any, model: Any, index_name: str) -> bool:
    """Drop the index but not its records; return False if there was no index."""
    logger.debug("FT.DROPINDEX %s", index_name)
    try:
        with translated(model, index_name):
            await client.execute_command("FT.DROPINDEX", index_name)
    except IndexMissingError:
        return False
    return True


async def _wait_for_indexing(client: Any, model: Any, timeout: float) -> IndexInfo:
    """Poll FT.INFO until the server has indexed every existing record of the model."""
    index_name = model.index_name()
    for _ in range(max(1, int(timeout / POLL_INTERVAL))):
        info = await _index_info(client, model)
        if not info.indexing and info.percent_indexed >= 1.0:
            return info
        await asyncio.sleep(POLL_INTERVAL)
    raise ServerError(
        f"{model.__name__}: timed out after about {timeout:g} seconds waiting for the index {index_name!r} "
        "to finish indexing; call Migrator().run(wait=True) again or raise its timeout"
    )


async def _index_info(client: Any, model: Any) -> IndexInfo:
    index_name = model.index_name()
    with translated(model, index_name):
        reply = await client.ft(index_name).info()
    return parse_index_info(index_name, reply)


async def _refuse_sharded_search(client: Any, model: Any) -> None:
    if await _sharded_search(client):
        raise ServerError(f"{model.__name__}: no search index to administer: {SHARDED_SEARCH_REASON}")


def _require_index(model: Any) -> None:
    if not (model.is_indexed() and hasattr(model, "__om_storage__")):
        raise InvalidInputError(
            f"{model.__name__} has no search index; declare it with `index=True` or mark a field with Field(index=True)"
        )


async def index_info(model: Any) -> IndexInfo:
    """Return FT.INFO of the model's index; raise IndexMissingError if it does not exist."""
    _require_index(model)
    clients = _Clients()
    try:
        await _refuse_sharded_search(clients.for_model(model), model)
        return await _index_info(clients.for_model(model), model)
    finally:
        await clients.close()


async def drop_index(model: Any) -> bool:
    """Drop the model's index and its schema bookkeeping keys, keeping every record.

    Returns False if the index did not exist.
    """
    _require_index(model)
    clients = _Clients()
    try:
        client = clients.for_model(model)
        await _refuse_sharded_search(client, model)
        dropped = await _drop(client, model, model.index_name())
        with translated(model):
            await client.delete(schema_hash_key(model.index_name()), schema_text_key(model.index_name()))
        return dropped
    finally:
        await clients.close()


async def rebuild_index(model: Any, wait: bool = False, timeout: float = DEFAULT_WAIT_TIMEOUT) -> IndexAction:
    """Drop and create the model's index from its current schema, keeping every record.

    Unlike the Migrator, this recreates the index even when its fingerprint is current,
    which repairs an index that was changed behind the Migrator's back.
    """
    _require_index(model)
    clients = _Clients()
    try:
        client = clients.for_model(model)
        await _refuse_sharded_search(client, model)
        action = await _plan_model(clients, model)
        if action.kind is ActionKind.UNCHANGED:
            action = IndexAction(model, ActionKind.RECREATE, action.schema, requested=True)
        await _apply(client, action)
        if wait:
            await _wait_for_indexing(client, model, timeout)
        return action
    finally:
        await clients.close()


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
