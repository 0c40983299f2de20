"""Field specs: every leaf field of a model with its path, index attribute and field kind.

The schema builder, the query compiler and the scan engine read these specs, so that all
three agree on what a field is called in the index and how its values are compared.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import functools
import types
import typing
import uuid
from typing import Any

from pydantic import BaseModel

from redisom_cli.errors import ModelDefinitionError
from redisom_cli.model.fields import Coordinates, FieldKind, FieldOptions

NUMERIC_TYPES = (int, float, decimal.Decimal, datetime.datetime, datetime.date)
LIST_ORIGINS = (list, tuple, set, frozenset)


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One leaf field of a model, as the index and the query engines see it."""

    path: tuple[str, ...]
    attribute: str
    json_path: str | None
    kind: FieldKind | None
    annotation: Any
    is_list: bool
    in_model_list: bool
    optional: bool
    options: FieldOptions

    @property
    def name(self) -> str:
        """The dotted path, as queries write it: `address.city`."""
        return ".".join(self.path)

    @property
    def indexed(self) -> bool:
        """Whether the field has an index attribute."""
        return self.kind is not None and self.options.indexed

    @property
    def text_attribute(self) -> str | None:
        """The TEXT attribute added by `full_text_search=True`, if any."""
        return f"{self.attribute}_fts" if self.options.full_text_search else None

    @property
    def type_name(self) -> str:
        """A readable name of the field's type, for messages."""
        name = getattr(self.annotation, "__name__", None) or str(self.annotation)
        return f"list[{name}]" if self.is_list else name


@dataclasses.dataclass(frozen=True)
class TypeShape:
    """An annotation taken apart: the inner type, and whether it is Optional or a list."""

    inner: Any
    optional: bool
    is_list: bool


def shape_of(annotation: Any) -> TypeShape:
    """Strip Annotated, Optional and one level of list from an annotation.

    Results are cached, because callers such as `om import` ask once per value.
    """
    try:
        return _cached_shape(annotation)
    except TypeError:  # an unhashable annotation, such as Annotated with a dict in its metadata
        return _shape(annotation)


def _shape(annotation: Any) -> TypeShape:
    annotation = _strip_annotated(annotation)
    optional = False
    if _is_union(annotation):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        annotation = _strip_annotated(members[0]) if len(members) == 1 else annotation
    if typing.get_origin(annotation) in LIST_ORIGINS:
        arguments = typing.get_args(annotation)
        inner = _strip_annotated(arguments[0]) if arguments else Any
        return TypeShape(inner, optional, True)
    return TypeShape(annotation, optional, False)


_cached_shape = functools.lru_cache(maxsize=1024)(_shape)


def _strip_annotated(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def is_embedded_model(annotation: Any) -> bool:
    """Return whether the annotation is a pydantic model stored inside its parent."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def kind_of(inner: Any, options: FieldOptions, is_list: bool) -> FieldKind | None:
    """Return the index kind of a type, or None if RediSearch cannot index it."""
    if options.vector_options is not None:
        return FieldKind.VECTOR
    if inner is bool:
        return FieldKind.TAG
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        values = [member.value for member in inner]
        numeric = values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        return FieldKind.NUMERIC if numeric else FieldKind.TAG
    if isinstance(inner, type) and issubclass(inner, NUMERIC_TYPES):
        return FieldKind.NUMERIC
    if inner is Coordinates:
        return FieldKind.GEO
    if typing.get_origin(inner) is typing.Literal:
        return FieldKind.TAG
    if isinstance(inner, type) and issubclass(inner, (str, uuid.UUID)):
        return FieldKind.TAG
    if getattr(inner, "__name__", "") in ("EmailStr", "NameEmail"):
        return FieldKind.TAG
    return None


def build_specs(model: type[BaseModel], json: bool) -> list[FieldSpec]:
    """Return the specs of every leaf field of `model`, embedded models flattened for JSON.

    Raises ModelDefinitionError for a field marked indexed whose type cannot be indexed, and
    for two fields whose index attribute names collide.
    """
    specs: list[FieldSpec] = []
    _collect(model, (), (), False, json, specs)
    _check_collisions(model, specs)
    return specs


def _collect(model: type[BaseModel], path: tuple[str, ...], json_parts: tuple[str, ...],
             in_model_list: bool, json: bool, out: list[FieldSpec]) -> None:
    all_options = getattr(model, "__om_options__", {})
    for name, info in model.model_fields.items():
        options = all_options.get(name) or FieldOptions()
        shape = shape_of(info.annotation)
        field_path = (*path, name)
        if json and is_embedded_model(shape.inner):
            suffix = f"{name}[*]" if shape.is_list else name
            _collect(shape.inner, field_path, (*json_parts, suffix), in_model_list or shape.is_list, json, out)
            continue
        out.append(_leaf_spec(model, field_path, (*json_parts, name), shape, options, in_model_list, json))


def _leaf_spec(model: type, path: tuple[str, ...], json_parts: tuple[str, ...], shape: TypeShape,
               options: FieldOptions, in_model_list: bool, json: bool) -> FieldSpec:
    kind = kind_of(shape.inner, options, shape.is_list)
    if shape.is_list and kind is FieldKind.GEO:
        kind = None
    if options.indexed and kind is None:
        raise ModelDefinitionError(
            f"{model.__name__}.{path[-1]}: a field of type {shape.inner!r} cannot be indexed; "
            "remove index=True or use str, a number, bool, an Enum, a date, Coordinates or a list of str"
        )
    if options.indexed:
        _check_options(model, path, kind, shape.inner, options)
    json_path = None
    if json:
        json_path = "$." + ".".join(json_parts)
        if shape.is_list and kind in (FieldKind.TAG, FieldKind.NUMERIC):
            json_path += "[*]"
    return FieldSpec(
        path=path,
        attribute="_".join(path),
        json_path=json_path,
        kind=kind,
        annotation=shape.inner,
        is_list=shape.is_list,
        in_model_list=in_model_list,
        optional=shape.optional,
        options=options,
    )


def _check_options(model: type, path: tuple[str, ...], kind: FieldKind, inner: Any, options: FieldOptions) -> None:
    """Raise ModelDefinitionError for an index option that does not apply to the field's kind.

    Redis OM Python ignores some of these options and builds a schema that the server
    rejects for others. Both surprise the user later, so they fail when the class is defined.
    """
    is_tag = kind is FieldKind.TAG
    problems = {
        "full_text_search=True needs a str field": options.full_text_search and (not is_tag or inner is bool),
        "case_sensitive=True applies to TAG fields (str, Enum, UUID, bool)": options.case_sensitive and not is_tag,
        "sortable=True does not apply to a vector field": options.sortable and kind is FieldKind.VECTOR,
        f"separator must be one character other than a space, not {options.separator!r}":
            is_tag and (len(options.separator) != 1 or options.separator.isspace()),
    }
    for problem, found in problems.items():
        if found:
            raise ModelDefinitionError(f"{model.__name__}.{path[-1]}: {problem}")


def _check_collisions(model: type, specs: list[FieldSpec]) -> None:
    seen: dict[str, FieldSpec] = {}
    for spec in specs:
        if not spec.indexed:
            continue
        for attribute in filter(None, (spec.attribute, spec.text_attribute)):
            other = seen.get(attribute)
            if other is not None and other.path != spec.path:
                raise ModelDefinitionError(
                    f"{model.__name__}: fields {other.name!r} and {spec.name!r} both map to the index "
                    f"attribute {attribute!r}; rename one of them"
                )
            seen[attribute] = spec
