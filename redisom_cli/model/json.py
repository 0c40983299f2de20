"""JsonModel and EmbeddedJsonModel: records stored as RedisJSON documents."""

from __future__ import annotations

import functools
from typing import Any

from redisom_cli.model.base import RedisModel
from redisom_cli.model.codecs import bytes_from_redis, to_json_tree
from redisom_cli.model.specs import FieldSpec, build_specs, is_embedded_model, shape_of


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
        return to_json_tree(self.model_dump())

    @classmethod
    def from_redis(cls, document: dict[str, Any]) -> Any:
        """Build a model from a JSON document; raise pydantic's ValidationError if invalid."""
        if _has_bytes(cls):
            document = _decode_bytes(cls, document)
        return cls.model_validate(document)


class EmbeddedJsonModelBase(JsonModelBase):
    """A model stored inside a JsonModel document; it has no key and no primary key."""

    __om_framework__ = True

    class Meta:
        embedded = True


@functools.cache
def _json_specs(cls: type) -> list[FieldSpec]:
    return build_specs(cls, json=True)


@functools.cache
def _has_bytes(cls: type) -> bool:
    for info in cls.model_fields.values():
        inner = shape_of(info.annotation).inner
        if inner is bytes or (is_embedded_model(inner) and _has_bytes(inner)):
            return True
    return False


def _decode_bytes(cls: type, document: Any) -> Any:
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
    if inner is bytes:
        return bytes_from_redis(value)
    if is_embedded_model(inner):
        return _decode_bytes(inner, value)
    return value
