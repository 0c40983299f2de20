"""redisom-cli: an object mapper for Redis, compatible with Redis OM Python, asyncio API.

The sync API in `redisom_cli` has the same names.
"""

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
from redisom_cli.model.base import RedisModel, model_registry
from redisom_cli.model.fields import Coordinates, Field, FieldKind, VectorFieldOptions
from redisom_cli.model.meta import UlidPrimaryKey
from redisom_cli.store.aio.client import get_redis_connection
from redisom_cli.store.aio.index import Migrator
from redisom_cli.store.aio.records import EmbeddedJsonModel, HashModel, JsonModel


__all__ = [
    "AuthenticationError",
    "ConfigurationError",
    "Coordinates",
    "EmbeddedJsonModel",
    "Field",
    "FieldKind",
    "HashModel",
    "IndexMissingError",
    "InvalidInputError",
    "JsonModel",
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
