"""Query cases: `find().all()` on RediSearch and on the scan engine, against raw redis-py.

The RediSearch case sends, on the raw side, the FT.SEARCH arguments that the query itself
reports with `explain()`, and parses the reply into typed dicts. The scan case reads the
plain server (no modules) with SCAN MATCH and pipelined HGETALL in batches of 1,000, and
filters and converts the records in Python as the scan engine does.
"""

from __future__ import annotations

import importlib
from typing import Any

from redisom_cli import Field, HashModel, get_redis_connection

from bench.context import Context
from bench.harness import THROUGHPUT, Case, Side, Unavailable, throughput
from bench.models import CITIES, person_fields
from bench.records import typed_person

SCAN_BATCH_SIZE = 1000  # the batch size of the scan engine, so both sides send the same pipelines
MATCHING_CITY = CITIES[0]  # person_fields() gives one record in len(CITIES) this city


class QueryPerson(HashModel, index=True):
    """The fields of `bench.models.Person`, under a prefix of its own so its index holds only query data."""

    first_name: str = Field(index=True)
    last_name: str = Field(index=True)
    email: str
    city: str = Field(index=True)
    age: int = Field(index=True, sortable=True)
    score: float = Field(index=True)

    class Meta:
        model_key_prefix = "bench.QueryPerson"


# NOTE: not a subclass of QueryPerson: a subclass of a concrete model takes the parent's
# query proxies (`QueryPerson.age`) as its field defaults.
class ScanPerson(HashModel):
    """The same fields on the plain server, read by the scan engine."""

    first_name: str = Field(index=True)
    last_name: str = Field(index=True)
    email: str
    city: str = Field(index=True)
    age: int = Field(index=True, sortable=True)
    score: float = Field(index=True)

    class Meta:
        model_key_prefix = "bench.ScanPerson"


def migrator() -> Any:
    """Return the Migrator class, or raise Unavailable while the index layer is missing."""
    for module_name in ("redisom_cli", "redisom_cli.store.sync.index"):
        module = importlib.import_module(module_name)
        if hasattr(module, "Migrator"):
            return module.Migrator
    raise Unavailable("redisom_cli has no Migrator yet")


def require_queries() -> None:
    """Raise Unavailable while `Model.find()` has no query module to run."""
    try:
        importlib.import_module("redisom_cli.store.sync.query")
    except ImportError as error:
        raise Unavailable(f"the query layer is missing ({error})") from error


def parse_search_reply(reply: Any) -> list[dict[str, Any]]:
    """Turn an FT.SEARCH reply into typed dicts: a RESP3 map, or the RESP2 flat list.

    redis-py 8 speaks RESP3 by default, so the map is the usual case.
    """
    if isinstance(reply, dict):
        return [typed_person(hit["extra_attributes"]) for hit in reply["results"]]
    records = []
    for position in range(2, len(reply), 2):
        fields = reply[position]
        records.append(typed_person(dict(zip(fields[::2], fields[1::2]))))
    return records


def prepare_search(context: Context) -> tuple[Side, Side]:
    require_queries()
    Migrator = migrator()
    client = get_redis_connection(context.search_url)
    QueryPerson.Meta.database = client
    expected = context.sizes.query_records
    QueryPerson.add([QueryPerson(**values) for values in person_fields(expected * len(CITIES), seed=3)])
    Migrator([QueryPerson]).run(wait=True)

    query = QueryPerson.find(QueryPerson.city == MATCHING_CITY)
    arguments = query.explain()
    found = len(query.all())
    if found != expected:
        raise Unavailable(f"the query returned {found} records instead of {expected}")
    raw = context.raw_client()

    def search_raw() -> None:
        parse_search_reply(raw.execute_command(*arguments))

    return (lambda: throughput(expected, query.all)), (lambda: throughput(expected, search_raw))


def prepare_scan(context: Context) -> tuple[Side, Side]:
    require_queries()
    ScanPerson.Meta.database = get_redis_connection(context.plain_url)
    total = context.sizes.scan_records
    ScanPerson.add([ScanPerson(**values) for values in person_fields(total, seed=4)])
    query = ScanPerson.find(ScanPerson.city == MATCHING_CITY, engine="scan")
    raw = context.raw_client(context.plain_url)
    pattern = ":bench.ScanPerson:*"

    def read_batch(keys: list[str], found: list[dict[str, Any]]) -> None:
        pipeline = raw.pipeline(transaction=False)
        for key in keys:
            pipeline.hgetall(key)
        for mapping in pipeline.execute():
            if mapping and mapping.get("city") == MATCHING_CITY:
                found.append(typed_person(mapping))

    def scan_raw() -> None:
        found: list[dict[str, Any]] = []
        keys: list[str] = []
        for key in raw.scan_iter(match=pattern, count=SCAN_BATCH_SIZE, _type="hash"):
            keys.append(key)
            if len(keys) == SCAN_BATCH_SIZE:
                read_batch(keys, found)
                keys = []
        read_batch(keys, found)

    return (lambda: throughput(total, query.all)), (lambda: throughput(total, scan_raw))


CASES = [
    Case("find().all() returning {query_records:,} records", "redis-py FT.SEARCH + typed dicts", THROUGHPUT, 0.80,
         prepare_search),
    Case("scan-engine find().all() over {scan_records:,} records", "redis-py SCAN + pipelined HGETALL",
         THROUGHPUT, 0.70, prepare_scan, heavy=True),
]
