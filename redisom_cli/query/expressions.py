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


# FieldProxy lives in its own module so that defining a model does not import this one.
from redisom_cli.query.proxy import FieldProxy  # noqa: E402,F401 - re-exported
