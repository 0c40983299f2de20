# Generated from redisom_cli/store/aio/query.py by scripts/unasync.py: edit that file, not this one.
"""The query object of `Model.find()` and the I/O of its two engines.

The RediSearch engine sends FT.SEARCH with LIMIT in batches. FT.SEARCH sorts by one field,
so a query sorted by several fields fetches the keys and sort values of every match, sorts
them in the client and then reads the records of the requested page.

The scan engine runs on servers without the Search module and on clusters whose Search
module searches one shard only. It SCANs the model's key prefix, reads the records with
pipelined HGETALL or JSON.GET, tests the compiled predicate and sorts and pages in the client.

NOTE: both engines sort distinct values the same way, but not ties or missing values.
RediSearch puts a JSON null first in ascending order and folds the case of SORTABLE hash TAG
values. The scan engine puts missing values last and compares stored text as it is.

Everything else (parsing, binding, compiling, reply parsing) is pure and lives in
`redisom_cli.query`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import Any, NamedTuple

import redis.exceptions
from redis.client import NEVER_DECODE

from redisom_cli.errors import NotFoundError, QueryError
from redisom_cli.model import meta as meta_rules
from redisom_cli.query import predicate, redisearch, replies
from redisom_cli.query.expressions import KNNExpression
from redisom_cli.query.plan import Plan, SortKey, build_plan, check_field_names, row_sort_key
from redisom_cli.store.sync.client import probe
from redisom_cli.store.errors import translated

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 1000
SCAN_COUNT = 1000
WRITE_BATCH_SIZE = 1000
ENGINES = ("auto", "search", "scan")
SCAN_TYPES = {"hash": "hash", "json": "ReJSON-RL"}


class Results(list):
    """A list of query results, with the warnings the server reported while producing them."""

    def __init__(self, items: Any = (), warnings: Any = ()) -> None:
        super().__init__(items)
        self.warnings: list[str] = list(warnings)


class Row(NamedTuple):
    """One matching record as stored: its key and its raw fields or document."""

    key: str
    raw: Any


@dataclasses.dataclass(frozen=True)
class _Options:
    expressions: tuple[Any, ...]
    knn: KNNExpression | None = None
    sort: tuple[str, ...] = ()
    fields: tuple[str, ...] | None = None
    as_dicts: bool = False
    engine: str = "auto"
    batch_size: int = DEFAULT_BATCH_SIZE


class Query:
    """The records of a model that match a query, fetched when a method requests them.

    Builder methods (`sort_by`, `values`, `only`) return a new query; the query itself never
    changes. The query is bound and compiled when it is created, so an unknown field, an
    operator the field does not support or a value that does not convert raises QueryError
    right away.
    """

    def __init__(self, model: type, expressions: Any = (), engine: str = "auto", knn: KNNExpression | None = None,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if engine not in ENGINES:
            raise QueryError(f"invalid engine {engine!r}; use one of {', '.join(ENGINES)}")
        if not isinstance(batch_size, int) or batch_size < 1:
            raise QueryError(f"batch_size must be a positive integer, not {batch_size!r}")
        expressions = tuple(expressions)
        # `find(filter, knn)` works as well as Redis OM Python's `find(filter, knn=knn)`.
        knn = knn or next((item for item in expressions if isinstance(item, KNNExpression)), None)
        expressions = tuple(item for item in expressions if not isinstance(item, KNNExpression))
        self.model = model
        self._options = _Options(expressions, knn, engine=engine, batch_size=batch_size)
        self.plan: Plan = build_plan(model, self._options.expressions, knn)

    @property
    def _binary_fields(self) -> frozenset[str]:
        """The hash fields that hold raw vector bytes, which must be read without decoding."""
        if self.plan.storage != "hash":
            return frozenset()
        return frozenset(spec.attribute for spec in self.model.specs() if spec.options.vector_options is not None)

    def _copy(self, **changes: Any) -> Query:
        options = dataclasses.replace(self._options, **changes)
        query = Query.__new__(Query)
        query.model = self.model
        query._options = options
        query.plan = build_plan(self.model, options.expressions, options.knn, options.sort) if "sort" in changes else self.plan
        return query

    def __repr__(self) -> str:
        return f"<Query {self.model.__name__} {self.plan.query_text!r}>"

    # --- builders --------------------------------------------------------------------------

    def sort_by(self, *fields: str) -> Query:
        """Sort by fields, in order; a leading '-' sorts that field in descending order."""
        return self._copy(sort=tuple(fields))

    def values(self, *fields: str) -> Query:
        """Return dicts instead of models: all fields, or only the named ones (`address__city` works)."""
        if fields:
            check_field_names(self.model, fields, "return")
        return self._copy(as_dicts=True, fields=tuple(fields) or None)

    def only(self, *fields: str) -> Query:
        """Return models with only the named top-level fields set."""
        if not fields:
            raise QueryError("only() needs at least one field name")
        for path in check_field_names(self.model, fields, "return"):
            if len(path) > 1:
                raise QueryError(f"only() takes top-level fields, not {'.'.join(path)!r}; use values() for nested ones")
        return self._copy(as_dicts=False, fields=tuple(fields))

    # --- reading ---------------------------------------------------------------------------

    def all(self, batch_size: int | None = None) -> Results:
        """Return every matching record, fetched in batches of `batch_size` (default 1000)."""
        query = self if batch_size is None else self._copy(batch_size=batch_size)
        return query._results(0, None)

    def page(self, offset: int = 0, limit: int = 10) -> Results:
        """Return up to `limit` matching records after skipping `offset` of them."""
        if offset < 0 or limit < 0:
            raise QueryError(f"page() needs a non-negative offset and limit, not {offset} and {limit}")
        return self._results(offset, limit)

    def first(self) -> Any:
        """Return the first matching record; raise NotFoundError if nothing matches."""
        results = self._results(0, 1)
        if not results:
            raise NotFoundError(f"no {self.model.__name__} matches the query {self.plan.query_text!r}",
                                model=self.model.__name__)
        return results[0]

    def count(self) -> int:
        """Return the number of matching records, without fetching them."""
        if self._engine() == "search":
            request = self.plan.search_request(0, 0, no_content=True)
            page = self._search(request)
            return page.total
        return len(self._scan_rows())

    def explain(self, offset: int = 0, limit: int | None = None) -> list[Any]:
        """Return the first command that the query sends, as an argument list.

        That is the first command of `all()`, or of `page(offset, limit)` when `limit` is given.
        """
        if self._engine() == "search":
            size = self._options.batch_size if limit is None else min(self._options.batch_size, limit)
            return redisearch.search_args(self._search_request(offset, size))
        storage = self.plan.storage
        return ["SCAN", 0, "MATCH", meta_rules.scan_pattern(self.model._meta), "COUNT", SCAN_COUNT,
                "TYPE", SCAN_TYPES[storage]]

    def __iter__(self) -> Any:
        for record in self.all():
            yield record

    # --- writing ---------------------------------------------------------------------------

    def delete(self) -> int:
        """Delete every matching record; return the number of keys deleted."""
        keys = self._keys()
        deleted = 0
        for start in range(0, len(keys), WRITE_BATCH_SIZE):
            commands = [("DEL", key) for key in keys[start:start + WRITE_BATCH_SIZE]]
            deleted += sum(int(reply) for reply in self._pipeline(commands, transaction=False))
        return deleted

    def update(self, **fields: Any) -> int:
        """Set fields on every matching record; return the number of records updated.

        Every record is validated before anything is written, so a value that a record
        rejects raises pydantic's ValidationError and changes nothing. Writes go in
        MULTI/EXEC batches of 1000 records.
        """
        if not fields:
            raise QueryError("update() needs at least one field=value")
        check_field_names(self.model, list(fields), "update")
        records = self._copy(as_dicts=False, fields=None)._results(0, None)
        commands = [record.with_changes(fields).update_commands(fields) for record in records]
        for start in range(0, len(commands), WRITE_BATCH_SIZE):
            batch = [command for group in commands[start:start + WRITE_BATCH_SIZE] for command in group]
            if batch:
                self._pipeline(batch, transaction=True)
        return len(records)

    # --- shared steps ----------------------------------------------------------------------

    def _engine(self) -> str:
        engine = self._options.engine
        if engine == "auto" and self.plan.requires_scan and self.plan.knn is None:
            # NOTE: this reads every record of the model, because FT.SEARCH would miss JSON nulls.
            logger.info("%s: exists/missing on a JSON TAG field runs on the scan engine", self.model.__name__)
            return "scan"
        if engine != "scan":
            capabilities = probe(self.model.db())
            if engine == "search" and capabilities.cluster and not capabilities.coordinator:
                raise QueryError(
                    f"{self.model.__name__}: FT.SEARCH on this cluster searches one shard only, so it would "
                    "return partial results; use engine='scan' or engine='auto'"
                )
            engine = "search" if engine == "search" or capabilities.search_sees_all_keys else "scan"
            if engine == "scan" and capabilities.search:
                _notice_partial_search(self.model)
        if engine == "scan" and self.plan.knn is not None:
            raise QueryError(f"{self.model.__name__}: KNN queries need the Search module; the scan engine cannot run them")
        return engine

    def _results(self, offset: int, limit: int | None) -> Results:
        warnings: list[str] = []
        if limit == 0:
            return Results()
        end = None if limit is None else offset + limit
        if self._engine() == "scan":
            rows = _sort_rows(self.plan, self._scan_rows(), self._stored_values)
            documents = [row.raw for row in rows[offset:end]]
        elif self.plan.sorts_in_client:
            documents = [row.raw for row in self._client_sorted_rows(offset, end)]
        else:
            documents = self._search_documents(offset, limit, warnings)
        if self._options.as_dicts or self._options.fields is not None:
            return Results([self._record(document) for document in documents], warnings)
        return Results(self.model.from_redis_many(documents), warnings)

    def _keys(self) -> list[str]:
        """Return the key of every matching record, in no particular order."""
        if self._engine() == "scan":
            return [row.key for row in self._scan_rows()]
        keys: list[str] = []
        for page in self._search_pages(0, None, content=False):
            keys.extend(page.keys)
        return keys

    def _stored_values(self, row: Row, key: SortKey) -> list[Any]:
        if key.spec is None:
            return []
        return predicate.field_values(key.spec, row.raw, self.plan.storage)

    def _record(self, document: Any) -> Any:
        """Build the result for one stored document: a model, a partial model or a dict.

        Every document is a dict of its own (a parsed reply), so from_redis may change it.
        """
        model = self.model
        record = model.from_redis(document)
        fields = self._options.fields
        if self._options.as_dicts:
            return record.model_dump() if fields is None else {name: _path_value(record, name) for name in fields}
        if fields is not None:
            return model.model_construct(**{name: getattr(record, name) for name in fields})
        return record

    # --- RediSearch engine -----------------------------------------------------------------

    def _search_request(self, offset: int, limit: int, content: bool = True,
                        return_fields: tuple[str, ...] | None = None) -> redisearch.SearchRequest:
        return self.plan.search_request(offset, limit, no_content=not content and return_fields is None,
                                        return_fields=return_fields, server_sort=not self.plan.sorts_in_client)

    def _search(self, request: redisearch.SearchRequest, with_info: bool = False) -> Any:
        args = redisearch.search_args(request)
        logger.debug("FT.SEARCH %s %r LIMIT %s %s", request.index, request.query, request.offset, request.limit)
        client = self.model.db()
        options = {NEVER_DECODE: True} if self._binary_fields else {}
        info = None
        with translated(self.model, index=request.index):
            try:
                if not with_info:
                    reply = client.execute_command(*args, **options)
                else:
                    pipeline = client.pipeline(transaction=False)
                    pipeline.execute_command(*args, **options)
                    pipeline.execute_command("FT.INFO", request.index)
                    reply, info = pipeline.execute()
            except redis.exceptions.ResponseError as error:
                raise _index_missing_option(self.model, error) or error
        page = replies.parse_search(reply, request.no_content)
        if options:
            fields = [replies.decode_fields(hit_fields, self._binary_fields) for hit_fields in page.fields]
            page = dataclasses.replace(page, fields=fields)
        if info is None:
            return page
        return dataclasses.replace(page, warnings=page.warnings + tuple(_failure_warnings(request.index, info)))

    def _search_pages(self, offset: int, limit: int | None, content: bool,
                            warnings: list[str] | None = None) -> Any:
        """Yield the FT.SEARCH pages of `limit` matches (None: all) after `offset`.

        The first page of a query that reads records is sent with FT.INFO, whose indexing
        failures become a warning.
        """
        position = offset
        fetched = 0
        # NOTE: FT.SEARCH rejects an offset past MAXSEARCHRESULTS (1,000,000 by default), so a
        # longer result needs that server setting raised.
        while limit is None or fetched < limit:
            size = self._options.batch_size if limit is None else min(self._options.batch_size, limit - fetched)
            page = self._search(self._search_request(position, size, content), with_info=content and not fetched)
            if warnings is not None:
                warnings.extend(page.warnings)
            yield page
            fetched += len(page.keys)
            position += len(page.keys)
            if len(page.keys) < size or position >= page.total:
                break

    def _search_documents(self, offset: int, limit: int | None, warnings: list[str]) -> list[Any]:
        """Return the stored documents of the matches, each with its KNN score when there is one.

        This is the hot path of `all()`, so it builds no Row objects, only the documents.
        """
        documents: list[Any] = []
        as_json = self.plan.storage == "json"
        score_attribute = self.plan.knn.score_attribute if self.plan.knn else None
        for page in self._search_pages(offset, limit, True, warnings):
            if not as_json and score_attribute is None:
                documents.extend(page.fields)
                continue
            for fields in page.fields:
                document = json.loads(fields["$"]) if as_json else fields
                score = fields.get(score_attribute) if score_attribute else None
                if score is not None:
                    document[score_attribute] = score
                documents.append(document)
        return documents

    def _client_sorted_rows(self, offset: int, end: int | None) -> list[Row]:
        """Return the matches from `offset` to `end`, sorted in the client by every sort field."""
        attributes = tuple(dict.fromkeys(key.attribute for key in self.plan.sort))
        hits: list[replies.SearchHit] = []
        while True:
            page = self._search(self._search_request(len(hits), self._options.batch_size, return_fields=attributes))
            hits.extend(page.hits)
            if len(page.keys) < self._options.batch_size or len(hits) >= page.total:
                break
        ordered = _sort_rows(self.plan, [Row(hit.key, hit.fields) for hit in hits], _returned_values)
        chosen = ordered[offset:end]
        raws = self._read([row.key for row in chosen])
        return [Row(row.key, raw) for row, raw in zip(chosen, raws) if raw is not None]

    # --- scan engine -----------------------------------------------------------------------

    def _scan_rows(self) -> list[Row]:
        matches: list[Row] = []
        batch: list[str] = []
        for key in self._scan_keys():
            batch.append(key)
            if len(batch) >= self._options.batch_size:
                matches.extend(self._matching(batch))
                batch = []
        if batch:
            matches.extend(self._matching(batch))
        return matches

    def _scan_keys(self) -> Any:
        model = self.model
        pattern = meta_rules.scan_pattern(model._meta)
        logger.debug("SCAN MATCH %r TYPE %s", pattern, SCAN_TYPES[self.plan.storage])
        with translated(model):
            for key in model.db().scan_iter(match=pattern, count=SCAN_COUNT, _type=SCAN_TYPES[self.plan.storage]):
                text = key if isinstance(key, str) else key.decode()
                if meta_rules.pk_from_key(model._meta, text) is not None:
                    yield text

    def _matching(self, keys: list[str]) -> list[Row]:
        raws = self._read(keys)
        test = self.plan.test
        return [Row(key, raw) for key, raw in zip(keys, raws) if raw is not None and test(raw)]

    def _read(self, keys: list[str]) -> list[Any]:
        """Read stored records by key in one pipeline; a missing record is None."""
        if not keys:
            return []
        binary = self._binary_fields
        commands = [self.model.get_command(key) for key in keys]
        stored = self._pipeline(commands, transaction=False, raw=bool(binary))
        if binary:
            stored = [replies.decode_fields(replies.parse_mapping(reply), binary) if reply else None for reply in stored]
        return [_decode_stored(self.plan.storage, reply) for reply in stored]

    def _pipeline(self, commands: list[tuple], transaction: bool, raw: bool = False) -> list[Any]:
        pipeline = self.model.db().pipeline(transaction=transaction)
        options = {NEVER_DECODE: True} if raw else {}
        for command in commands:
            pipeline.execute_command(*command, **options)
        logger.debug("pipeline of %d commands (transaction=%s)", len(commands), transaction)
        with translated(self.model):
            return pipeline.execute()


def _decode_stored(storage: str, reply: Any) -> Any:
    if storage == "json":
        return json.loads(reply) if reply is not None else None
    return dict(reply) if reply else None


def _returned_values(row: Row, key: SortKey) -> list[Any]:
    value = row.raw.get(key.attribute)
    return [] if value is None else [value]


def _sort_rows(plan: Plan, rows: list[Row], values_of: Any) -> list[Row]:
    if not plan.sort:
        return sorted(rows, key=lambda row: row.key)
    keys = [(row_sort_key(key, values_of), key.descending) for key in plan.sort]
    return predicate.sort_rows(rows, keys)


def _path_value(record: Any, name: str) -> Any:
    value = record
    for part in name.replace("__", ".").split("."):
        value = getattr(value, part, None) if value is not None else None
    return value


_noticed_models: set[type] = set()


def _notice_partial_search(model: type) -> None:
    """Log once per model that the scan engine replaces a Search module limited to one shard."""
    if model in _noticed_models:
        return
    _noticed_models.add(model)
    logger.warning(
        "%s: Search on this Redis Cluster sees one shard only, so the query scans every primary instead",
        model.__name__,
    )


def _failure_warnings(index: str, info_reply: Any) -> list[str]:
    failures = replies.indexing_failures(replies.parse_info(info_reply))
    if not failures:
        return []
    message = (
        f"the search index {index!r} failed to index {failures} document(s), which no query can find; "
        "see FT.INFO for the last error, fix those records and save them again"
    )
    logger.warning("%s", message)
    return [message]


def _index_missing_option(model: type, error: Exception) -> QueryError | None:
    if "INDEXMISSING" not in str(error):
        return None
    return QueryError(
        f"{model.__name__}: this exists/missing test needs the field indexed with INDEXMISSING, which the "
        "Migrator adds to Optional fields only; declare the field Optional and run the migration"
    )
