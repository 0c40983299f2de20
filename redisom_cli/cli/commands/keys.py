"""`om keys`: keys under a prefix or of a model, with type, TTL, memory and owning model.

Keys are listed with SCAN (never KEYS), and TYPE, TTL and MEMORY USAGE are sent in
pipelined batches, so a large database is walked without blocking the server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Optional

import typer

from redisom_cli.cli import render, session
from redisom_cli.cli.completion import complete_model
from redisom_cli.cli.options import CsvFlag, JsonFlag, JsonlFlag, command

COLUMNS = ["key", "type", "ttl", "memory", "model"]
BATCH_SIZE = 500
SCAN_COUNT = 1000
PROGRESS_THRESHOLD = 10_000  # keys in the database before a progress bar is worth showing
TYPE_ALIASES = {"json": "ReJSON-RL"}
INDEX_METADATA = " (index metadata)"


def register(app: typer.Typer) -> None:
    """Add `om keys` to the app."""
    command(app, "keys")(keys)


def keys(
    target: Annotated[Optional[str], typer.Argument(
        metavar="[PREFIX|MODEL]", autocompletion=complete_model,
        help="A model name or a key prefix, matched literally (with --glob, a pattern). Default: every key.")] = None,
    key_type: Annotated[Optional[str], typer.Option(
        "--type", "-t", metavar="TYPE", help="Only keys of this type: string, hash, json, list, set, zset, stream.")] = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=1, metavar="N", help="Stop after N keys.")] = None,
    glob: Annotated[bool, typer.Option(
        "--glob", "-g", help="Read PREFIX as a Redis glob pattern: *, ? and [...] match any characters.")] = False,
    json: JsonFlag = False,
    jsonl: JsonlFlag = False,
    csv: CsvFlag = False,
) -> None:
    """List keys with their type, TTL in seconds, memory in bytes and owning model; totals at the end.

    Ctrl-C stops the scan between batches; the keys listed so far are printed, and the exit
    code is 130.
    """
    from redisom_cli.cli.interrupts import BatchGuard

    output = render.choose_format(json, jsonl, csv)
    current = session.current()
    model = None if glob else _target_model(target, current)
    pattern = _pattern(target, model, glob)
    owners = _owners(current)
    client = current.client()
    server_type = TYPE_ALIASES.get(key_type.lower(), key_type) if key_type else None
    totals = Totals()
    listed: list[dict[str, Any]] = []
    try:
        with BatchGuard() as guard:
            rows = _rows(client, pattern, server_type, limit, owners, totals, model is not None, guard)
            if output == render.TABLE:
                # The totals end the table, so every row is read before anything is printed.
                listed.extend(rows)
            else:
                render.print_rows(rows, COLUMNS, output)
    except KeyboardInterrupt as error:
        if output == render.TABLE:
            footer = f"{totals.summary()}, interrupted: the list is incomplete"
            render.print_rows(listed, COLUMNS, output, footer=footer, numeric=("ttl", "memory"))
        raise KeyboardInterrupt(f"the scan stopped after {totals.summary()}; the list is incomplete") from error

    if output == render.TABLE:
        render.print_rows(listed, COLUMNS, output, footer=totals.summary(), numeric=("ttl", "memory"))
    else:
        render.note(f"om: {totals.summary()}")
    if totals.count == 0 and target and not glob:
        _hint_model(target, current)


class Totals:
    """Running totals of the listed keys."""

    def __init__(self) -> None:
        self.count = 0
        self.memory = 0
        self.by_type: dict[str, int] = {}

    def add(self, row: dict[str, Any]) -> None:
        """Count one listed key."""
        self.count += 1
        self.memory += row["memory"] or 0
        self.by_type[row["type"]] = self.by_type.get(row["type"], 0) + 1

    def summary(self) -> str:
        """Return "N keys, M bytes (hash 3, string 1)"."""
        kinds = ", ".join(f"{name} {count}" for name, count in sorted(self.by_type.items()))
        noun = "key" if self.count == 1 else "keys"
        return f"{self.count} {noun}, {self.memory} bytes" + (f" ({kinds})" if kinds else "")


def _target_model(target: Optional[str], current: Any) -> Any:
    """Return the model that TARGET names, or None when it is a prefix or pattern."""
    from redisom_cli.errors import InvalidInputError

    if not target or ":" in target:
        return None
    try:
        return current.registry().resolve(target).model
    except InvalidInputError:
        return None


def _pattern(target: Optional[str], model: Any, glob: bool) -> str:
    """Return the SCAN pattern: the model's record keys, TARGET itself with `glob`, else TARGET as a prefix."""
    from redisom_cli.model.meta import escape_glob

    if model is not None:
        return _record_pattern(model)
    if not target:
        return "*"
    if glob:
        return target
    return escape_glob(target) + "*"


def _record_pattern(model: Any) -> str:
    """Return the SCAN pattern of a model's record keys."""
    from redisom_cli.model.meta import scan_pattern

    return scan_pattern(model._meta)


def _owners(current: Any) -> list[tuple[str, str, Any]]:
    """Return (key prefix, model name, model) of every loaded model, longest prefix first."""
    entries = [(entry.model.key_prefix(), entry.name, entry.model) for entry in current.registry()]
    return sorted(entries, key=lambda item: len(item[0]), reverse=True)


def _owner(key: str, owners: list[tuple[str, str, Any]]) -> Optional[str]:
    from redisom_cli.model.meta import pk_from_key

    for prefix, name, model in owners:
        if not key.startswith(prefix):
            continue
        if model.is_indexed() and key.startswith(model.index_name() + ":"):
            return f"{name}{INDEX_METADATA}"
        if pk_from_key(model._meta, key) is not None:
            return name
    return None


def _rows(client: Any, pattern: str, key_type: Optional[str], limit: Optional[int],
          owners: list[tuple[str, str, Any]], totals: Totals, records_only: bool,
          guard: Any) -> Iterator[dict[str, Any]]:
    """Yield one row per key, up to `limit`; with `records_only`, index bookkeeping keys are left out."""
    from redisom_cli.store.errors import translated

    with translated():
        total = client.dbsize()
    batch_size = min(BATCH_SIZE, limit or BATCH_SIZE)
    bar = render.progress("Scanning keys", total=total, enabled=total >= PROGRESS_THRESHOLD)
    with bar:
        for batch in _batches(client, pattern, key_type, batch_size):
            with guard.batch():
                described = _describe(client, batch, key_type)
            for row in described:
                row["model"] = _owner(row["key"], owners)
                if records_only and (row["model"] or "").endswith(INDEX_METADATA):
                    continue
                totals.add(row)
                yield row
                if limit is not None and totals.count >= limit:
                    return
            bar.advance(bar.task_id, len(batch))


def _batches(client: Any, pattern: str, key_type: Optional[str], batch_size: int) -> Iterator[list[str]]:
    from redisom_cli.store.sync.client import scan_keys

    # NOTE: the client decodes replies as UTF-8, so a key name that is not valid UTF-8 stops
    # the scan with an internal error.
    batch: list[str] = []
    for key in scan_keys(client, pattern, SCAN_COUNT, key_type):
        batch.append(key)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _describe(client: Any, keys: list[str], key_type: Optional[str]) -> list[dict[str, Any]]:
    """Return type, TTL and memory of each key, from one pipeline with errors kept per key."""
    from redisom_cli.store.errors import translated

    pipeline = client.pipeline(transaction=False)
    for key in keys:
        pipeline.type(key)
        pipeline.ttl(key)
        pipeline.memory_usage(key)
    with translated():
        replies = pipeline.execute(raise_on_error=False)
    rows = []
    for index, key in enumerate(keys):
        kind, ttl, memory = replies[3 * index:3 * index + 3]
        rows.append({
            "key": key,
            "type": kind if isinstance(kind, str) else (key_type or "unknown"),
            "ttl": ttl if isinstance(ttl, int) and ttl >= 0 else None,
            # MEMORY USAGE may be refused by managed servers; the column is then empty.
            "memory": memory if isinstance(memory, int) else None,
        })
    return rows


def _hint_model(target: str, current: Any) -> None:
    from redisom_cli.errors import InvalidInputError

    try:
        current.registry().resolve(target)
    except InvalidInputError as error:
        if "did you mean" in str(error):
            render.note(f"om: no keys start with {target!r}; as a model name: {error}")
