"""The pure half of the Migrator: which models it covers, and what each index needs.

The I/O half (`redisom_cli.store.aio.index` and its generated sync twin) reads each
index's state from the server, calls `decide` and applies the resulting actions. The
decision compares schema fingerprints as Redis OM Python's Migrator does: no index means
create, a different fingerprint means drop and create again (the records are kept), and
an equal fingerprint means nothing to do.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from typing import Any

from redisom_cli.index.schema import IndexSchema, parse_schema_text, schema_header


class ActionKind(str, enum.Enum):
    """The kind of change the Migrator makes to one model's index."""

    CREATE = "create"
    RECREATE = "recreate"
    UNCHANGED = "unchanged"
    SKIP = "skip"


@dataclasses.dataclass(frozen=True)
class IndexState:
    """The server's state for one index name: whether it exists, and its recorded schema.

    `fingerprint` and `schema_text` are the values of `<index>:hash` and `<index>:schema`,
    or None when those keys are absent.
    """

    exists: bool
    fingerprint: str | None = None
    schema_text: str | None = None


@dataclasses.dataclass(frozen=True)
class SchemaDiff:
    """The differences between a new schema and the recorded one, by attribute name.

    `definition_changed` is true when the key type or the key prefix changed.
    """

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    definition_changed: bool = False

    def describe(self) -> str:
        """Return the differences as one line, such as `added: age; changed: name`."""
        parts = [f"{label}: {', '.join(names)}" for label, names in
                 (("added", self.added), ("removed", self.removed), ("changed", self.changed)) if names]
        if self.definition_changed:
            parts.append("key type or prefix changed")
        return "; ".join(parts) or "schema text changed"


# The reason the Migrator creates no index on an open-source Redis Cluster without a coordinator.
SHARDED_SEARCH_REASON = (
    "this Redis Cluster's Search module has no coordinator, so an index would cover the keys of "
    "one shard only; queries scan every primary instead"
)


@dataclasses.dataclass(frozen=True)
class IndexAction:
    """One step of a migration plan: a model, what happens to its index, and why.

    `diff` is set for RECREATE when the server recorded the old schema text, and is None
    when it did not (an index created by another tool, for example).
    """

    model: Any
    kind: ActionKind
    schema: IndexSchema
    diff: SchemaDiff | None = None
    requested: bool = False

    @property
    def index_name(self) -> str:
        """The name of the index this action is about."""
        return self.schema.index_name

    @property
    def model_name(self) -> str:
        """The model's dotted name, `module.ClassName`."""
        return f"{self.model.__module__}.{self.model.__qualname__}"

    def describe(self) -> str:
        """Return one line for logs and for `om migrate`: `recreate <index> for <model> (added: age)`."""
        text = f"{self.kind.value} {self.index_name} for {self.model_name}"
        if self.kind is ActionKind.RECREATE:
            if self.requested:
                detail = "rebuild requested"
            else:
                detail = self.diff.describe() if self.diff else "no recorded schema to compare with"
            text += f" ({detail})"
        if self.kind is ActionKind.SKIP:
            text += f" ({SHARDED_SEARCH_REASON})"
        return text


def decide(model: Any, schema: IndexSchema, state: IndexState) -> IndexAction:
    """Return the action that brings the server's index of `model` to `schema`."""
    if not state.exists:
        return IndexAction(model, ActionKind.CREATE, schema)
    if state.fingerprint == schema.fingerprint:
        return IndexAction(model, ActionKind.UNCHANGED, schema)
    diff = diff_schemas(state.schema_text, schema.text) if state.schema_text else None
    return IndexAction(model, ActionKind.RECREATE, schema, diff)


def diff_schemas(old_text: str, new_text: str) -> SchemaDiff:
    """Compare two schema texts attribute by attribute."""
    old = parse_schema_text(old_text)
    new = parse_schema_text(new_text)
    return SchemaDiff(
        added=tuple(name for name in new if name not in old),
        removed=tuple(name for name in old if name not in new),
        changed=tuple(name for name in new if name in old and old[name] != new[name]),
        definition_changed=schema_header(old_text) != schema_header(new_text),
    )


def select_models(models: Iterable[Any] | None, registry: Mapping[str, Any]) -> list[Any]:
    """Return the models that have a search index, in order and without repeats.

    With `models` None, every registered model is a candidate. Models that are not
    indexed, abstract or embedded are skipped without a message, because a registry
    or a module usually contains some of each.
    """
    candidates = registry.values() if models is None else models
    selected: list[Any] = []
    for model in candidates:
        if model in selected or not _has_index(model):
            continue
        selected.append(model)
    return selected


def _has_index(model: Any) -> bool:
    is_indexed = getattr(model, "is_indexed", None)
    return callable(is_indexed) and bool(is_indexed()) and hasattr(model, "__om_storage__")


@dataclasses.dataclass(frozen=True)
class IndexInfo:
    """A summary of FT.INFO for one index.

    `attributes` maps each attribute name to its kind. `percent_indexed` runs from 0.0
    to 1.0 while the server indexes the records that existed when the index was created.
    """

    name: str
    documents: int
    indexing_failures: int
    attributes: dict[str, str]
    indexing: bool
    percent_indexed: float
    last_error: str | None = None


def parse_index_info(name: str, reply: Mapping[Any, Any]) -> IndexInfo:
    """Build an IndexInfo from the FT.INFO reply as redis-py returns it (`client.ft(name).info()`).

    Accepts both str and bytes keys and values, as clients with and without
    `decode_responses` return them.
    """
    info = {_text(key): value for key, value in reply.items()}
    errors = {_text(key): value for key, value in (info.get("Index Errors") or {}).items()}
    last_error = _text(errors.get("last indexing error", "N/A"))
    return IndexInfo(
        name=name,
        documents=int(float(_text(info.get("num_docs", 0)))),
        indexing_failures=int(float(_text(info.get("hash_indexing_failures", 0)))),
        attributes=dict(_attribute_kinds(info.get("attributes") or [])),
        indexing=bool(int(float(_text(info.get("indexing", 0))))),
        percent_indexed=float(_text(info.get("percent_indexed", 1.0))),
        last_error=None if last_error == "N/A" else last_error,
    )


def _attribute_kinds(attributes: Iterable[Any]) -> Iterable[tuple[str, str]]:
    for attribute in attributes:
        if isinstance(attribute, Mapping):
            fields = {_text(key): _text(value) for key, value in attribute.items()}
        else:
            # identifier, attribute and type come first as pairs; flags without values follow.
            items = [_text(item) for item in attribute][:6]
            fields = dict(zip(items[::2], items[1::2]))
        yield fields.get("attribute", fields.get("identifier", "")), fields.get("type", "")


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
