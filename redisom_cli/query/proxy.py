"""`FieldProxy`: a model field as a query operand, so that `Model.age > 30` builds a predicate.

Every model class gets one proxy per field when it is defined. The expression classes are
imported when a proxy first builds one, so that defining and reading models does not pay for
the query layer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from redisom_cli.errors import QueryError

if TYPE_CHECKING:
    from redisom_cli.query.expressions import Expression, GeoFilter, Predicate


def _expressions() -> Any:
    from redisom_cli.query import expressions

    return expressions


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

    def _predicate(self, op_name: str, value: Any = None) -> Predicate:
        expressions = _expressions()
        return expressions.Predicate(self.path, expressions.Op[op_name], value)

    def __eq__(self, other: Any) -> Predicate:  # type: ignore[override]
        if other is None:
            return self._predicate("MISSING")
        if isinstance(other, _expressions().GeoFilter):
            return self._predicate("WITHIN", other)
        return self._predicate("EQ", other)

    def __ne__(self, other: Any) -> Expression:  # type: ignore[override]
        if other is None:
            return self._predicate("EXISTS")
        return self._predicate("NE", other)

    def __lt__(self, other: Any) -> Predicate:
        return self._predicate("LT", other)

    def __le__(self, other: Any) -> Predicate:
        return self._predicate("LE", other)

    def __gt__(self, other: Any) -> Predicate:
        return self._predicate("GT", other)

    def __ge__(self, other: Any) -> Predicate:
        return self._predicate("GE", other)

    def __mod__(self, other: Any) -> Predicate:
        return self._predicate("MATCH", other)

    def __lshift__(self, other: Any) -> Predicate:
        return self.in_(other)

    def __rshift__(self, other: Any) -> Predicate:
        return self.not_in(other)

    def in_(self, values: Iterable[Any]) -> Predicate:
        """Match records whose value is one of `values` (for lists: has one of them)."""
        return self._predicate("IN", _as_tuple(values, self.name, "in"))

    def not_in(self, values: Iterable[Any]) -> Predicate:
        """Match records whose value is not in `values`."""
        return self._predicate("NOT_IN", _as_tuple(values, self.name, "not in"))

    def match(self, text: str) -> Predicate:
        """Full-text search for the words of `text` (needs `full_text_search=True`)."""
        return self._predicate("MATCH", text)

    def startswith(self, prefix: str) -> Predicate:
        """Match TAG values that start with `prefix`."""
        return self._predicate("STARTSWITH", prefix)

    def endswith(self, suffix: str) -> Predicate:
        """Match TAG values that end with `suffix`."""
        return self._predicate("ENDSWITH", suffix)

    def contains(self, text: str) -> Predicate:
        """Match TAG values that contain `text`."""
        return self._predicate("CONTAINS", text)

    def between(self, low: Any, high: Any) -> Predicate:
        """Match values from `low` to `high`, both included; None leaves a side open."""
        return self._predicate("BETWEEN", (low, high))

    def within(self, area: GeoFilter) -> Predicate:
        """Match GEO values inside the circle `area`."""
        return self._predicate("WITHIN", area)

    def exists(self) -> Predicate:
        """Match records that have a value for this field."""
        return self._predicate("EXISTS")

    def missing(self) -> Predicate:
        """Match records without a value for this field (`== None` does the same)."""
        return self._predicate("MISSING")


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
