"""Translation of redis-py exceptions into redisom-cli's, done in this one place.

Messages never contain a connection URL or a password: redis-py's own messages name only
the host and port, and the URL is never added to them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import redis.exceptions as redis_errors

from redisom_cli import errors

MISSING_INDEX_MARKERS = ("no such index", "unknown index name", "unknown: index name")


@contextlib.contextmanager
def translated(model: type | None = None, index: str | None = None) -> Iterator[None]:
    """Re-raise redis-py errors raised in the block as OMError subclasses, the cause kept.

    `model` and `index` only make the messages more precise.
    """
    try:
        yield
    except redis_errors.RedisError as exc:
        raise translate(exc, model, index) from exc


def translate(exc: redis_errors.RedisError, model: type | None = None, index: str | None = None) -> errors.OMError:
    """Return the OMError that stands for a redis-py error."""
    for exc_type, build in _TRANSLATIONS:
        if isinstance(exc, exc_type):
            return build(exc, model, index)
    return errors.ServerError(f"Redis command failed: {exc}")


def _authentication(exc: Exception, model: type | None, index: str | None) -> errors.OMError:
    return errors.AuthenticationError(
        "authentication failed: the server rejected the user name or password; "
        "check the credentials in the connection URL"
    )


def _permission(exc: Exception, model: type | None, index: str | None) -> errors.OMError:
    return errors.NoPermissionError(f"permission denied: {exc}; the ACL user needs that command and key pattern")


def _unavailable(exc: Exception, model: type | None, index: str | None) -> errors.OMError:
    text = str(exc)
    if "certificate" in text.lower() or "ssl" in text.lower():
        return errors.ServerUnavailableError(
            f"TLS connection to Redis failed: {text}; check the CA file (ssl_ca_certs), the client "
            "certificate and key (ssl_certfile, ssl_keyfile) and that the server name matches its certificate"
        )
    if isinstance(exc, redis_errors.TimeoutError):
        return errors.ServerUnavailableError(
            f"Redis server timed out: {text}; check that it runs and is not overloaded, "
            "or raise socket_timeout in the connection URL"
        )
    return errors.ServerUnavailableError(f"Redis server unavailable: {text}")


def _response(exc: Exception, model: type | None, index: str | None) -> errors.OMError:
    text = str(exc)
    lowered = text.lower()
    owner = f"{model.__name__}: " if model is not None else ""
    if "unknown command" in lowered and "'json." in lowered:
        return errors.ModuleMissingError(
            f"{owner}the server has no JSON module (RedisJSON), which JsonModel needs; "
            "use a server with it (Redis 8, Redis Stack, or `embedded://`)"
        )
    if "unknown command" in lowered and "'ft." in lowered:
        return errors.ModuleMissingError(
            f"{owner}the server has no Search module (RediSearch), so it has no search indexes; "
            "queries can still run on the scan engine (engine='scan', om find --engine scan)"
        )
    if any(marker in lowered for marker in MISSING_INDEX_MARKERS):
        name = f" {index!r}" if index else ""
        return errors.IndexMissingError(
            f"{owner}the search index{name} does not exist; run `om migrate` (or Migrator().run()) first"
        )
    if lowered.startswith("noperm") or "no permissions" in lowered:
        return _permission(exc, model, index)
    if "wrongpass" in lowered or "noauth" in lowered:
        return _authentication(exc, model, index)
    return errors.ServerError(f"{owner}Redis command failed: {text}")


_TRANSLATIONS = (
    (redis_errors.AuthenticationError, _authentication),
    (redis_errors.AuthenticationWrongNumberOfArgsError, _authentication),
    (redis_errors.NoPermissionError, _permission),
    (redis_errors.ConnectionError, _unavailable),
    (redis_errors.TimeoutError, _unavailable),
    (redis_errors.ResponseError, _response),
)
