# Generated from redisom_cli/store/aio/records.py by scripts/unasync.py: edit that file, not this one.
"""The model classes with their record methods: save, get, update, delete and friends.

Commands are built by the pure model layer; this module only sends them. A single command
is sent alone; several commands of one record run in one MULTI/EXEC, so every
single-record operation is one round trip.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import redis.exceptions as redis_errors
from redis.client import NEVER_DECODE

from redisom_cli.errors import InvalidInputError, NotFoundError
from redisom_cli.index import DEFAULT_WAIT_TIMEOUT
from redisom_cli.model import meta as meta_rules
from redisom_cli.model.hash import HashModelBase
from redisom_cli.model.json import EmbeddedJsonModelBase, JsonModelBase
from redisom_cli.store.sync.client import NO_OPTIONS, RETRYABLE_ERRORS, default_client, retry_read, scan_keys, send
from redisom_cli.store.errors import translate

if TYPE_CHECKING:
    from redisom_cli.index.migrator import IndexAction, IndexInfo

logger = logging.getLogger(__name__)

RAW_READ = {NEVER_DECODE: True}

BATCH_SIZE = 1000
SCAN_COUNT = 1000
SCAN_TYPES = {"hash": "hash", "json": "ReJSON-RL"}


class hybridmethod:  # noqa: N801 - named like classmethod
    """A method that receives the class when called on the class, else the instance."""

    def __init__(self, function: Any) -> None:
        self.function = function
        self.__doc__ = function.__doc__

    def __get__(self, instance: Any, owner: type) -> Any:
        bound_to = owner if instance is None else instance
        return self.function.__get__(bound_to, owner)


class RecordMethods:
    """The I/O methods shared by HashModel and JsonModel."""

    @classmethod
    def db(cls) -> Any:
        """Return the client of this model: `Meta.database`, else the shared default."""
        database = cls._meta.database
        return database if database is not None else default_client()

    def save(self, pipeline: Any = None, nx: bool = False, xx: bool = False,
                   ttl: int | None = None) -> Any:
        """Save this record and return it.

        With `nx=True` nothing is written if the key exists, with `xx=True` nothing is
        written if it does not, and the method returns None in either case. `ttl` sets the
        key's time to live in seconds in the same transaction. With `pipeline`, the commands
        are queued on it and sent when the caller executes it.
        """
        if nx and xx:
            raise InvalidInputError("save() takes nx or xx, not both")
        if pipeline is not None and (nx or xx):
            raise InvalidInputError("save() with a pipeline cannot report whether nx or xx held")
        commands = self.save_commands(nx=nx, xx=xx, ttl=ttl)
        if pipeline is not None:
            for command in commands:
                pipeline.execute_command(*command)
            return self
        if len(commands) == 1:
            # `send()` is inlined for the usual single command, because this is the hottest write.
            # A write is never sent again after a connection error, so there is no retry here.
            command = commands[0]
            logger.debug("%s %s", command[0], command[1])
            try:
                reply = self.db().execute_command(*command)
            except redis_errors.RedisError as exc:
                raise translate(exc, type(self)) from exc
        else:
            [reply, *_] = send(self.db(), commands, model=type(self))
        if (nx or xx) and not reply:
            return None
        return self

    @classmethod
    def get(cls, pk: Any) -> Any:
        """Return the record with primary key `pk`; raise NotFoundError if there is none."""
        key = cls.make_primary_key(pk)
        command = cls.get_command(key)
        options = _read_options(cls)
        logger.debug("%s %s", *command)
        # `send()` is inlined here because this is the hottest read.
        try:
            reply = cls.db().execute_command(*command, **options)
        except RETRYABLE_ERRORS as exc:
            [reply] = retry_read(cls.db(), [command], False, cls, exc, options)
        except redis_errors.RedisError as exc:
            raise translate(exc, cls) from exc
        record = cls.parse_record(_text_reply(cls, reply) if options else reply)
        if record is None:
            raise NotFoundError(f"{cls.__name__} {pk!r} not found (key {key!r})", model=cls.__name__, key=key)
        return record

    @classmethod
    def get_many(cls, pks: Iterable[Any]) -> list[Any]:
        """Return the records of `pks` in order, None where a record is missing, in one round trip."""
        keys = [cls.make_primary_key(pk) for pk in pks]
        commands = [cls.get_command(key) for key in keys]
        options = _read_options(cls)
        replies = send(cls.db(), commands, transaction=False, read_only=True, model=cls, options=options)
        if options:
            replies = [_text_reply(cls, reply) for reply in replies]
        return [cls.parse_record(reply) for reply in replies]

    @hybridmethod
    def delete(self_or_cls: Any, pk: Any = None, pipeline: Any = None) -> int:
        """Delete the record `pk` (or, on an instance, this record); return the keys deleted."""
        cls = self_or_cls if isinstance(self_or_cls, type) else type(self_or_cls)
        if pk is None and not isinstance(self_or_cls, type):
            pk = self_or_cls.pk
        if pk is None:
            raise InvalidInputError(f"{cls.__name__}.delete() needs a primary key")
        command = ("DEL", cls.make_primary_key(pk))
        if pipeline is not None:
            pipeline.execute_command(*command)
            return 0
        replies = send(cls.db(), [command], model=cls)
        return int(replies[0])

    @classmethod
    def delete_many(cls, records: Iterable[Any]) -> int:
        """Delete records given as models or primary keys; return the number of keys deleted."""
        keys = [record.key() if isinstance(record, cls) else cls.make_primary_key(record) for record in records]
        deleted = 0
        for start in range(0, len(keys), BATCH_SIZE):
            commands = [("DEL", key) for key in keys[start:start + BATCH_SIZE]]
            deleted += sum(int(reply) for reply in send(cls.db(), commands, transaction=False, model=cls))
        return deleted

    @classmethod
    def add(cls, models: Iterable[Any], pipeline: Any = None) -> list[Any]:
        """Save many records with pipelined commands, in batches; return them."""
        records = list(models)
        if pipeline is not None:
            for record in records:
                record.save(pipeline=pipeline)
            return records
        for start in range(0, len(records), BATCH_SIZE):
            commands = [command for record in records[start:start + BATCH_SIZE] for command in record.save_commands()]
            send(cls.db(), commands, transaction=False, model=cls)
        return records

    def update(self, **fields: Any) -> Any:
        """Validate and write only the named fields; nested JSON paths use `__` (`address__city`).

        Nothing is written if validation fails (pydantic's ValidationError is raised).
        """
        updated = self.with_changes(fields)
        commands = updated.update_commands(fields)
        if commands:
            send(self.db(), commands, model=type(self))
        self.__dict__.update(updated.__dict__)
        return self

    def with_changes(self, fields: dict[str, Any]) -> Any:
        """Return a validated copy of this record with `fields` changed (paths use `__`)."""
        document = self.model_dump()
        for name, value in fields.items():
            path = name.replace("__", ".").split(".")
            _check_field_path(type(self), path)
            target = document
            for part in path[:-1]:
                if not isinstance(target.get(part), dict):
                    raise InvalidInputError(f"{type(self).__name__}: cannot set {name!r}, {part!r} is empty")
                target = target[part]
            target[path[-1]] = value
        return type(self).model_validate(document)

    def expire(self, seconds: int, pipeline: Any = None) -> bool:
        """Set this record's time to live in seconds; return whether the key exists."""
        command = ("EXPIRE", self.key(), int(seconds))
        if pipeline is not None:
            pipeline.execute_command(*command)
            return True
        return bool((send(self.db(), [command], model=type(self)))[0])

    def ttl(self) -> int:
        """Return this record's time to live in seconds: -1 without one, -2 if the key is gone."""
        return int((send(self.db(), [("TTL", self.key())], read_only=True, model=type(self)))[0])

    @classmethod
    def all_pks(cls) -> Any:
        """Yield the primary key of every record of this model, scanning with SCAN (never KEYS).

        Index bookkeeping keys under the same prefix are skipped.
        """
        pattern = meta_rules.scan_pattern(cls._meta)
        for key in scan_keys(cls.db(), pattern, SCAN_COUNT, SCAN_TYPES[cls.__om_storage__], model=cls):
            pk = meta_rules.pk_from_key(cls._meta, key if isinstance(key, str) else key.decode())
            if pk is not None:
                yield pk

    @classmethod
    def find(cls, *expressions: Any, knn: Any = None, engine: str = "auto") -> Any:
        """Return a query for the records matching every expression (or query text)."""
        from redisom_cli.store.sync.query import Query

        return Query(cls, expressions, engine=engine, knn=knn)


@functools.cache
def _binary_fields(model: type) -> frozenset[str]:
    """Return the hash fields of `model` that contain raw vector bytes, which are not UTF-8 text."""
    if model.__om_storage__ != "hash":
        return frozenset()
    return frozenset(spec.attribute for spec in model.specs() if spec.options.vector_options is not None)


def _read_options(model: type) -> dict[str, Any]:
    """Return the redis-py options for reading records of `model`: raw bytes if it has vectors."""
    return RAW_READ if _binary_fields(model) else NO_OPTIONS


def _text_reply(model: type, reply: Any) -> Any:
    """Decode a reply read as raw bytes, except the values of the vector fields."""
    if not reply:
        return reply
    binary = _binary_fields(model)
    decoded = {}
    for name, value in reply.items():
        name = name.decode() if isinstance(name, bytes) else name
        decoded[name] = value if name in binary or not isinstance(value, bytes) else value.decode()
    return decoded


def _check_field_path(model: type, path: list[str]) -> None:
    fields = model.model_fields
    for depth, part in enumerate(path):
        if part not in fields:
            import difflib

            close = difflib.get_close_matches(part, list(fields), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise InvalidInputError(f"{model.__name__} has no field {'.'.join(path[:depth + 1])!r}{hint}")
        annotation = fields[part].annotation
        inner = _model_inside(annotation)
        fields = inner.model_fields if inner is not None else {}


def _model_inside(annotation: Any) -> Any:
    from redisom_cli.model.specs import is_embedded_model, shape_of

    shape = shape_of(annotation)
    return shape.inner if is_embedded_model(shape.inner) and not shape.is_list else None


class IndexMethods:
    """The index methods of HashModel and JsonModel.

    `redisom_cli.store.aio.index` is imported on first use, so that reading and writing
    records does not pay for the Migrator.
    """

    @classmethod
    def index_info(cls) -> IndexInfo:
        """Return the state of this model's index: documents, indexing failures, attributes, progress."""
        from redisom_cli.store.sync import index

        return index.index_info(cls)

    @classmethod
    def drop_index(cls) -> bool:
        """Drop this model's index, keeping every record; return False if there was none."""
        from redisom_cli.store.sync import index

        return index.drop_index(cls)

    @classmethod
    def rebuild_index(cls, wait: bool = False, timeout: float = DEFAULT_WAIT_TIMEOUT) -> IndexAction:
        """Drop and create this model's index from its current schema, keeping every record."""
        from redisom_cli.store.sync import index

        return index.rebuild_index(cls, wait=wait, timeout=timeout)


class HashModel(HashModelBase, RecordMethods, IndexMethods):
    """A model stored as a Redis hash."""

    __om_framework__ = True


class JsonModel(JsonModelBase, RecordMethods, IndexMethods):
    """A model stored as a RedisJSON document, with embedded models and lists."""

    __om_framework__ = True


class EmbeddedJsonModel(EmbeddedJsonModelBase):
    """A model stored inside a JsonModel document; it has no key of its own."""

    __om_framework__ = True
