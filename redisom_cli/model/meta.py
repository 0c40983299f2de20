"""Resolution of a model's `Meta` options and the key layout derived from them.

The rules follow Redis OM Python 1.x so that both libraries read and write the same keys.
A subclass inherits its parent's options, but its model key prefix and index name are
computed again from its own module and name unless its own `Meta` sets them. The resolved
options class derives from the parent's, so `Parent.Meta.database = client` assigned at run
time is seen by every subclass that does not set its own database.
"""

from __future__ import annotations

import functools
from typing import Any

KEY_SEPARATOR = ":"


class UlidPrimaryKey:
    """The default primary key creator: a ULID made locally, with no round trip."""

    @staticmethod
    def create_pk(*args: Any, **kwargs: Any) -> str:
        """Return a new 26-character ULID string."""
        # Imported here: python-ulid reads its package metadata on import, which commands
        # that create no records (om get, om find) need not pay for.
        from ulid import ULID

        return str(ULID())


class DefaultMeta:
    """The options a model has when neither it nor its parents set them."""

    global_key_prefix: str = ""
    model_key_prefix: str | None = None
    primary_key_pattern: str = "{pk}"
    database: Any = None
    primary_key_creator_cls: type = UlidPrimaryKey
    index_name: str | None = None
    embedded: bool = False
    encoding: str = "utf-8"


def resolve_meta(model: type, own_meta: type | None, parent_meta: type | None) -> type:
    """Build the options class of `model` from its own `Meta` and its parent's options."""
    base = parent_meta or DefaultMeta
    bases = (own_meta, base) if own_meta is not None and own_meta is not base else (base,)
    own = dict(vars(own_meta)) if own_meta is not None and own_meta is not base else {}

    overrides: dict[str, Any] = {"__module__": model.__module__}
    if not own.get("model_key_prefix"):
        overrides["model_key_prefix"] = f"{model.__module__}.{model.__name__}"
    if not own.get("index_name"):
        global_prefix = own.get("global_key_prefix", getattr(base, "global_key_prefix", ""))
        model_prefix = own.get("model_key_prefix") or overrides["model_key_prefix"]
        overrides["index_name"] = f"{global_prefix or ''}:{model_prefix}:index"
    return type(f"{model.__name__}Meta", bases, overrides)


def key_prefix(meta: type) -> str:
    """Return the prefix shared by every record key of a model, ending with ':'."""
    return _joined_prefix(meta.global_key_prefix, meta.model_key_prefix)


# Keyed by the option values rather than the Meta class, so that options assigned at run
# time take effect at once.
@functools.lru_cache(maxsize=256)
def _joined_prefix(global_prefix: str | None, model_prefix: str | None) -> str:
    global_part = (global_prefix or "").strip(KEY_SEPARATOR)
    model_part = (model_prefix or "").strip(KEY_SEPARATOR)
    return f"{global_part}:{model_part}:"


def record_key(meta: type, pk: Any) -> str:
    """Return the key of the record whose primary key is `pk`."""
    pattern = meta.primary_key_pattern
    if pattern == "{pk}":
        # The same text as str.format gives, without parsing the pattern on every call.
        return f"{key_prefix(meta)}{pk}"
    return key_prefix(meta) + pattern.format(pk=pk)


def pk_from_key(meta: type, key: str) -> str | None:
    """Return the primary key stored under `key`, or None if the key is not a record key."""
    prefix = key_prefix(meta)
    if not key.startswith(prefix):
        return None
    rest = key[len(prefix):]
    if meta.primary_key_pattern == "{pk}":  # the default pattern: scans call this once per key
        return rest or None
    head, _, tail = meta.primary_key_pattern.partition("{pk}")
    if not rest.startswith(head) or not rest.endswith(tail) or len(rest) <= len(head) + len(tail):
        return None
    return rest[len(head):len(rest) - len(tail)]


def scan_pattern(meta: type) -> str:
    """Return a SCAN MATCH pattern for the record keys, glob characters escaped."""
    head, _, tail = meta.primary_key_pattern.partition("{pk}")
    return escape_glob(key_prefix(meta) + head) + "*" + escape_glob(tail)


def escape_glob(text: str) -> str:
    """Escape the characters that Redis glob patterns treat specially."""
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)
