"""redisom-cli: an object mapper for Redis, compatible with Redis OM Python, sync API.

The asyncio API in `redisom_cli.aio` has the same names.
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

__version__ = "0.1.0"

# The rest of the API is imported on first use, so that `om --help` and other short
# commands do not pay for pydantic and redis-py before they need them.
_LAZY_NAMES = {
    "Coordinates": "redisom_cli.model.fields",
    "EmbeddedJsonModel": "redisom_cli.store.sync.records",
    "Field": "redisom_cli.model.fields",
    "FieldKind": "redisom_cli.model.fields",
    "GeoFilter": "redisom_cli.query.expressions",
    "HashModel": "redisom_cli.store.sync.records",
    "KNNExpression": "redisom_cli.query.expressions",
    "JsonModel": "redisom_cli.store.sync.records",
    "Migrator": "redisom_cli.store.sync.index",
    "RedisModel": "redisom_cli.model.base",
    "UlidPrimaryKey": "redisom_cli.model.meta",
    "VectorFieldOptions": "redisom_cli.model.fields",
    "get_redis_connection": "redisom_cli.store.sync.client",
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
    "__version__",
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
