"""JsonModel and EmbeddedJsonModel: records stored as RedisJSON documents."""

from __future__ import annotations

import datetime
import functools
import json
import math
import types
import typing
from typing import Any

from pydantic.functional_serializers import PlainSerializer, WrapSerializer

from redisom_cli.errors import InvalidInputError
from redisom_cli.model.base import RedisModel
from redisom_cli.model.codecs import (
    EXACT_INTEGER_BOUND,
    bytes_from_redis,
    date_from_redis,
    datetime_from_redis,
    scalar_to_json,
    to_json_tree,
)
from redisom_cli.model.specs import FieldSpec, build_specs, is_embedded_model, shape_of

# json.dumps(value, ensure_ascii=False) builds an encoder on every call. One shared encoder
# writes the same text in about half the time (measured on the bench Customer).
_json_text = json.JSONEncoder(ensure_ascii=False).encode


class JsonModelBase(RedisModel):
    """The pure part of JsonModel: the JSON-document encoding."""

    __om_framework__ = True
    __om_storage__ = "json"

    @classmethod
    def __om_check_definition__(cls) -> None:
        cls.specs()

    @classmethod
    def specs(cls) -> list[FieldSpec]:
        """Return the field specs of this model, embedded models flattened (cached per class)."""
        return _json_specs(cls)

    def to_redis(self) -> dict[str, Any]:
        """Return the JSON document of this record."""
        # model_dump() without its argument handling: this runs once per record saved.
        document = self.__pydantic_serializer__.to_python(self)
        float_paths = _float_paths(type(self))
        if float_paths is None:
            return to_json_tree(document)
        # Only the floats need converting, and visiting them alone costs far less than the walk.
        for path in float_paths:
            _convert_float(document, path)
        return document

    def save_commands(self, nx: bool = False, xx: bool = False, ttl: int | None = None) -> list[tuple]:
        """Return the commands that save this record; more than one runs in MULTI/EXEC."""
        key = self.key()
        text = _serialized_json(self)
        if text is None:
            text = _json_text(self.to_redis())
        if (nx or xx) and ttl is not None:
            return [("EVAL", CONDITIONAL_SAVE_SCRIPT, 1, key, text, "NX" if nx else "XX", ttl)]
        condition = ("NX",) if nx else ("XX",) if xx else ()
        commands: list[tuple] = [("JSON.SET", key, "$", text, *condition)]
        if ttl is not None:
            commands.append(("EXPIRE", key, ttl))
        return commands

    @classmethod
    def get_command(cls, key: str) -> tuple:
        """Return the command that reads one record."""
        return ("JSON.GET", key)

    @classmethod
    def parse_record(cls, reply: Any) -> Any:
        """Build a model from a `get_command` reply, or return None if the key is missing."""
        if reply is None:
            return None
        if _holds_only(cls, READ_AS_IS):
            # For fields of JSON types only, parsing and validating in one pass gives the
            # same model as json.loads() and from_redis(), in a third of the time (bench/).
            return cls.__pydantic_validator__.validate_json(reply)
        return cls.from_redis(json.loads(reply))

    def update_commands(self, values: dict[str, Any]) -> list[tuple]:
        """Return one JSON.SET per named path (`address__city` is `$.address.city`)."""
        document = self.to_redis()
        commands = []
        for name, value in values.items():
            path = name.replace("__", ".").split(".")
            if not _parent_exists(document, path):
                raise InvalidInputError(f"{type(self).__name__}: cannot set {name!r}, its parent is empty")
            commands.append(("JSON.SET", self.key(), "$." + ".".join(path), _json_text(_lookup(document, path))))
        return commands

    @classmethod
    def from_redis(cls, document: dict[str, Any]) -> Any:
        """Build a model from a JSON document; raise pydantic's ValidationError if invalid."""
        if _needs_decoding(cls):
            document = _decode_fields(cls, document)
        # model_validate() without its argument checks: this runs once per record read.
        return cls.__pydantic_validator__.validate_python(document)

    @classmethod
    def from_redis_many(cls, documents: list[dict[str, Any]]) -> list[Any]:
        """Build models from JSON documents, as `from_redis` does for each, with the lookups done once."""
        if _needs_decoding(cls):
            documents = [_decode_fields(cls, document) for document in documents]
        validate = cls.__pydantic_validator__.validate_python
        return [validate(document) for document in documents]


class EmbeddedJsonModelBase(JsonModelBase):
    """A model stored inside a JsonModel document; it has no key and no primary key."""

    __om_framework__ = True

    class Meta:
        embedded = True


# JSON.SET supports NX and XX, but an EXPIRE queued after it would also change the TTL of a
# key that the condition left alone. So the script sets the TTL only when the write happened.
CONDITIONAL_SAVE_SCRIPT = """
if redis.call('JSON.SET', KEYS[1], '$', ARGV[1], ARGV[2]) then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
"""


def _parent_exists(document: Any, path: list[str]) -> bool:
    for part in path[:-1]:
        if not isinstance(document, dict) or document.get(part) is None:
            return False
        document = document[part]
    return isinstance(document, dict)


def _lookup(document: Any, path: list[str]) -> Any:
    for part in path:
        document = document.get(part) if isinstance(document, dict) else None
    return document


@functools.cache
def _json_specs(cls: type) -> list[FieldSpec]:
    return build_specs(cls, json=True)


# Stored forms that pydantic would misread: base64 text for bytes, and POSIX seconds for
# datetimes and dates (see `codecs.datetime_from_redis`).
_DECODERS = {bytes: bytes_from_redis, datetime.datetime: datetime_from_redis, datetime.date: date_from_redis}


@functools.cache
def _needs_decoding(cls: type) -> bool:
    for info in cls.model_fields.values():
        inner = shape_of(info.annotation).inner
        if inner in _DECODERS or (is_embedded_model(inner) and _needs_decoding(inner)):
            return True
    return False


# Scalar types whose model_dump() values go into a document unchanged. float is not one:
# to_json_tree() sends integral floats as integers (see codecs.EXACT_INTEGER_BOUND).
DUMPED_AS_IS = frozenset({str, int, bool})
# Scalar types that model_validate_json() reads as model_validate(json.loads(text)) does.
READ_AS_IS = frozenset({str, int, float, bool})


@functools.cache
def _float_paths(cls: type) -> tuple[tuple[str, ...], ...] | None:
    """Return the paths of the float fields, or None when to_redis() must walk the whole dump.

    A model qualifies when its fields are of DUMPED_AS_IS types, lists of them, floats outside
    lists, or embedded models (not lists of them) that qualify, with no serializer or computed field.
    """
    decorators = cls.__pydantic_decorators__
    if decorators.field_serializers or decorators.model_serializers or cls.model_computed_fields:
        return None
    paths: list[tuple[str, ...]] = []
    for name, info in cls.model_fields.items():
        if _has_serializer(info.metadata):
            return None
        shape = shape_of(info.annotation)
        if shape.inner is float and not shape.is_list and _is_annotation_of(info.annotation, READ_AS_IS):
            paths.append((name,))
        elif is_embedded_model(shape.inner) and not shape.is_list and _is_annotation_of(info.annotation, READ_AS_IS):
            inner_paths = _float_paths(shape.inner)
            if inner_paths is None:
                return None
            paths.extend((name, *path) for path in inner_paths)
        elif not _is_annotation_of(info.annotation, DUMPED_AS_IS):
            return None
    return tuple(paths)


def _serialized_json(record: Any) -> bytes | None:
    """Return the document of `record` as JSON from pydantic's serializer, or None to build it in Python.

    pydantic writes the same document as to_redis() would, without the spaces after the
    separators, in a third of the time. That holds when every field is of a type whose dump
    goes into the document unchanged (see `_float_paths`) and no float needs the integral-float
    rule of to_json_tree(). A float that is not finite also takes the Python path, because
    pydantic would write null where json.dumps() writes Infinity or NaN.
    """
    float_paths = _float_paths(type(record))
    if float_paths is None:
        return None
    for path in float_paths:
        value = record
        for part in path:
            value = getattr(value, part)
            if value is None:
                break
        if not isinstance(value, float):
            continue
        if not math.isfinite(value) or (value.is_integer() and abs(value) < EXACT_INTEGER_BOUND):
            return None
    return record.__pydantic_serializer__.to_json(record)


def _convert_float(document: dict[str, Any], path: tuple[str, ...]) -> None:
    target: Any = document
    for part in path[:-1]:
        target = target.get(part)
        if target is None:  # an Optional embedded model that is not set
            return
    value = target.get(path[-1])
    if isinstance(value, float):
        target[path[-1]] = scalar_to_json(value)


@functools.cache
def _holds_only(cls: type, scalars: frozenset[type]) -> bool:
    """Whether every field of `cls` is one of `scalars`, None, a list of them or such an embedded model.

    A serializer or computed field could add other values, so a model with one does not qualify.
    """
    decorators = cls.__pydantic_decorators__
    if decorators.field_serializers or decorators.model_serializers or cls.model_computed_fields:
        return False
    return all(
        not _has_serializer(info.metadata) and _is_annotation_of(info.annotation, scalars)
        for info in cls.model_fields.values()
    )


def _is_annotation_of(annotation: Any, scalars: frozenset[type]) -> bool:
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Annotated:
        return not _has_serializer(arguments[1:]) and _is_annotation_of(arguments[0], scalars)
    if origin in (typing.Union, types.UnionType):
        return all(argument is type(None) or _is_annotation_of(argument, scalars) for argument in arguments)
    if origin is list:
        return bool(arguments) and _is_annotation_of(arguments[0], scalars)
    if annotation in scalars:  # the exact classes: an Enum or other subclass dumps as itself
        return True
    return is_embedded_model(annotation) and _holds_only(annotation, scalars)


def _has_serializer(metadata: Any) -> bool:
    return any(isinstance(item, (PlainSerializer, WrapSerializer)) for item in metadata)


def _decode_fields(cls: type, document: Any) -> Any:
    if not isinstance(document, dict):
        return document
    result = dict(document)
    for name, info in cls.model_fields.items():
        if name not in result:
            continue
        shape = shape_of(info.annotation)
        result[name] = _decode_value(shape.inner, shape.is_list, result[name])
    return result


def _decode_value(inner: Any, is_list: bool, value: Any) -> Any:
    if is_list and isinstance(value, list):
        return [_decode_value(inner, False, item) for item in value]
    decode = _DECODERS.get(inner)
    if decode is not None:
        return decode(value)
    if is_embedded_model(inner):
        return _decode_fields(inner, value)
    return value
