"""HashModel: records stored as Redis hashes, one field per model field."""

from __future__ import annotations

import datetime
import enum
import functools
from typing import Any, Callable

from redisom_cli.errors import InvalidInputError, ModelDefinitionError
from redisom_cli.model.base import RedisModel
from redisom_cli.model.codecs import (
    bytes_from_redis,
    date_from_redis,
    datetime_from_redis,
    scalar_to_hash,
    vector_from_bytes,
    vector_to_bytes,
)
from redisom_cli.model.specs import FieldSpec, build_specs, is_embedded_model, shape_of


class HashModelBase(RedisModel):
    """The pure part of HashModel: field checks and the hash encoding."""

    __om_framework__ = True
    __om_storage__ = "hash"

    @classmethod
    def __om_check_definition__(cls) -> None:
        for name, info in cls.model_fields.items():
            shape = shape_of(info.annotation)
            if cls.field_options(name).vector_options is not None:
                continue
            if shape.is_list or is_embedded_model(shape.inner) or _is_mapping(shape.inner):
                raise ModelDefinitionError(
                    f"{cls.__name__}.{name}: a hash field stores one value, not a list, dict or "
                    "nested model; use JsonModel for this model, or store the value as str"
                )
        cls.specs()

    @classmethod
    def specs(cls) -> list[FieldSpec]:
        """Return the field specs of this model (cached per class)."""
        return _hash_specs(cls)

    def to_redis(self) -> tuple[dict[str, Any], list[str]]:
        """Return the hash fields to set and the names of the fields now None, to delete."""
        mapping: dict[str, Any] = {}
        deleted: list[str] = []
        values = self.__dict__
        for name, encode in _encoders(type(self)):
            value = values.get(name)
            if value is None:
                deleted.append(name)
            elif encode is None:
                mapping[name] = value
            else:
                mapping[name] = encode(value)
        return mapping, deleted

    def _hset_arguments(self, key: str) -> tuple[list[Any], list[str]]:
        """Encode this record straight into HSET arguments, as `to_redis` and `_flatten` would.

        Saving is the hot path of bulk loads, so this skips the intermediate mapping.
        """
        arguments: list[Any] = ["HSET", key]
        deleted: list[str] = []
        values = self.__dict__
        for name, encode in _encoders(type(self)):
            value = values.get(name)
            if value is None:
                deleted.append(name)
                continue
            arguments.append(name)
            arguments.append(value if encode is None else encode(value))
        return arguments, deleted

    @classmethod
    def fields_to_redis(cls, values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Encode some fields of this model, as `to_redis` does for all of them."""
        encoders = dict(_encoders(cls))
        mapping = {name: (encoders[name] or str)(value) for name, value in values.items() if value is not None}
        return mapping, [name for name, value in values.items() if value is None]

    def save_commands(self, nx: bool = False, xx: bool = False, ttl: int | None = None) -> list[tuple]:
        """Return the commands that save this record; more than one runs in MULTI/EXEC."""
        key = self.key()
        if nx or xx:
            mapping, deleted = self.to_redis()
            return [conditional_save_command(key, mapping, deleted, "NX" if nx else "XX", ttl)]
        arguments, deleted = self._hset_arguments(key)
        commands: list[tuple] = [tuple(arguments)]
        if deleted:
            commands.append(("HDEL", key, *deleted))
        if ttl is not None:
            commands.append(("EXPIRE", key, ttl))
        return commands

    @classmethod
    def get_command(cls, key: str) -> tuple:
        """Return the command that reads one record."""
        return ("HGETALL", key)

    @classmethod
    def parse_record(cls, reply: Any) -> Any:
        """Build a model from a `get_command` reply, or return None if the key is missing."""
        return cls.from_redis(reply) if reply else None

    def update_commands(self, values: dict[str, Any]) -> list[tuple]:
        """Return the commands that write only the named top-level fields."""
        for name in values:
            if "__" in name or "." in name:
                raise InvalidInputError(f"{type(self).__name__}: a hash has no nested field {name!r}")
        mapping, deleted = type(self).fields_to_redis(values)
        commands: list[tuple] = []
        if mapping:
            commands.append(("HSET", self.key(), *_flatten(mapping)))
        if deleted:
            commands.append(("HDEL", self.key(), *deleted))
        return commands

    @classmethod
    def from_redis(cls, mapping: dict[str, Any]) -> Any:
        """Build a model from the reply of HGETALL; raise pydantic's ValidationError if invalid."""
        _decode_in_place(mapping, _decoders(cls))
        # model_validate() without its argument checks: this runs once per record read.
        return cls.__pydantic_validator__.validate_python(mapping)

    @classmethod
    def from_redis_many(cls, mappings: list[dict[str, Any]]) -> list[Any]:
        """Build models from HGETALL replies, as `from_redis` does for each, with the lookups done once."""
        decoders = _decoders(cls)
        if decoders:
            for mapping in mappings:
                _decode_in_place(mapping, decoders)
        validate = cls.__pydantic_validator__.validate_python
        return [validate(mapping) for mapping in mappings]


# Saves with NX or XX must test and write in one step; HSET has no such flags.
CONDITIONAL_SAVE_SCRIPT = """
local exists = redis.call('EXISTS', KEYS[1])
if (ARGV[1] == 'NX' and exists == 1) or (ARGV[1] == 'XX' and exists == 0) then return 0 end
local deleted = tonumber(ARGV[3])
for i = 4, 3 + deleted do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('HSET', KEYS[1], unpack(ARGV, 4 + deleted))
if ARGV[2] ~= '' then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return 1
"""


def conditional_save_command(key: str, mapping: dict[str, Any], deleted: list[str], condition: str,
                             ttl: int | None) -> tuple:
    """Return an EVAL that saves the hash only if the key exists (XX) or does not (NX)."""
    ttl_text = "" if ttl is None else str(ttl)
    return ("EVAL", CONDITIONAL_SAVE_SCRIPT, 1, key, condition, ttl_text, len(deleted), *deleted, *_flatten(mapping))


def _flatten(mapping: dict[str, Any]) -> list[Any]:
    items: list[Any] = []
    for name, value in mapping.items():
        items.append(name)
        items.append(value)
    return items


def _is_mapping(annotation: Any) -> bool:
    import typing

    return annotation is dict or typing.get_origin(annotation) is dict


@functools.cache
def _hash_specs(cls: type) -> list[FieldSpec]:
    return build_specs(cls, json=False)


@functools.cache
def _encoders(cls: type) -> tuple[tuple[str, Callable[[Any], Any] | None], ...]:
    plan = []
    for name, info in cls.model_fields.items():
        if info.exclude:
            continue
        vector = cls.field_options(name).vector_options
        if vector is not None:
            plan.append((name, functools.partial(_pack_vector, options=vector)))
        elif shape_of(info.annotation).inner is str:
            plan.append((name, None))
        else:
            plan.append((name, scalar_to_hash))
    return tuple(plan)


def _pack_vector(value: Any, options: Any) -> bytes:
    return vector_to_bytes(value, options)


def _decode_in_place(mapping: dict[str, Any], decoders: tuple[tuple[str, Callable[[Any], Any]], ...]) -> None:
    for name, decode in decoders:
        if name in mapping:
            mapping[name] = decode(mapping[name])


@functools.cache
def _decoders(cls: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    plan = []
    for name, info in cls.model_fields.items():
        inner = shape_of(info.annotation).inner
        vector = cls.field_options(name).vector_options
        if vector is not None:
            plan.append((name, functools.partial(vector_from_bytes, options=vector)))
        elif inner is bytes:
            plan.append((name, bytes_from_redis))
        elif inner is datetime.datetime:
            plan.append((name, datetime_from_redis))
        elif inner is datetime.date:
            plan.append((name, date_from_redis))
        elif isinstance(inner, type) and issubclass(inner, enum.Enum):
            plan.append((name, functools.partial(enum_from_text, enum_type=inner)))
    return tuple(plan)


def enum_from_text(value: Any, enum_type: type[enum.Enum]) -> Any:
    """Return the member of `enum_type` whose value is written as `value`, else `value`."""
    for member in enum_type:
        if str(member.value) == value or (isinstance(member.value, float) and repr(member.value) == value):
            return member
    return value
