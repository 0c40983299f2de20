"""The exceptions of redisom-cli: one root and a small tree.

    OMError
    ├── ConfigurationError        bad URL, settings file or missing optional package
    ├── ModelDefinitionError      a model class that cannot work, raised when it is defined
    ├── InvalidInputError         a value, field name or request that the model rejects
    │   └── QueryError            a query that names a bad field, operator or value
    │       └── QuerySyntaxError  query text that does not parse, with its column
    ├── NotFoundError             no record under the requested key
    └── ServerError               the server failed or could not be reached
        ├── ServerUnavailableError   connection refused, timed out or dropped
        ├── AuthenticationError      wrong user name or password
        ├── NoPermissionError        the ACL user may not run the command
        ├── ModuleMissingError       the server lacks the Search or JSON module
        └── IndexMissingError        the model's search index does not exist

pydantic's ``ValidationError`` is raised unchanged when a record fails validation.
redis-py exceptions are translated in ``redisom_cli.store.errors``, with the original kept
as ``__cause__``.
"""

from __future__ import annotations


class OMError(Exception):
    """The root of every error that redisom-cli raises on purpose."""


class ConfigurationError(OMError):
    """A connection URL, settings file or installation that cannot be used."""


class ModelDefinitionError(OMError, TypeError):
    """A model class that cannot be stored or indexed as declared."""


class InvalidInputError(OMError, ValueError):
    """A value, field name or request that the model rejects."""


class QueryError(InvalidInputError):
    """A query that names an unknown field, an unsupported operator or a bad value."""


class QuerySyntaxError(QueryError):
    """Query text that does not parse.

    ``column`` is 1-based; ``length`` is the number of characters of the bad token.
    """

    def __init__(self, message: str, text: str, column: int, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.column = column
        self.length = max(1, length)

    def render(self) -> str:
        """Return the message, the query text and a caret line under the bad token."""
        caret = " " * (self.column - 1) + "^" * self.length
        return f"{self.message} (column {self.column})\n  {self.text}\n  {caret}"


class NotFoundError(OMError, LookupError):
    """No record under the requested key."""

    def __init__(self, message: str, model: str | None = None, key: str | None = None) -> None:
        super().__init__(message)
        self.model = model
        self.key = key


class ServerError(OMError):
    """The Redis server failed or could not be reached."""


class ServerUnavailableError(ServerError):
    """The connection was refused, timed out or dropped."""


class AuthenticationError(ServerError):
    """The server rejected the user name or password."""


class NoPermissionError(ServerError):
    """The ACL user is not allowed to run the command or touch the key."""


class ModuleMissingError(ServerError):
    """The server lacks a module that the model needs (Search or JSON)."""


class IndexMissingError(ServerError):
    """The model's search index does not exist on the server."""
