"""The servers, sizes and scratch folder that every case of one run shares."""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import redis

from redisom_cli.store.embedded import EmbeddedServer


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How many records or operations each case handles, and how many rounds it runs."""

    rounds: int
    heavy_rounds: int  # for cases that start processes or take seconds a round
    min_round_seconds: float  # a shorter throughput run is repeated
    single_operations: int
    bulk_records: int
    query_records: int
    scan_records: int
    import_rows: int | None  # None imports every row of airports.csv
    export_small: int
    export_large: int

    @property
    def import_scope(self) -> str:
        """The rows that the import case reads, for its name."""
        return "every row" if self.import_rows is None else f"first {self.import_rows:,} rows"


FULL = Sizes(rounds=21, heavy_rounds=5, min_round_seconds=0.25, single_operations=500, bulk_records=20_000,
             query_records=1_000, scan_records=100_000, import_rows=None, export_small=10_000,
             export_large=100_000)
QUICK = Sizes(rounds=9, heavy_rounds=2, min_round_seconds=0.0, single_operations=300, bulk_records=3_000,
              query_records=1_000, scan_records=10_000, import_rows=3_000, export_small=1_000,
              export_large=10_000)


@dataclasses.dataclass
class Context:
    """The state that the cases of one run share: the two servers, the sizes and a scratch folder."""

    search_url: str
    plain_url: str
    sizes: Sizes
    scratch: Path
    quick: bool

    def raw_client(self, url: str | None = None) -> redis.Redis:
        """Return a redis-py client with the options the library uses (replies decoded)."""
        return redis.Redis.from_url(url or self.search_url, decode_responses=True)


@contextmanager
def bench_context(quick: bool) -> Iterator[Context]:
    """Start a server with Search and JSON and a plain one, in a temporary folder, for one run.

    REDIS_OM_URL is set to the Search server, because Redis OM Python reads it when it
    is first imported and both libraries then share one server.
    """
    with ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="om-bench-")))
        search = stack.enter_context(EmbeddedServer(scratch / "search", modules=True))
        plain = stack.enter_context(EmbeddedServer(scratch / "plain", modules=False))
        os.environ["REDIS_OM_URL"] = search.url
        yield Context(search.url, plain.url, QUICK if quick else FULL, scratch, quick)
