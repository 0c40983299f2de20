"""Compile a bound query tree to FT.SEARCH: query text, PARAMS and the full argument list.

Values are escaped by field kind. In TAG values every ASCII punctuation character and
every ASCII whitespace character gets a backslash, and other text passes through, so any
stored tag can be matched exactly. Full-text values are split into words the way the
indexer splits them, so `a-b`, `a@b.com` and `50%` search for their words instead of
being read as query operators. Numbers are written so that RediSearch parses the same
double back. Queries always run with DIALECT 2.
"""

from __future__ import annotations

import dataclasses
import math
import string
import struct
from collections.abc import Callable, Sequence
from typing import Any

from redisom_cli.errors import QueryError
from redisom_cli.model.fields import FieldKind
from redisom_cli.query.binding import GeoRadius, NumericRange, Presence, TagMatch, TagPattern, TextMatch
from redisom_cli.query.expressions import All, And, Not, Or

DIALECT = "2"
ASCII_PUNCTUATION = frozenset(string.punctuation)
ASCII_WHITESPACE = frozenset(" \t\n\r\v\f")
TAG_ESCAPED = ASCII_PUNCTUATION | ASCII_WHITESPACE
TEXT_ESCAPED = ASCII_PUNCTUATION - {"_"}
MATCH_ALL = "*"


# --- Escaping ---------------------------------------------------------------------------------


def escape_tag(value: str) -> str:
    """Escape a TAG value: a backslash before each ASCII punctuation or whitespace character."""
    return "".join("\\" + char if char in TAG_ESCAPED else char for char in value)


def escape_text_word(word: str) -> str:
    """Escape one full-text word: a backslash before each punctuation character left in it."""
    return "".join("\\" + char if char in TEXT_ESCAPED else char for char in word)


def format_number(value: float) -> str:
    """Write a number for a NUMERIC range: integers without a fraction, others round-trip."""
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


# --- Query text ---------------------------------------------------------------------------------


def compile_query(node: Any) -> str:
    """Return the RediSearch query text of a bound tree."""
    return _render(_simplify(node), top=True)


def _render(node: Any, top: bool = False) -> str:
    renderer = _RENDERERS.get(type(node))
    if renderer is None:
        raise QueryError(f"cannot compile {node!r} to a RediSearch query")
    return renderer(node, top)


def _render_and(node: And, top: bool) -> str:
    text = " ".join(_render(child) for child in node.children)
    return text if top else f"({text})"


def _render_or(node: Or, top: bool) -> str:
    text = " | ".join(_render(child) for child in node.children)
    return text if top else f"({text})"


def _render_not(node: Not, top: bool) -> str:
    child = node.child
    if isinstance(child, Presence):
        return _absence(child)
    return "-" + _render(child)


def _render_tag_match(node: TagMatch, top: bool) -> str:
    attribute = node.spec.attribute
    if all(len(group) == 1 for group in node.groups):
        tags = " | ".join(escape_tag(group[0]) for group in node.groups)
        return f"@{attribute}:{{{tags}}}"
    parts = [_tag_group(attribute, group) for group in node.groups]
    if len(parts) == 1:
        return parts[0]
    return "(" + " | ".join(parts) + ")"


def _tag_group(attribute: str, group: Sequence[str]) -> str:
    terms = [f"@{attribute}:{{{escape_tag(tag)}}}" for tag in group]
    return terms[0] if len(terms) == 1 else "(" + " ".join(terms) + ")"


PATTERN_FORMATS = {"prefix": "{text}*", "suffix": "*{text}", "infix": "*{text}*"}


def _render_tag_pattern(node: TagPattern, top: bool) -> str:
    # NOTE: RediSearch expands a pattern to at most MAXEXPANSIONS tag values (200 by default)
    # and silently drops the records of further values. The scan engine has no such bound.
    pattern = PATTERN_FORMATS[node.position].format(text=escape_tag(node.text))
    return f"@{node.spec.attribute}:{{{pattern}}}"


def _render_numeric(node: NumericRange, top: bool) -> str:
    low = ("(" if node.low_exclusive else "") + format_number(node.low)
    high = ("(" if node.high_exclusive else "") + format_number(node.high)
    return f"@{node.spec.attribute}:[{low} {high}]"


def _render_geo(node: GeoRadius, top: bool) -> str:
    area = node.area
    numbers = " ".join(format_number(value) for value in (area.longitude, area.latitude, area.radius))
    return f"@{node.spec.attribute}:[{numbers} {area.unit}]"


def _render_text(node: TextMatch, top: bool) -> str:
    words = " ".join(escape_text_word(word) for word in node.words)
    return f"@{node.spec.text_attribute}:({words})"


# A circle wider than half the Earth's circumference (about 20015 km), so it contains every point.
WHOLE_EARTH = "0 0 20100 km"


def _render_presence(node: Presence, top: bool) -> str:
    """Render `exists`: a full range for NUMERIC and GEO, which also skips JSON null, else INDEXMISSING."""
    attribute = node.spec.attribute
    if node.spec.kind is FieldKind.NUMERIC:
        return f"@{attribute}:[-inf +inf]"
    if node.spec.kind is FieldKind.GEO:
        return f"@{attribute}:[{WHOLE_EARTH}]"
    return f"-ismissing(@{attribute})"


def _absence(node: Presence) -> str:
    if node.spec.kind in (FieldKind.NUMERIC, FieldKind.GEO):
        return "-" + _render_presence(node, False)
    return f"ismissing(@{node.spec.attribute})"


def _render_all(node: All, top: bool) -> str:
    return MATCH_ALL


_RENDERERS: dict[type, Callable[[Any, bool], str]] = {
    And: _render_and,
    Or: _render_or,
    Not: _render_not,
    All: _render_all,
    TagMatch: _render_tag_match,
    TagPattern: _render_tag_pattern,
    NumericRange: _render_numeric,
    GeoRadius: _render_geo,
    TextMatch: _render_text,
    Presence: _render_presence,
}


def _simplify(node: Any) -> Any:
    """Drop All inside And, collapse Or with All, cancel double negation and reject a negated All."""
    if isinstance(node, And):
        children = [child for child in map(_simplify, node.children) if not isinstance(child, All)]
        if not children:
            return All()
        return children[0] if len(children) == 1 else And(tuple(children))
    if isinstance(node, Or):
        children = [_simplify(child) for child in node.children]
        return All() if any(isinstance(child, All) for child in children) else Or(tuple(children))
    if isinstance(node, Not):
        child = _simplify(node.child)
        if isinstance(child, All):
            raise QueryError("cannot negate a query that matches every record")
        # RediSearch does not read "--x" as x.
        return child.child if isinstance(child, Not) else Not(child)
    return node


# --- KNN ------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KnnClause:
    """The resolved parts of a KNN query: attribute names, k and the vector bytes."""

    k: int
    vector_attribute: str
    score_attribute: str
    vector: bytes


def vector_bytes(vector: Any, element_format: str = "f") -> bytes:
    """Return a query vector as raw little-endian floats; bytes pass through unchanged."""
    if isinstance(vector, (bytes, bytearray, memoryview)):
        return bytes(vector)
    try:
        values = [float(item) for item in vector]
    except (TypeError, ValueError) as error:
        raise QueryError(f"a KNN reference vector must be bytes or a list of numbers, not {vector!r}") from error
    return struct.pack(f"<{len(values)}{element_format}", *values)


def knn_query(filter_text: str, knn: KnnClause) -> str:
    """Return the query text of a KNN search whose pre-filter is `filter_text`."""
    prefilter = filter_text if filter_text == MATCH_ALL else f"({filter_text})"
    return f"{prefilter}=>[KNN $K @{knn.vector_attribute} $knn_ref_vector AS {knn.score_attribute}]"


# --- FT.SEARCH arguments ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SearchRequest:
    """Everything FT.SEARCH needs, before it becomes an argument list."""

    index: str
    query: str
    offset: int = 0
    limit: int = 10
    sort: tuple[tuple[str, bool], ...] = ()  # (attribute, descending)
    return_fields: tuple[str, ...] | None = None
    no_content: bool = False
    params: tuple[tuple[str, Any], ...] = ()


def search_args(request: SearchRequest) -> list[Any]:
    """Return the full FT.SEARCH command, command name first."""
    args: list[Any] = ["FT.SEARCH", request.index, request.query]
    if request.no_content:
        args.append("NOCONTENT")
    if request.return_fields is not None:
        args += ["RETURN", len(request.return_fields), *request.return_fields]
    if request.sort:
        attribute, descending = request.sort[0]
        args += ["SORTBY", attribute, "DESC" if descending else "ASC"]
    args += ["LIMIT", request.offset, request.limit]
    if request.params:
        args += ["PARAMS", 2 * len(request.params)]
        for name, value in request.params:
            args += [name, value]
    args += ["DIALECT", DIALECT]
    return args


def knn_params(knn: KnnClause) -> tuple[tuple[str, Any], ...]:
    """Return the PARAMS pairs of a KNN clause."""
    return (("K", knn.k), ("knn_ref_vector", knn.vector))
