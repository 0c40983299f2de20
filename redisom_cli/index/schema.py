"""A model's search index schema: the FT.CREATE arguments and the schema fingerprint.

The schema text is the FT.CREATE command after the index name, joined by single spaces.
It is built the way Redis OM Python 1.2 builds it (`redisearch_schema()`), so both libraries
compute the same fingerprint for the same model and neither recreates the other's index.
The fingerprint is the SHA-1 hex digest of that text. It is kept in `<index name>:hash`
and the text in `<index name>:schema`, the keys that Redis OM Python's Migrator uses.

Where Redis OM Python builds a schema that the server rejects or that indexes a field
wrongly, this module builds a different one. docs/index-schema.md lists every difference.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from redisom_cli.model.fields import FieldKind
from redisom_cli.model.specs import FieldSpec, is_embedded_model, shape_of

HASH = "HASH"
JSON = "JSON"
INDEX_MISSING = "INDEXMISSING"

# The keywords that end an attribute's name and start its definition, as FT.CREATE has them.
_KINDS = frozenset(kind.value for kind in FieldKind) | {"GEOSHAPE"}
# FT.CREATE options that take one value, which must not be read as an attribute name.
_OPTIONS_WITH_VALUE = frozenset({"SEPARATOR", "WEIGHT", "PHONETIC"})


def schema_hash_key(index_name: str) -> str:
    """Return the key that stores the fingerprint of an index's schema."""
    return f"{index_name}:hash"


def schema_text_key(index_name: str) -> str:
    """Return the key that stores the schema text an index was created with."""
    return f"{index_name}:schema"


def fingerprint(schema_text: str) -> str:
    """Return the SHA-1 hex digest of a schema text, as Redis OM Python computes it."""
    return hashlib.sha1(schema_text.encode("utf-8")).hexdigest()  # noqa: S324 - a fingerprint, not a secret


@dataclasses.dataclass(frozen=True)
class Attribute:
    """One attribute of a search index: what it reads, its name and its definition.

    `identifier` is a hash field name or a JSON path. `options` are the FT.CREATE
    arguments after the kind, such as `("SEPARATOR", "|", "SORTABLE")`.
    """

    identifier: str
    name: str
    kind: str
    options: tuple[str, ...] = ()

    @property
    def arguments(self) -> list[str]:
        """The FT.CREATE arguments of this attribute."""
        head = [self.identifier] if self.identifier == self.name else [self.identifier, "AS", self.name]
        return [*head, self.kind, *self.options]

    @property
    def definition(self) -> str:
        """The attribute as schema text, such as `$.age AS age NUMERIC SORTABLE`."""
        return " ".join(self.arguments)


@dataclasses.dataclass(frozen=True)
class IndexSchema:
    """The search index of one model: its name, what it covers and its attributes.

    `groups` contains one tuple of attributes per model field that Redis OM Python writes a
    schema part for. A JSON model has one group for every top-level field, empty for
    fields that are not indexed, because Redis OM Python joins those empty parts into its
    schema text too and the fingerprint has to match.
    """

    index_name: str
    storage: str
    prefix: str
    groups: tuple[tuple[Attribute, ...], ...]

    @property
    def attributes(self) -> tuple[Attribute, ...]:
        """Every attribute of the index, in schema order."""
        return tuple(attribute for group in self.groups for attribute in group)

    @property
    def arguments(self) -> list[str]:
        """The FT.CREATE arguments after the index name."""
        arguments = ["ON", self.storage, "PREFIX", "1", self.prefix, "SCHEMA"]
        for attribute in self.attributes:
            arguments.extend(attribute.arguments)
        return arguments

    @property
    def create_command(self) -> list[str]:
        """The whole FT.CREATE command, ready for `execute_command(*command)`."""
        return ["FT.CREATE", self.index_name, *self.arguments]

    @property
    def text(self) -> str:
        """The schema text whose SHA-1 digest is the fingerprint."""
        parts = [" ".join(attribute.definition for attribute in group) for group in self.groups]
        return " ".join(["ON", self.storage, "PREFIX", "1", self.prefix, "SCHEMA", *parts])

    @property
    def fingerprint(self) -> str:
        """The SHA-1 hex digest of the schema text."""
        return fingerprint(self.text)


def schema_for(model: Any, index_missing: bool = True) -> IndexSchema:
    """Build the search index schema of a HashModel or JsonModel class.

    With `index_missing`, attributes of fields that may be absent (Optional fields, and
    fields inside an Optional embedded model) get INDEXMISSING, so that queries can find
    records without a value. Servers before RediSearch 2.10 reject that option.
    """
    storage = JSON if model.__om_storage__ == "json" else HASH
    prefix = model.make_key(model._meta.primary_key_pattern.format(pk=""))
    builder = _AttributeBuilder(model, storage, index_missing)
    groups = [tuple(builder.attributes_of(spec) for spec in group) for group in _spec_groups(model, storage)]
    flat_groups = tuple(tuple(attribute for attributes in group for attribute in attributes) for group in groups)
    if storage == HASH:
        flat_groups = tuple(group for group in flat_groups if group)
    return IndexSchema(model.index_name(), storage, prefix, flat_groups)


def _spec_groups(model: Any, storage: str) -> list[list[FieldSpec]]:
    """Group the indexed specs by top-level field, one group for every field."""
    groups: dict[str, list[FieldSpec]] = {name: [] for name in model.model_fields}
    for spec in model.specs():
        if spec.indexed:
            groups[spec.path[0]].append(spec)
    return list(groups.values())


class _AttributeBuilder:
    """Turns the field specs of one model into index attributes."""

    def __init__(self, model: Any, storage: str, index_missing: bool) -> None:
        self.model = model
        self.storage = storage
        self.index_missing = index_missing

    def attributes_of(self, spec: FieldSpec) -> tuple[Attribute, ...]:
        """Return the attributes of one indexed field: one, or two with full-text search."""
        identifier = spec.json_path if self.storage == JSON else spec.attribute
        if self._is_plain_primary_key(spec):
            return (Attribute(identifier, spec.attribute, "TAG", ("SEPARATOR", spec.options.separator)),)

        missing = (INDEX_MISSING,) if self.index_missing and self._may_be_missing(spec) else ()
        sortable = ("SORTABLE",) if spec.options.sortable and spec.kind is not FieldKind.VECTOR else ()
        if spec.kind is FieldKind.TAG and spec.text_attribute:
            # As in Redis OM Python, SORTABLE goes to the TEXT attribute only.
            tag = Attribute(identifier, spec.attribute, "TAG", (*_tag_options(spec), *missing))
            text = Attribute(identifier, spec.text_attribute, "TEXT", (*missing, *sortable))
            return tag, text
        return (Attribute(identifier, spec.attribute, spec.kind.value, (*_kind_options(spec), *missing, *sortable)),)

    def _is_plain_primary_key(self, spec: FieldSpec) -> bool:
        # Redis OM Python writes a str primary key as a bare TAG, ignoring its other options.
        is_str = isinstance(spec.annotation, type) and issubclass(spec.annotation, str)
        return spec.options.primary_key and len(spec.path) == 1 and is_str

    def _may_be_missing(self, spec: FieldSpec) -> bool:
        """Return whether a record can lack this field because it, or a model it is in, is Optional."""
        if spec.options.primary_key:
            return False
        model: Any = self.model
        for name in spec.path:
            info = getattr(model, "model_fields", {}).get(name)
            if info is None:
                return spec.optional
            shape = shape_of(info.annotation)
            if shape.optional:
                return True
            model = shape.inner if is_embedded_model(shape.inner) else None
        return False


def _kind_options(spec: FieldSpec) -> tuple[str, ...]:
    if spec.kind is FieldKind.TAG:
        return _tag_options(spec)
    if spec.kind is FieldKind.VECTOR:
        return tuple(spec.options.vector_options.schema.split()[1:])
    return ()


def _tag_options(spec: FieldSpec) -> tuple[str, ...]:
    """Return SEPARATOR and CASESENSITIVE for a TAG attribute.

    A bool has no SEPARATOR, as in Redis OM Python. CASESENSITIVE comes before SORTABLE
    because RediSearch 2.10 rejects it after SORTABLE.
    """
    options: tuple[str, ...] = () if spec.annotation is bool else ("SEPARATOR", spec.options.separator)
    if spec.options.case_sensitive:
        options += ("CASESENSITIVE",)
    return options


def parse_schema_text(text: str) -> dict[str, str]:
    """Split schema text into its attributes: attribute name to definition text.

    Reads the text after SCHEMA, as `IndexSchema.text` writes it and as Redis OM Python
    stores it, so that two schemas can be compared attribute by attribute.
    """
    tokens = text.split()
    if "SCHEMA" in tokens:
        tokens = tokens[tokens.index("SCHEMA") + 1:]
    attributes: dict[str, str] = {}
    for chunk in _split_attributes(tokens):
        name = chunk[2] if len(chunk) > 2 and chunk[1] == "AS" else chunk[0]
        attributes[name] = " ".join(chunk)
    return attributes


def schema_header(text: str) -> str:
    """Return the part of schema text before SCHEMA: the key type and the key prefix."""
    head, _, _ = text.partition(" SCHEMA")
    return head


def _split_attributes(tokens: Sequence[str]) -> Iterable[list[str]]:
    chunk: list[str] = []
    index = 0
    while index < len(tokens):
        if _starts_attribute(tokens, index, chunk):
            yield chunk
            chunk = []
        width = _option_width(tokens, index, chunk)
        chunk.extend(tokens[index:index + width])
        index += width
    if chunk:
        yield chunk


def _starts_attribute(tokens: Sequence[str], index: int, chunk: list[str]) -> bool:
    """Return whether `tokens[index]` starts a new attribute, being followed by AS or by a kind."""
    if not chunk or chunk[-1] == "AS":
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return following == "AS" or following in _KINDS


def _option_width(tokens: Sequence[str], index: int, chunk: list[str]) -> int:
    """Return how many tokens from `index` on belong to one option of the current attribute."""
    if tokens[index] in _OPTIONS_WITH_VALUE:
        return 2
    if chunk and chunk[-1] == "VECTOR":
        # VECTOR <algorithm> <count> <count parameter tokens>
        count = tokens[index + 1] if index + 1 < len(tokens) else "0"
        return 2 + (int(count) if count.isdigit() else 0)
    return 1
