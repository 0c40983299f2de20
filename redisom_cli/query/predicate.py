"""Compile a bound query tree to a Python predicate over stored records, for the scan engine.

The predicate reads records in their stored form (the mapping of HGETALL or the JSON
document) and mirrors how RediSearch indexes them, so that both engines return the same
records for TAG, NUMERIC, GEO and exists/missing conditions:

- TAG text is split at the field's separator, each tag is stripped of ASCII whitespace,
  empty tags are dropped, and only ASCII letters are folded to lower case unless the field
  is `case_sensitive` (RediSearch 2.10 folds no other letters).
- NUMERIC values compare as doubles.
- GEO distances use the Earth radius of Redis's geohash code (6372797.560856 m).
- A hash field counts as present when the hash has it. A JSON field counts as present when
  its path yields a value other than `null`; an empty array yields none. A NUMERIC or GEO
  field is present only with a number or a point. (RediSearch counts a JSON `null` in a TAG
  attribute as present, so `plan.requires_scan` sends such queries to this engine.)
- Full-text matching is word-based: every word of the query must occur as a word of the
  value, compared case-insensitively, with no stemming. It is an approximation of
  RediSearch, which also stems words and skips stop words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from redisom_cli.model.fields import FieldKind
from redisom_cli.model.specs import FieldSpec
from redisom_cli.query.binding import (
    GeoRadius,
    NumericRange,
    Presence,
    TagMatch,
    TagPattern,
    TextMatch,
    split_tags,
    text_words,
)
from redisom_cli.query.expressions import All, And, Not, Or

Record = Any  # a dict[str, str] from HGETALL, or a JSON document
Test = Callable[[Record], bool]

EARTH_RADIUS_M = 6372797.560856
UNIT_METRES = {"m": 1.0, "km": 1000.0, "mi": 1609.34, "ft": 0.3048}
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# RediSearch's default stop words, which a full-text query skips.
STOP_WORDS = frozenset(
    "a is the an and are as at be but by for if in into it no not of on or such that their "
    "then there these they this to was will with".split()
)


# --- Reading stored values ------------------------------------------------------------------------


def field_values(spec: FieldSpec, record: Record, storage: str) -> list[Any]:
    """Return the stored values of a field in a record: [] when it has none."""
    if storage == "hash":
        value = record.get(spec.path[0])
        return [] if value is None else [value]
    return _json_values(record, spec.json_path or "$." + ".".join(spec.path))


def _json_values(document: Any, json_path: str) -> list[Any]:
    current = [document]
    for step in json_path.removeprefix("$.").split("."):
        name, expand = (step[:-3], True) if step.endswith("[*]") else (step, False)
        following: list[Any] = []
        for item in current:
            if not isinstance(item, dict) or name not in item:
                continue
            value = item[name]
            if expand:
                following.extend(value if isinstance(value, list) else [])
            else:
                following.append(value)
        current = following
    return current


def fold_tag(tag: str, case_sensitive: bool) -> str:
    """Fold a tag the way a TAG attribute compares it."""
    return tag if case_sensitive else tag.translate(ASCII_LOWER)


def tag_set(spec: FieldSpec, values: Iterable[Any]) -> set[str]:
    """Return the folded tags that a TAG attribute indexes for these stored values."""
    tags: set[str] = set()
    for value in values:
        text = _tag_text(value)
        if text is not None:
            tags.update(fold_tag(tag, spec.options.case_sensitive) for tag in split_tags(text, spec.options.separator))
    return tags


def _tag_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return None


def numbers(values: Iterable[Any]) -> list[float]:
    """Return the values that a NUMERIC attribute indexes."""
    found: list[float] = []
    for value in values:
        if isinstance(value, bool) or value is None:
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            continue
        if not math.isnan(number):
            found.append(number)
    return found


def points(values: Iterable[Any]) -> list[tuple[float, float]]:
    """Return the (longitude, latitude) points that a GEO attribute indexes."""
    found: list[tuple[float, float]] = []
    for value in values:
        if not isinstance(value, str):
            continue
        parts = value.split(",")
        try:
            found.append((float(parts[0]), float(parts[1])))
        except (IndexError, ValueError):
            continue
    return found


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Return the haversine distance in metres between two (longitude, latitude) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    u = math.sin((lat2 - lat1) / 2)
    v = math.sin((lon2 - lon1) / 2)
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(u * u + math.cos(lat1) * math.cos(lat2) * v * v))


# --- Compiling conditions -----------------------------------------------------------------------------


def compile_predicate(node: Any, storage: str) -> Test:
    """Return a function that returns whether a stored record matches the bound tree."""
    compiler = _COMPILERS[type(node)]
    return compiler(node, storage)


def _compile_and(node: And, storage: str) -> Test:
    tests = [compile_predicate(child, storage) for child in node.children]
    return lambda record: all(test(record) for test in tests)


def _compile_or(node: Or, storage: str) -> Test:
    tests = [compile_predicate(child, storage) for child in node.children]
    return lambda record: any(test(record) for test in tests)


def _compile_not(node: Not, storage: str) -> Test:
    test = compile_predicate(node.child, storage)
    return lambda record: not test(record)


def _compile_all(node: All, storage: str) -> Test:
    return lambda record: True


def _compile_tag_match(node: TagMatch, storage: str) -> Test:
    spec = node.spec
    groups = [{fold_tag(tag, spec.options.case_sensitive) for tag in group} for group in node.groups]

    def test(record: Record) -> bool:
        tags = tag_set(spec, field_values(spec, record, storage))
        return any(group <= tags for group in groups)

    return test


PATTERN_TESTS: dict[str, Callable[[str, str], bool]] = {
    "prefix": str.startswith,
    "suffix": str.endswith,
    "infix": str.__contains__,
}


def _compile_tag_pattern(node: TagPattern, storage: str) -> Test:
    spec = node.spec
    text = fold_tag(node.text, spec.options.case_sensitive)
    matches = PATTERN_TESTS[node.position]

    def test(record: Record) -> bool:
        return any(matches(tag, text) for tag in tag_set(spec, field_values(spec, record, storage)))

    return test


def _compile_numeric(node: NumericRange, storage: str) -> Test:
    def inside(number: float) -> bool:
        above = number > node.low if node.low_exclusive else number >= node.low
        below = number < node.high if node.high_exclusive else number <= node.high
        return above and below

    def test(record: Record) -> bool:
        return any(inside(number) for number in numbers(field_values(node.spec, record, storage)))

    return test


def _compile_geo(node: GeoRadius, storage: str) -> Test:
    area = node.area
    centre = (area.longitude, area.latitude)
    radius = area.radius * UNIT_METRES[area.unit]

    def test(record: Record) -> bool:
        return any(distance_m(centre, point) <= radius for point in points(field_values(node.spec, record, storage)))

    return test


def _compile_text(node: TextMatch, storage: str) -> Test:
    wanted = {word.lower() for word in node.words} - STOP_WORDS

    def test(record: Record) -> bool:
        found: set[str] = set()
        for value in field_values(node.spec, record, storage):
            if isinstance(value, str):
                found.update(word.lower() for word in text_words(value))
        return bool(wanted) and wanted <= found

    return test


def _compile_presence(node: Presence, storage: str) -> Test:
    spec = node.spec
    if spec.kind is FieldKind.NUMERIC:
        return lambda record: bool(numbers(field_values(spec, record, storage)))
    if spec.kind is FieldKind.GEO:
        return lambda record: bool(points(field_values(spec, record, storage)))
    return lambda record: any(value is not None for value in field_values(spec, record, storage))


_COMPILERS: dict[type, Callable[[Any, str], Test]] = {
    And: _compile_and,
    Or: _compile_or,
    Not: _compile_not,
    All: _compile_all,
    TagMatch: _compile_tag_match,
    TagPattern: _compile_tag_pattern,
    NumericRange: _compile_numeric,
    GeoRadius: _compile_geo,
    TextMatch: _compile_text,
    Presence: _compile_presence,
}


# --- Sorting ----------------------------------------------------------------------------------------------


def sort_value(spec: FieldSpec, values: Sequence[Any]) -> Any:
    """Return the value a record sorts by: its first number or text, or None when it has none."""
    if spec.kind is FieldKind.NUMERIC:
        found = numbers(values)
        return found[0] if found else None
    for value in values:
        text = _tag_text(value)
        if text is not None:
            return text
    return None


def sort_rows(rows: list[Any], keys: Sequence[tuple[Callable[[Any], Any], bool]]) -> list[Any]:
    """Sort rows by several keys, each (key function, descending); rows without a value go last."""
    for key, descending in reversed(keys):
        present = [row for row in rows if key(row) is not None]
        absent = [row for row in rows if key(row) is None]
        present.sort(key=key, reverse=descending)
        rows = present + absent
    return rows
