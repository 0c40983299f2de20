"""redisom-cli: an object mapper for Redis, compatible with Redis OM Python, sync API.

The asyncio API in `redisom_cli.aio` has the same names.
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
from redisom_cli.store.sync.client import get_redis_connection
from redisom_cli.store.sync.index import Migrator
from redisom_cli.store.sync.records import EmbeddedJsonModel, HashModel, JsonModel

__version__ = "0.1.0"

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
    "__version__",
    "get_redis_connection",
    "model_registry",
]
