"""Binding: resolve an expression tree against a model and convert every value.

`bind(model, expression)` returns a tree of the same And/Or/Not/All nodes whose leaves are
the conditions below, with values already in their stored form. Both engines read only
this bound tree, so a value is converted once, by the field's own type, before anything is
sent, and a bad field, operator or value fails the same way on every server.

Operators are normalized on the way: `!=` and `not in` become Not, `<`/`between` become a
NumericRange, `== None` becomes Not(Presence).
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import enum
import functools
import math
import re
from collections.abc import Callable
from typing import Any

import pydantic

from redisom_cli.errors import QueryError, QuerySyntaxError
from redisom_cli.model.codecs import scalar_to_hash, scalar_to_json
from redisom_cli.model.fields import FieldKind
from redisom_cli.model.specs import FieldSpec
from redisom_cli.query.expressions import All, And, Expression, GeoFilter, Not, Op, Or, Predicate
from redisom_cli.query.syntax import Word

UTC = datetime.timezone.utc
ASCII_WHITESPACE = " \t\n\r\v\f"
# RediSearch rejects prefix, suffix and infix TAG queries shorter than MINPREFIX (default 2).
MIN_PATTERN_LENGTH = 2
# Characters on which RediSearch's default tokenizer splits full-text values.
TEXT_SEPARATORS = frozenset(",.<>{}[]\"':;!@#$%^&*()-+=~ \t\n\r\v\f")
RELATIVE_TIME = re.compile(r"^now(?:\s*([+-])\s*(\d+(?:\.\d+)?)\s*([smhdw]))?$", re.IGNORECASE)
TIME_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}

OPERATORS_BY_KIND: dict[FieldKind, tuple[Op, ...]] = {
    FieldKind.TAG: (Op.EQ, Op.NE, Op.IN, Op.NOT_IN, Op.STARTSWITH, Op.ENDSWITH, Op.CONTAINS, Op.EXISTS, Op.MISSING),
    FieldKind.NUMERIC: (Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.IN, Op.NOT_IN, Op.BETWEEN, Op.EXISTS, Op.MISSING),
    FieldKind.GEO: (Op.WITHIN, Op.EXISTS, Op.MISSING),
    FieldKind.TEXT: (Op.MATCH, Op.EXISTS, Op.MISSING),
    FieldKind.VECTOR: (),
}


# --- Bound conditions ----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class TagMatch:
    """A TAG field contains every tag of at least one group.

    A value that contains the field's separator is stored as several tags, so it becomes
    a group of several tags. Tags are the stored text with surrounding whitespace removed,
    as RediSearch indexes them.
    """

    spec: FieldSpec
    groups: tuple[tuple[str, ...], ...]


@dataclasses.dataclass(frozen=True)
class TagPattern:
    """A TAG field contains a tag that starts with, ends with or contains `text`."""

    spec: FieldSpec
    position: str  # "prefix", "suffix" or "infix"
    text: str


@dataclasses.dataclass(frozen=True)
class NumericRange:
    """A NUMERIC field contains a value between `low` and `high`."""

    spec: FieldSpec
    low: float
    high: float
    low_exclusive: bool = False
    high_exclusive: bool = False


@dataclasses.dataclass(frozen=True)
class GeoRadius:
    """A GEO field contains a point inside `area`."""

    spec: FieldSpec
    area: GeoFilter


@dataclasses.dataclass(frozen=True)
class TextMatch:
    """The full-text attribute of a field contains every word."""

    spec: FieldSpec
    words: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Presence:
    """The field has a value (wrap it in Not for `missing`)."""

    spec: FieldSpec


Condition = TagMatch | TagPattern | NumericRange | GeoRadius | TextMatch | Presence


# --- Entry points --------------------------------------------------------------------------


def bind(model: type, expression: Expression, now: datetime.datetime | None = None) -> Any:
    """Resolve `expression` against `model` and convert its values; raise QueryError if invalid.

    `now` fixes the time that relative values such as `now-7d` count from.
    """
    binder = _Binder(model, now or datetime.datetime.now(UTC))
    return binder.node(expression)


def resolve_field(model: type, path: tuple[str, ...] | str, purpose: str = "query") -> FieldSpec:
    """Return the spec of the field at `path`; raise QueryError naming close matches if unknown."""
    if isinstance(path, str):
        path = tuple(part for part in re.split(r"\.|__", path) if part)
    specs = {spec.path: spec for spec in model.specs()}
    spec = specs.get(tuple(path))
    if spec is not None:
        return spec
    dotted = ".".join(path)
    names = [spec.name for spec in specs.values()]
    message = f"cannot {purpose} {model.__name__} by {dotted!r}: the model has no such field"
    suggestion = closest_name(dotted, names)
    if suggestion:
        message += f"; did you mean {suggestion!r}?"
    raise QueryError(message)


def closest_name(name: str, names: list[str]) -> str | None:
    """Return the known name closest to `name`, ignoring case, or None if none is close."""
    by_lower = {candidate.lower(): candidate for candidate in names}
    close = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[close[0]] if close else None


def describe(spec: FieldSpec) -> str:
    """Return "'age' (int, NUMERIC)", the way messages name a field."""
    kind = spec.kind.value if spec.kind is not None else "not indexable"
    return f"{spec.name!r} ({spec.type_name}, {kind})"


# --- The binder ------------------------------------------------------------------------------


class _Binder:
    def __init__(self, model: type, now: datetime.datetime) -> None:
        self.model = model
        self.storage = getattr(model, "__om_storage__", "hash")
        self.now = now

    def node(self, expression: Any) -> Any:
        if isinstance(expression, Predicate):
            return self.predicate(expression)
        if isinstance(expression, (And, Or)):
            return type(expression)(tuple(self.node(child) for child in expression.children))
        if isinstance(expression, Not):
            return Not(self.node(expression.child))
        if isinstance(expression, All):
            return expression
        raise QueryError(f"expected a query expression such as Model.field == value, not {expression!r}")

    def predicate(self, predicate: Predicate) -> Any:
        spec = self.field(predicate)
        kind = self.kind_for(spec, predicate)
        if predicate.op not in OPERATORS_BY_KIND[kind]:
            raise self.failure(predicate, _operator_message(spec, kind, predicate.op), at_value=False)
        handler = _HANDLERS[predicate.op]
        return handler(self, spec, predicate)

    def field(self, predicate: Predicate) -> FieldSpec:
        try:
            spec = resolve_field(self.model, predicate.path)
        except QueryError as error:
            raise self.failure(predicate, str(error), at_value=False) from None
        if not spec.indexed:
            message = (
                f"cannot query {self.model.__name__} by {describe(spec)}: the field is not indexed; "
                "declare it with Field(index=True) and run the migration (om migrate)"
            )
            raise self.failure(predicate, message, at_value=False)
        return spec

    def kind_for(self, spec: FieldSpec, predicate: Predicate) -> FieldKind:
        if predicate.op is Op.MATCH:
            if spec.text_attribute is None:
                message = (
                    f"cannot run a full-text search on {describe(spec)}: the field is not indexed for "
                    "full-text search; declare it with Field(full_text_search=True) and run the migration"
                )
                raise self.failure(predicate, message, at_value=False)
            return FieldKind.TEXT
        assert spec.kind is not None
        return spec.kind

    def failure(self, predicate: Predicate, message: str, at_value: bool = True) -> QueryError:
        span = predicate.span
        if span is None:
            return QueryError(message)
        column, length = span.value if at_value and span.value else span.field
        return QuerySyntaxError(message, span.text, column, length)

    # --- values ----------------------------------------------------------------------------

    def convert(self, spec: FieldSpec, predicate: Predicate, value: Any) -> Any:
        """Validate `value` with the field's type and return its Python value."""
        try:
            return self._convert(spec, value)
        except (ValueError, TypeError, pydantic.ValidationError) as error:
            reason = _reason(error)
            message = f"invalid value {value!r} for {describe(spec)}: {reason}"
            raise self.failure(predicate, message) from None

    def _convert(self, spec: FieldSpec, value: Any) -> Any:
        annotation = spec.annotation
        if isinstance(value, Word) and annotation in (datetime.datetime, datetime.date):
            relative = self.relative_time(value)
            if relative is not None:
                value = relative
        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return _convert_enum(annotation, value)
        if isinstance(value, datetime.datetime) and annotation is datetime.date:
            return value.astimezone(UTC).date() if value.tzinfo else value.date()
        return _adapter(annotation).validate_python(value)

    def relative_time(self, word: str) -> datetime.datetime | None:
        match = RELATIVE_TIME.match(word.strip())
        if match is None:
            return None
        sign, amount, unit = match.groups()
        if sign is None:
            return self.now
        delta = datetime.timedelta(**{TIME_UNITS[unit.lower()]: float(amount)})
        return self.now - delta if sign == "-" else self.now + delta

    def tag_text(self, spec: FieldSpec, predicate: Predicate, value: Any) -> str:
        converted = self.convert(spec, predicate, value)
        if self.storage == "json":
            stored = scalar_to_json(converted)
            if isinstance(stored, bool):
                return "true" if stored else "false"
            return str(stored)
        return scalar_to_hash(converted)

    def tags(self, spec: FieldSpec, predicate: Predicate, value: Any) -> tuple[str, ...]:
        tags = split_tags(self.tag_text(spec, predicate, value), spec.options.separator)
        if not tags:
            message = (
                f"cannot search {describe(spec)} for {value!r}: RediSearch does not index empty TAG values; "
                "use 'missing' to find records without a value"
            )
            raise self.failure(predicate, message)
        return tags

    def number(self, spec: FieldSpec, predicate: Predicate, value: Any) -> float:
        stored = scalar_to_json(self.convert(spec, predicate, value))
        number = float(stored)
        if math.isnan(number):
            raise self.failure(predicate, f"invalid value {value!r} for {describe(spec)}: NaN matches nothing")
        return number


# --- Operator handlers ------------------------------------------------------------------------

Handler = Callable[[_Binder, FieldSpec, Predicate], Any]


def _tag_equal(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    return TagMatch(spec, (binder.tags(spec, predicate, predicate.value),))


def _tag_in(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    values = _values(binder, predicate)
    return TagMatch(spec, tuple(binder.tags(spec, predicate, value) for value in values))


def _numeric_equal(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    number = binder.number(spec, predicate, predicate.value)
    return NumericRange(spec, number, number)


def _numeric_in(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    values = _values(binder, predicate)
    numbers = [binder.number(spec, predicate, value) for value in values]
    ranges = tuple(NumericRange(spec, number, number) for number in dict.fromkeys(numbers))
    return ranges[0] if len(ranges) == 1 else Or(ranges)


def _equal(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    handler = _numeric_equal if spec.kind is FieldKind.NUMERIC else _tag_equal
    return handler(binder, spec, predicate)


def _in(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    handler = _numeric_in if spec.kind is FieldKind.NUMERIC else _tag_in
    return handler(binder, spec, predicate)


def _not_equal(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    return Not(_equal(binder, spec, predicate))


def _not_in(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    return Not(_in(binder, spec, predicate))


def _comparison(low_side: bool, exclusive: bool) -> Handler:
    def handler(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
        number = binder.number(spec, predicate, predicate.value)
        if low_side:
            return NumericRange(spec, number, math.inf, low_exclusive=exclusive)
        return NumericRange(spec, -math.inf, number, high_exclusive=exclusive)

    return handler


def _between(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    value = predicate.value
    if not isinstance(value, tuple) or len(value) != 2:
        raise binder.failure(predicate, f"'between' on {describe(spec)} takes (low, high), not {value!r}")
    low, high = value
    if low is None and high is None:
        raise binder.failure(predicate, f"a range on {describe(spec)} needs at least one bound")
    low_number = -math.inf if low is None else binder.number(spec, predicate, low)
    high_number = math.inf if high is None else binder.number(spec, predicate, high)
    return NumericRange(spec, low_number, high_number)


def _pattern(position: str) -> Handler:
    def handler(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
        text = predicate.value
        if spec.annotation is bool:
            raise binder.failure(predicate, _operator_message(spec, FieldKind.TAG, predicate.op), at_value=False)
        if not isinstance(text, str):
            raise binder.failure(predicate, f"{predicate.op.value} on {describe(spec)} takes text, not {text!r}")
        if "\\" in text:
            # RediSearch 2.10 drops or misreads an escaped backslash inside TAG prefix patterns.
            message = (
                f"{predicate.op.value} on {describe(spec)} cannot search for {text!r}, because RediSearch "
                "misreads a backslash in TAG patterns; use == or in"
            )
            raise binder.failure(predicate, message)
        if len(text) < MIN_PATTERN_LENGTH:
            message = (
                f"{predicate.op.value} on {describe(spec)} needs at least {MIN_PATTERN_LENGTH} characters, "
                f"not {text!r}, because RediSearch ignores shorter TAG patterns"
            )
            raise binder.failure(predicate, message)
        return TagPattern(spec, position, text)

    return handler


def _match(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    if not isinstance(predicate.value, str):
        raise binder.failure(predicate, f"full-text search on {describe(spec)} takes text, not {predicate.value!r}")
    words = text_words(predicate.value)
    if not words:
        raise binder.failure(predicate, f"full-text search on {describe(spec)} needs a word, not {predicate.value!r}")
    return TextMatch(spec, words)


def _within(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    if not isinstance(predicate.value, GeoFilter):
        message = f"{describe(spec)} takes a GeoFilter(longitude, latitude, radius, unit), not {predicate.value!r}"
        raise binder.failure(predicate, message)
    return GeoRadius(spec, predicate.value)


def _exists(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    return Presence(spec)


def _missing(binder: _Binder, spec: FieldSpec, predicate: Predicate) -> Any:
    return Not(Presence(spec))


_HANDLERS: dict[Op, Handler] = {
    Op.EQ: _equal,
    Op.NE: _not_equal,
    Op.IN: _in,
    Op.NOT_IN: _not_in,
    Op.LT: _comparison(low_side=False, exclusive=True),
    Op.LE: _comparison(low_side=False, exclusive=False),
    Op.GT: _comparison(low_side=True, exclusive=True),
    Op.GE: _comparison(low_side=True, exclusive=False),
    Op.BETWEEN: _between,
    Op.STARTSWITH: _pattern("prefix"),
    Op.ENDSWITH: _pattern("suffix"),
    Op.CONTAINS: _pattern("infix"),
    Op.MATCH: _match,
    Op.WITHIN: _within,
    Op.EXISTS: _exists,
    Op.MISSING: _missing,
}


# --- Helpers shared with the engines --------------------------------------------------------------


def split_tags(text: str, separator: str) -> tuple[str, ...]:
    """Split stored TAG text into the tags RediSearch indexes: separated, stripped, non-empty."""
    pieces = text.split(separator) if separator else [text]
    return tuple(tag for tag in (piece.strip(ASCII_WHITESPACE) for piece in pieces) if tag)


def text_words(text: str) -> tuple[str, ...]:
    """Split text into words the way RediSearch's default tokenizer does."""
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if char in TEXT_SEPARATORS:
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return tuple(words)


def _values(binder: _Binder, predicate: Predicate) -> tuple[Any, ...]:
    value = predicate.value
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list, set, frozenset)):
        raise binder.failure(predicate, f"'{predicate.op.value}' on {predicate.name!r} takes a list of values")
    if not value:
        raise binder.failure(predicate, f"the list after '{predicate.op.value}' on {predicate.name!r} is empty")
    return tuple(value)


def _convert_enum(enum_type: type[enum.Enum], value: Any) -> enum.Enum:
    if isinstance(value, enum_type):
        return value
    for member in enum_type:
        if member.value == value or (isinstance(value, str) and value in (str(member.value), member.name)):
            return member
    accepted = ", ".join(repr(member.value) for member in enum_type)
    raise ValueError(f"expected one of {accepted}")


@functools.lru_cache(maxsize=256)
def _cached_adapter(annotation: Any) -> pydantic.TypeAdapter:
    return pydantic.TypeAdapter(annotation)


def _adapter(annotation: Any) -> pydantic.TypeAdapter:
    try:
        return _cached_adapter(annotation)
    except TypeError:  # an unhashable annotation
        return pydantic.TypeAdapter(annotation)


def _reason(error: Exception) -> str:
    if isinstance(error, pydantic.ValidationError):
        return "; ".join(item["msg"] for item in error.errors()).lower()
    return str(error)


def _operator_message(spec: FieldSpec, kind: FieldKind, op: Op) -> str:
    allowed = [candidate.value for candidate in OPERATORS_BY_KIND[kind]]
    if kind is FieldKind.TAG and spec.annotation is bool:
        allowed = [name for name in allowed if name not in ("startswith", "endswith", "contains")]
    if kind is FieldKind.GEO:
        allowed[0] = "== GeoFilter(...)"
    if spec.text_attribute is not None and kind is not FieldKind.TEXT:
        allowed.append("match")
    accepted = ", ".join(allowed) if allowed else "no operators (use a KNN query)"
    return f"cannot use '{op.value}' on {describe(spec)}: {kind.value} fields accept {accepted}"
