"""The immutable expression tree that every query front end builds and both engines read.

A query is a tree of `Predicate` leaves (field path, operator, value) joined by `And`,
`Or` and `Not`. `FieldProxy` objects, which the model classes install as class attributes,
build the leaves from Python operators the way Redis OM Python users write them::

    (Customer.age > 30) & (Customer.address.city == "San Antonio")
    Customer.last_name << ["Brookins", "Smith"]      # in
    ~(Customer.bio % "anxious")                      # not, full-text match

Field types play no part here. `query.binding` resolves paths against a model and converts
values when a query runs.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Iterable
from typing import Any

from redisom_cli.errors import QueryError


class Op(str, enum.Enum):
    """A comparison operator of a predicate."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    IN = "in"
    NOT_IN = "not in"
    MATCH = "match"
    STARTSWITH = "startswith"
    ENDSWITH = "endswith"
    CONTAINS = "contains"
    BETWEEN = "between"
    WITHIN = "within"
    EXISTS = "exists"
    MISSING = "missing"


@dataclasses.dataclass(frozen=True)
class Span:
    """The position of a predicate in query text: field and value as (column, length)."""

    text: str
    field: tuple[int, int]
    value: tuple[int, int] | None = None


class Expression:
    """A node of the query tree; `&`, `|` and `~` return new nodes."""

    __slots__ = ()

    def __and__(self, other: Expression) -> Expression:
        return And(_flatten(And, (self, _check_node(other, "&"))))

    def __or__(self, other: Expression) -> Expression:
        return Or(_flatten(Or, (self, _check_node(other, "|"))))

    def __invert__(self) -> Expression:
        return Not(self)


def _check_node(other: Any, symbol: str) -> Expression:
    if not isinstance(other, Expression):
        raise QueryError(
            f"cannot combine a query expression with {other!r} using '{symbol}'; "
            "put each comparison in parentheses, as in (Model.a == 1) & (Model.b == 2)"
        )
    return other


def _flatten(kind: type, nodes: Iterable[Expression]) -> tuple[Expression, ...]:
    flat: list[Expression] = []
    for node in nodes:
        flat.extend(node.children if isinstance(node, kind) else (node,))
    return tuple(flat)


@dataclasses.dataclass(frozen=True)
class Predicate(Expression):
    """One comparison: the field at `path`, an operator and the value as the user gave it."""

    path: tuple[str, ...]
    op: Op
    value: Any = None
    span: Span | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        """The dotted field path."""
        return ".".join(self.path)


@dataclasses.dataclass(frozen=True)
class And(Expression):
    """Every child matches."""

    children: tuple[Expression, ...]


@dataclasses.dataclass(frozen=True)
class Or(Expression):
    """At least one child matches."""

    children: tuple[Expression, ...]


@dataclasses.dataclass(frozen=True)
class Not(Expression):
    """The child does not match."""

    child: Expression

    def __invert__(self) -> Expression:
        return self.child


@dataclasses.dataclass(frozen=True)
class All(Expression):
    """Every record of the model: the query of `Model.find()` with no arguments."""


def combine(expressions: Iterable[Expression]) -> Expression:
    """Join expressions with AND, as `Model.find(a, b)` does; no expression means All."""
    nodes = tuple(_check_node(node, ",") for node in expressions)
    if not nodes:
        return All()
    if len(nodes) == 1:
        return nodes[0]
    return And(_flatten(And, nodes))


class GeoFilter:
    """A circle on Earth for GEO fields: the records within `radius` of a point.

    `unit` is one of m, km, mi and ft, as in GEORADIUS. Use it as Redis OM Python does,
    `Model.location == GeoFilter(...)`, or as `Model.location.within(GeoFilter(...))`.
    """

    UNITS = ("m", "km", "mi", "ft")

    __slots__ = ("longitude", "latitude", "radius", "unit")

    def __init__(self, longitude: float, latitude: float, radius: float, unit: str) -> None:
        longitude, latitude, radius = float(longitude), float(latitude), float(radius)
        if not -180.0 <= longitude <= 180.0:
            raise QueryError(f"longitude must be between -180 and 180, not {longitude}")
        if not -90.0 <= latitude <= 90.0:
            raise QueryError(f"latitude must be between -90 and 90, not {latitude}")
        if not radius > 0 or math.isinf(radius):
            raise QueryError(f"the radius must be a positive number, not {radius}")
        if unit not in self.UNITS:
            raise QueryError(f"invalid radius unit {unit!r}; use one of {', '.join(self.UNITS)}")
        self.longitude = longitude
        self.latitude = latitude
        self.radius = radius
        self.unit = unit

    @classmethod
    def from_coordinates(cls, coordinates: Any, radius: float, unit: str) -> GeoFilter:
        """Build a filter around a Coordinates object (or anything with latitude and longitude)."""
        return cls(coordinates.longitude, coordinates.latitude, radius, unit)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GeoFilter):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"GeoFilter({self.longitude}, {self.latitude}, {self.radius}, {self.unit!r})"

    def _key(self) -> tuple[float, float, float, str]:
        return (self.longitude, self.latitude, self.radius, self.unit)


@dataclasses.dataclass(frozen=True)
class KNNExpression:
    """A K-nearest-neighbours vector search, named and shaped as in Redis OM Python.

    `vector_field` is the VECTOR field to search, `score_field` the model field that
    receives each result's distance, and `reference_vector` the query vector as raw
    float32 (or float64) bytes or as a list of floats. Pass it as `Model.find(..., knn=...)`;
    the other expressions of the query become its pre-filter.
    """

    k: int
    vector_field: Any
    score_field: Any
    reference_vector: Any

    def __post_init__(self) -> None:
        if not isinstance(self.k, int) or isinstance(self.k, bool) or self.k < 1:
            raise QueryError(f"k of a KNN query must be a positive integer, not {self.k!r}")
        for name in ("vector_field", "score_field"):
            if not isinstance(getattr(self, name), FieldProxy):
                raise QueryError(f"{name} of a KNN query must be a model field such as Model.embedding")

    @property
    def vector_path(self) -> tuple[str, ...]:
        """The path of the vector field."""
        return self.vector_field.path

    @property
    def score_path(self) -> tuple[str, ...]:
        """The path of the field that receives the distance."""
        return self.score_field.path


class FieldProxy:
    """A model field as a query operand: `Model.age > 30` builds a Predicate.

    Model classes get one proxy per field as a class attribute. It is not a data
    descriptor, so instances still read their own values. `Model.address.city` returns
    the proxy of an embedded field.
    """

    __slots__ = ("model", "path")

    def __init__(self, model: type, path: tuple[str, ...]) -> None:
        self.model = model
        self.path = tuple(path)

    @property
    def name(self) -> str:
        """The dotted field path."""
        return ".".join(self.path)

    def __repr__(self) -> str:
        return f"FieldProxy({self.model.__name__}.{self.name})"

    __hash__ = object.__hash__

    def __getattr__(self, name: str) -> FieldProxy:
        if name.startswith("_"):
            raise AttributeError(name)
        path = (*self.path, name)
        known = _known_paths(self.model)
        if known is not None and not any(candidate[: len(path)] == path for candidate in known):
            raise AttributeError(_unknown_path_message(self.model, path, known))
        return FieldProxy(self.model, path)

    def _predicate(self, op: Op, value: Any = None) -> Predicate:
        return Predicate(self.path, op, value)

    def __eq__(self, other: Any) -> Predicate:  # type: ignore[override]
        if other is None:
            return self._predicate(Op.MISSING)
        if isinstance(other, GeoFilter):
            return self._predicate(Op.WITHIN, other)
        return self._predicate(Op.EQ, other)

    def __ne__(self, other: Any) -> Expression:  # type: ignore[override]
        if other is None:
            return self._predicate(Op.EXISTS)
        return self._predicate(Op.NE, other)

    def __lt__(self, other: Any) -> Predicate:
        return self._predicate(Op.LT, other)

    def __le__(self, other: Any) -> Predicate:
        return self._predicate(Op.LE, other)

    def __gt__(self, other: Any) -> Predicate:
        return self._predicate(Op.GT, other)

    def __ge__(self, other: Any) -> Predicate:
        return self._predicate(Op.GE, other)

    def __mod__(self, other: Any) -> Predicate:
        return self._predicate(Op.MATCH, other)

    def __lshift__(self, other: Any) -> Predicate:
        return self.in_(other)

    def __rshift__(self, other: Any) -> Predicate:
        return self.not_in(other)

    def in_(self, values: Iterable[Any]) -> Predicate:
        """Match records whose value is one of `values` (for lists: has one of them)."""
        return self._predicate(Op.IN, _as_tuple(values, self.name, "in"))

    def not_in(self, values: Iterable[Any]) -> Predicate:
        """Match records whose value is not in `values`."""
        return self._predicate(Op.NOT_IN, _as_tuple(values, self.name, "not in"))

    def match(self, text: str) -> Predicate:
        """Full-text search for the words of `text` (needs `full_text_search=True`)."""
        return self._predicate(Op.MATCH, text)

    def startswith(self, prefix: str) -> Predicate:
        """Match TAG values that start with `prefix`."""
        return self._predicate(Op.STARTSWITH, prefix)

    def endswith(self, suffix: str) -> Predicate:
        """Match TAG values that end with `suffix`."""
        return self._predicate(Op.ENDSWITH, suffix)

    def contains(self, text: str) -> Predicate:
        """Match TAG values that contain `text`."""
        return self._predicate(Op.CONTAINS, text)

    def between(self, low: Any, high: Any) -> Predicate:
        """Match values from `low` to `high`, both included; None leaves a side open."""
        return self._predicate(Op.BETWEEN, (low, high))

    def within(self, area: GeoFilter) -> Predicate:
        """Match GEO values inside the circle `area`."""
        return self._predicate(Op.WITHIN, area)

    def exists(self) -> Predicate:
        """Match records that have a value for this field."""
        return self._predicate(Op.EXISTS)

    def missing(self) -> Predicate:
        """Match records without a value for this field (`== None` does the same)."""
        return self._predicate(Op.MISSING)


def _as_tuple(values: Any, name: str, operator: str) -> tuple[Any, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise QueryError(f"'{operator}' on field {name!r} takes a list of values, not {values!r}")
    return tuple(values)


def _known_paths(model: type) -> list[tuple[str, ...]] | None:
    specs = getattr(model, "specs", None)
    if specs is None:
        return None
    return [spec.path for spec in specs()]


def _unknown_path_message(model: type, path: tuple[str, ...], known: list[tuple[str, ...]]) -> str:
    import difflib

    dotted = ".".join(path)
    names = [".".join(candidate) for candidate in known]
    message = f"{model.__name__} has no field {dotted!r}"
    close = difflib.get_close_matches(dotted, names, n=1)
    return f"{message}; did you mean {close[0]!r}?" if close else message
