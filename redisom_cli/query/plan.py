"""A query plan: everything both engines need to run one query, built without I/O.

`build_plan` parses query text, binds the tree to the model and resolves the sort fields and
the KNN clause. It then compiles both the RediSearch query text and the scan predicate, so a
bad query fails when `Model.find()` is called, on any server.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

from redisom_cli.errors import QueryError
from redisom_cli.model.fields import FieldKind
from redisom_cli.model.specs import FieldSpec
from redisom_cli.query import binding, predicate, redisearch
from redisom_cli.query.expressions import Expression, KNNExpression, combine
from redisom_cli.query.syntax import parse

SORTABLE_KINDS = (FieldKind.TAG, FieldKind.NUMERIC, FieldKind.TEXT)


@dataclasses.dataclass(frozen=True)
class SortKey:
    """One sort field: its spec (None for the KNN score) and its direction."""

    spec: FieldSpec | None
    attribute: str
    descending: bool


@dataclasses.dataclass(frozen=True)
class Plan:
    """A bound, compiled query of one model."""

    model: Any
    bound: Any
    query_text: str
    sort: tuple[SortKey, ...]
    knn: redisearch.KnnClause | None
    test: Callable[[Any], bool]
    requires_scan: bool = False

    @property
    def storage(self) -> str:
        """"hash" or "json"."""
        return self.model.__om_storage__

    def search_request(self, offset: int, limit: int, no_content: bool = False,
                       return_fields: tuple[str, ...] | None = None, server_sort: bool = True) -> redisearch.SearchRequest:
        """Return the FT.SEARCH request of one page of this plan."""
        sort = tuple((key.attribute, key.descending) for key in self.sort[:1]) if server_sort else ()
        params = redisearch.knn_params(self.knn) if self.knn else ()
        return redisearch.SearchRequest(
            index=self.model.index_name(),
            query=self.query_text,
            offset=offset,
            limit=limit,
            sort=sort,
            return_fields=return_fields,
            no_content=no_content,
            params=params,
        )

    @property
    def sorts_in_client(self) -> bool:
        """Whether the RediSearch engine must sort in the client: FT.SEARCH sorts by one field only."""
        return len(self.sort) > 1


def build_plan(model: Any, expressions: Sequence[Any], knn: KNNExpression | None = None,
               sort: Sequence[str] = (), now: datetime.datetime | None = None) -> Plan:
    """Parse, bind and compile a query; raise QueryError (or QuerySyntaxError) if it is invalid."""
    tree = combine(parse(item) if isinstance(item, str) else item for item in expressions)
    bound = binding.bind(model, tree, now=now)
    clause = _knn_clause(model, knn) if knn is not None else None
    text = redisearch.compile_query(bound)
    if clause is not None:
        text = redisearch.knn_query(text, clause)
    sort_keys = tuple(_sort_key(model, name, clause) for name in sort)
    if clause is not None and not sort_keys:
        sort_keys = (SortKey(None, clause.score_attribute, False),)
    test = predicate.compile_predicate(bound, model.__om_storage__)
    requires_scan = model.__om_storage__ == "json" and _tests_tag_presence(bound)
    return Plan(model, bound, text, sort_keys, clause, test, requires_scan)


def _tests_tag_presence(node: Any) -> bool:
    """Return whether the tree tests exists/missing on a TAG field.

    RediSearch 2.10 neither indexes a JSON null in a TAG attribute nor counts it as missing
    with INDEXMISSING, and JsonModel stores None as null, so only the scan engine can tell
    such records apart.
    """
    if isinstance(node, binding.Presence):
        return node.spec.kind is FieldKind.TAG
    children = getattr(node, "children", None) or ((node.child,) if hasattr(node, "child") else ())
    return any(_tests_tag_presence(child) for child in children)


def _knn_clause(model: Any, knn: KNNExpression) -> redisearch.KnnClause:
    vector = binding.resolve_field(model, knn.vector_path, purpose="run a KNN search on")
    options = vector.options.vector_options
    if vector.kind is not FieldKind.VECTOR or options is None:
        raise QueryError(f"a KNN search needs a VECTOR field, and {binding.describe(vector)} is not one")
    score = binding.resolve_field(model, knn.score_path, purpose="store KNN scores of")
    data = redisearch.vector_bytes(knn.reference_vector, options.numpy_dtype)
    return redisearch.KnnClause(knn.k, vector.attribute, score.attribute, data)


def _sort_key(model: Any, name: str, knn: redisearch.KnnClause | None) -> SortKey:
    if not isinstance(name, str) or not name.strip("-"):
        raise QueryError(f"sort_by() takes field names such as 'age' or '-age', not {name!r}")
    descending = name.startswith("-")
    field = name.lstrip("-")
    if knn is not None and field == knn.score_attribute:
        return SortKey(None, field, descending)
    spec = binding.resolve_field(model, field, purpose="sort")
    if not spec.indexed or spec.kind not in SORTABLE_KINDS:
        raise QueryError(
            f"cannot sort {model.__name__} by {binding.describe(spec)}: only indexed TAG, TEXT and NUMERIC "
            "fields can be sorted; declare it with Field(index=True) or Field(sortable=True) and run the migration"
        )
    return SortKey(spec, spec.attribute, descending)


def check_field_names(model: Any, names: Sequence[str], purpose: str) -> list[tuple[str, ...]]:
    """Return the paths of field names (`address__city` or `address.city`); raise QueryError if unknown."""
    known_paths = [spec.path for spec in model.specs()]
    paths = []
    for name in names:
        path = tuple(part for part in re.split(r"\.|__", name) if part)
        if not path or not any(candidate[: len(path)] == path for candidate in known_paths):
            dotted = [".".join(candidate) for candidate in known_paths] + list(model.model_fields)
            close = difflib.get_close_matches(".".join(path) or name, dotted, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise QueryError(f"cannot {purpose} {name!r}: {model.__name__} has no such field{hint}")
        paths.append(path)
    return paths


def row_sort_key(key: SortKey, values_of: Callable[[Any, SortKey], list[Any]]) -> Callable[[Any], Any]:
    """Return a key function over rows; `values_of(row, key)` returns a row's stored values of the field."""
    def extract(row: Any) -> Any:
        found = values_of(row, key)
        if key.spec is None:
            numbers = predicate.numbers(found)
            return numbers[0] if numbers else None
        return predicate.sort_value(key.spec, found)

    return extract
