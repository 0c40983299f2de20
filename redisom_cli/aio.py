"""redisom-cli: an object mapper for Redis, compatible with Redis OM Python, asyncio API.

The sync API in `redisom_cli` has the same names.
"""

import importlib
from typing import Any

from redisom_cli.errors import (
    AuthenticationError,
    ConfigurationError,
    IndexMissingError,
    InvalidInputError,
    ModelDefinitionError,
    ModuleMissingError,
    NoPermissionError,
    NotFoundError,
    OMError,
    QueryError,
    QuerySyntaxError,
    ServerError,
    ServerUnavailableError,
)

# The rest of the API is imported on first use, so that `om --help` and other short
# commands do not pay for pydantic and redis-py before they need them.
_LAZY_NAMES = {
    "Coordinates": "redisom_cli.model.fields",
    "EmbeddedJsonModel": "redisom_cli.store.aio.records",
    "Field": "redisom_cli.model.fields",
    "FieldKind": "redisom_cli.model.fields",
    "GeoFilter": "redisom_cli.query.expressions",
    "HashModel": "redisom_cli.store.aio.records",
    "KNNExpression": "redisom_cli.query.expressions",
    "JsonModel": "redisom_cli.store.aio.records",
    "Migrator": "redisom_cli.store.aio.index",
    "RedisModel": "redisom_cli.model.base",
    "UlidPrimaryKey": "redisom_cli.model.meta",
    "VectorFieldOptions": "redisom_cli.model.fields",
    "get_redis_connection": "redisom_cli.store.aio.client",
    "model_registry": "redisom_cli.model.base",
}

__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "Coordinates",
    "EmbeddedJsonModel",
    "Field",
    "FieldKind",
    "GeoFilter",
    "HashModel",
    "IndexMissingError",
    "InvalidInputError",
    "JsonModel",
    "KNNExpression",
    "Migrator",
    "ModelDefinitionError",
    "ModuleMissingError",
    "NoPermissionError",
    "NotFoundError",
    "OMError",
    "QueryError",
    "QuerySyntaxError",
    "RedisModel",
    "ServerError",
    "ServerUnavailableError",
    "UlidPrimaryKey",
    "VectorFieldOptions",
    "get_redis_connection",
    "model_registry",
]


def __getattr__(name: str) -> Any:
    module_name = _LAZY_NAMES.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
