"""Parsing FT.SEARCH and FT.INFO replies, in both reply protocols (RESP2 and RESP3).

redis-py returns FT.SEARCH as a flat list under RESP2 (`[total, id, [field, value, ...], ...]`)
and as a mapping under RESP3 (`{"total_results": ..., "results": [{"id", "extra_attributes"}]}`).
Both become a `SearchPage`. Replies read without decoding (for hashes with raw vector bytes)
have bytes keys, which are decoded here too.
"""

from __future__ import annotations

import dataclasses
from typing import Any, NamedTuple

INDEXING_FAILURE_KEYS = ("hash_indexing_failures", "indexing failures")


class SearchHit(NamedTuple):
    """One document of an FT.SEARCH reply: its key and the fields returned with it.

    A named tuple rather than a dataclass, because a page can contain a whole batch of them
    and a tuple is the cheapest object to create.
    """

    key: str
    fields: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class SearchPage:
    """An FT.SEARCH reply: the total number of matches, and the key and fields of each document of this page.

    Keys and field maps are kept in two lists rather than as one object per document,
    because `find().all()` reads only the field maps, and every object made per document
    adds to the garbage collector's work.
    """

    total: int
    keys: list[str]
    fields: list[dict[str, Any]]
    warnings: tuple[str, ...] = ()

    @property
    def hits(self) -> list[SearchHit]:
        """The documents of this page as (key, fields) pairs."""
        return [SearchHit(key, fields) for key, fields in zip(self.keys, self.fields)]


def parse_search(reply: Any, no_content: bool = False) -> SearchPage:
    """Parse an FT.SEARCH reply of either protocol."""
    if isinstance(reply, dict):
        return _parse_resp3(reply)
    return _parse_resp2(list(reply), no_content)


def _parse_resp3(reply: dict[Any, Any]) -> SearchPage:
    if "results" in reply:
        # A decoded reply: its keys are text already, and each hit's field map is a fresh dict.
        results = reply["results"]
        keys = [result["id"] for result in results]
        fields = [result.get("extra_attributes") or {} for result in results]
        return SearchPage(int(reply.get("total_results", 0)), keys, fields, tuple(reply.get("warning") or ()))
    reply = _text_keys(reply)
    keys, fields = [], []
    for result in reply.get("results", []):
        result = _text_keys(result)
        keys.append(_text(result["id"]))
        fields.append(_text_keys(result.get("extra_attributes") or {}))
    warnings = tuple(_text(item) for item in reply.get("warning", []) or [])
    return SearchPage(int(reply.get("total_results", 0)), keys, fields, warnings)


def _parse_resp2(reply: list[Any], no_content: bool) -> SearchPage:
    total = int(reply[0]) if reply else 0
    keys: list[str] = []
    fields: list[dict[str, Any]] = []
    step = 1 if no_content else 2
    for index in range(1, len(reply), step):
        keys.append(_text(reply[index]))
        fields.append({} if no_content else _pairs(reply[index + 1] or []))
    return SearchPage(total, keys, fields)


def parse_mapping(reply: Any) -> dict[str, Any]:
    """Return a map reply (FT.INFO, HGETALL) as a dict with text keys, from either protocol."""
    if isinstance(reply, dict):
        return _text_keys(reply)
    return _pairs(reply)


def parse_info(reply: Any) -> dict[str, Any]:
    """Return an FT.INFO reply as a mapping, from either protocol."""
    return parse_mapping(reply)


def indexing_failures(info: dict[str, Any]) -> int:
    """Return the number of documents that the index failed to index."""
    for key in INDEXING_FAILURE_KEYS:
        if key in info:
            try:
                return int(float(info[key]))
            except (TypeError, ValueError):
                return 0
    return 0


def decode_fields(fields: dict[str, Any], binary: frozenset[str]) -> dict[str, Any]:
    """Decode the byte values of a reply read without decoding, except the fields in `binary`."""
    return {name: value if name in binary or not isinstance(value, bytes) else value.decode()
            for name, value in fields.items()}


def _pairs(items: list[Any]) -> dict[str, Any]:
    return {_text(items[index]): items[index + 1] for index in range(0, len(items) - 1, 2)}


def _text_keys(mapping: dict[Any, Any]) -> dict[str, Any]:
    return {_text(key): value for key, value in mapping.items()}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
