"""The state of one `om` invocation: global options, project settings, loaded models and client.

Everything is loaded on first use: `om --help` imports no models and opens no connection, and
`om server status` imports no models.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import Any

logger = logging.getLogger(__name__)

DEFAULT_URL = "redis://localhost:6379"
URL_VARIABLE = "REDIS_OM_URL"


@dataclasses.dataclass
class Session:
    """Global options of the invocation and what they lead to, each loaded once."""

    url: str | None = None
    models: list[str] | None = None
    verbose: int = 0
    debug: bool = False
    _settings: Any = None
    _registry: Any = None
    _client: Any = None
    _bound: dict[str, type] = dataclasses.field(default_factory=dict)

    def apply(self, url: str | None = None, models: list[str] | None = None,
              verbose: int = 0, debug: bool = False) -> None:
        """Take the global options given after a command; they override those before it."""
        self.url = url or self.url
        self.models = models or self.models
        self.verbose = max(self.verbose, verbose)
        self.debug = self.debug or debug
        configure_logging(self.verbose)

    def settings(self) -> Any:
        """Return the `[tool.om]` settings of the nearest pyproject.toml."""
        if self._settings is None:
            from models_registry import read_settings

            self._settings = read_settings()
        return self._settings

    def resolve_url(self) -> str:
        """Return the URL: --url, REDIS_OM_URL, `[tool.om] url`, then redis://localhost:6379."""
        return self.url or os.environ.get(URL_VARIABLE) or self.settings().url or DEFAULT_URL

    def registry(self) -> Any:
        """Return the registry of the model modules named by --models, OM_MODELS or `[tool.om]`."""
        if self._registry is None:
            from models_registry import load_registry

            self._registry = load_registry(self.models, self.settings())
        return self._registry

    def client(self) -> Any:
        """Return the sync client for the resolved URL; an `embedded://` URL starts the server."""
        if self._client is None:
            from redisom_cli import get_redis_connection
            from redisom_cli.store.connection import redact_url

            url = self.resolve_url()
            logger.info("Connecting to %s", redact_url(url))
            self._client = get_redis_connection(url)
        return self._client

    def model(self, name: str) -> type:
        """Return the model called `name`, bound to this invocation's client.

        An async model is replaced by a sync twin with the same keys and index, because
        `om` drives all I/O synchronously.
        """
        entry = self.registry().resolve(name)
        bound = self._bound.get(entry.path)
        if bound is None:
            bound = entry.model
            if entry.is_async:
                from redisom_cli.cli.twins import sync_twin

                bound = sync_twin(entry.model)
            bound._meta.database = self.client()
            self._bound[entry.path] = bound
        return bound

    def bind_all(self) -> list[type]:
        """Return every loaded model bound to the client, for commands that span all models."""
        return [self.model(entry.path) for entry in self.registry()]


_current = Session()


def current() -> Session:
    """Return the session of the running invocation."""
    return _current


def reset() -> Session:
    """Start a new session; `om` runs once per process, but tests invoke it many times."""
    global _current
    _current = Session()
    return _current


class _LogFormatter(logging.Formatter):
    """`om: warning: message` by default; with -v, the level and logger name too."""

    def __init__(self, verbose: int) -> None:
        super().__init__()
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if self.verbose > 0:
            return f"om: {record.levelname} {record.name}: {message}"
        return f"om: {record.levelname.lower()}: {message}"


def detach_logging() -> None:
    """Remove the handlers that `configure_logging` added, at the end of an invocation."""
    for name in ("redisom_cli", "models_registry"):
        logger_ = logging.getLogger(name)
        for handler in [h for h in logger_.handlers if getattr(h, "om_cli", False)]:
            logger_.removeHandler(handler)


def configure_logging(verbose: int) -> None:
    """Send `redisom_cli` and `models_registry` logs to stderr: WARNING, INFO with -v, DEBUG with -vv."""
    import sys

    level = logging.WARNING
    if verbose == 1:
        level = logging.INFO
    elif verbose >= 2:
        level = logging.DEBUG
    for name in ("redisom_cli", "models_registry"):
        logger_ = logging.getLogger(name)
        handler = next((h for h in logger_.handlers if getattr(h, "om_cli", False)), None)
        if handler is None:
            handler = logging.StreamHandler()
            handler.om_cli = True  # type: ignore[attr-defined]
            logger_.addHandler(handler)
        # The stream is set on every call because test runners replace sys.stderr per invocation.
        handler.stream = sys.stderr
        handler.setFormatter(_LogFormatter(verbose))
        logger_.setLevel(level)
