"""Connection URLs and server capabilities, shared by the sync and async clients.

A URL comes from, first match wins: the `url` argument, the `REDIS_OM_URL` environment
variable (read at call time), then `redis://localhost:6379`. `embedded://PATH` starts, or
reuses, the local server of `redisom_cli.store.embedded` and connects to it.
`redis+cluster://HOST:PORT` (or `rediss+cluster://`) connects to a Redis Cluster through
any of its nodes.
"""

from __future__ import annotations

import dataclasses
import os
import urllib.parse
from typing import Any

DEFAULT_URL = "redis://localhost:6379"
URL_VARIABLE = "REDIS_OM_URL"


def resolve_url(url: str | None = None) -> str:
    """Return the URL to connect to: the argument, then REDIS_OM_URL, then the default."""
    return url or os.environ.get(URL_VARIABLE) or DEFAULT_URL


CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}


def prepare(url: str | None, kwargs: dict[str, Any]) -> tuple[str, dict[str, Any], bool]:
    """Return the redis-py URL, keyword arguments and cluster mode for a connection request.

    `decode_responses` defaults to True, as in Redis OM Python.
    """
    url = resolve_url(url)
    if url.startswith("embedded:"):
        from redisom_cli.store.embedded import ensure_embedded, parse_embedded_url

        url = ensure_embedded(parse_embedded_url(url))
    scheme, separator, rest = url.partition("://")
    cluster = scheme.lower() in CLUSTER_SCHEMES
    if cluster:
        url = CLUSTER_SCHEMES[scheme.lower()] + separator + rest
    options = {"decode_responses": True, **kwargs}
    return url, options, cluster


def redact_url(url: str) -> str:
    """Return `url` with any password replaced by `***`, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    netloc = f"{user}:***@{host}{port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


@dataclasses.dataclass(frozen=True)
class Capabilities:
    """The modules and mode of a server, probed once per client."""

    search: bool
    json: bool
    cluster: bool = False
    coordinator: bool = False

    @property
    def search_sees_all_keys(self) -> bool:
        """Whether FT.SEARCH covers every key: always on one server, only with a coordinator on a cluster."""
        return self.search and (not self.cluster or self.coordinator)


def capabilities_from_modules(reply: Any) -> Capabilities:
    """Read a MODULE LIST reply (a list of name/value lists or dicts)."""
    names = set()
    for entry in reply or []:
        if isinstance(entry, dict):
            names.add(str(entry.get("name", "")).lower())
        else:
            pairs = dict(zip(entry[::2], entry[1::2]))
            names.add(str(pairs.get("name", pairs.get(b"name", ""))).lower())
    return Capabilities(search="search" in names or "ft" in names, json="rejson" in names or "json" in names)


def capabilities_from_commands(reply: Any) -> Capabilities:
    """Read a COMMAND INFO FT.SEARCH JSON.GET reply: a missing command is None."""
    entries = list(reply.values()) if isinstance(reply, dict) else list(reply or [])
    present = [entry is not None and entry != [] for entry in entries]
    present += [False] * (2 - len(present))
    return Capabilities(search=present[0], json=present[1])
