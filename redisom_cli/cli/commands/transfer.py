"""`om import` and `om export`: records from and to JSON Lines and CSV files, streamed.

Import validates every row with the model and writes the valid ones in pipelined batches.
Each rejected row is reported with its line number and reason. Export writes each batch of
records as soon as it is read, so memory use does not grow with the number of records.
"""

from __future__ import annotations

import csv as csvlib
import json as jsonlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from redisom_cli.cli import render, session
from redisom_cli.cli.completion import complete_model
from redisom_cli.cli.options import command

BATCH_SIZE = 1000  # records per pipeline, as Model.add() batches them
MAX_REPORTED_ERRORS = 50
# Maximum length of a line and of a CSV cell that `om import` reads, in characters. Memory stays
# bounded by these, whatever the input, and a 10 MB string field still fits.
MAX_LINE_CHARACTERS = 64 * 1024 * 1024
FORMATS = ("csv", "jsonl")
SUFFIX_FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}

ModelArgument = Annotated[str, typer.Argument(
    metavar="MODEL", help="Model class name or dotted path.", autocompletion=complete_model)]
FormatOption = Annotated[Optional[str], typer.Option(
    "--format", metavar="FORMAT", help="csv or jsonl. Default: from the file suffix; for '-', from the first line.")]


def register(app: typer.Typer) -> None:
    """Add `om import` and `om export` to the app."""
    command(app, "import")(import_records)
    command(app, "export")(export_records)


class ImportReport:
    """Counts of one import, the messages of its first rejected rows, and where to resume it."""

    def __init__(self, label: str, resume_from: int = 1) -> None:
        self.label = label
        self.valid = 0
        self.written = 0
        self.skipped = 0
        self.rejected = 0
        self.last_line = resume_from - 1
        self.batch_start: Optional[int] = None  # first line of the rows read but not yet written
        self.generated_pks = False  # whether some rows had no primary key, so writing them again duplicates them

    def reject(self, line: int, reason: str) -> None:
        """Count a rejected row and report it on stderr (the first few only)."""
        self.rejected += 1
        if self.rejected <= MAX_REPORTED_ERRORS:
            render.note(f"om: {self.label}, line {line}: {reason}")
        elif self.rejected == MAX_REPORTED_ERRORS + 1:
            render.note(f"om: more rejected rows are counted but not shown (after {MAX_REPORTED_ERRORS})")

    def resume_line(self) -> int:
        """Return the first line whose row may not have been written."""
        return self.batch_start if self.batch_start is not None else self.last_line + 1

    def stopped(self, model: type) -> str:
        """Return what a stopped import wrote, and how to continue it without duplicates."""
        line = self.resume_line()
        done = f"import stopped: {self.written} {model.__name__} record(s) written"
        if self.generated_pks:
            return (f"{done}; to continue, run the command again with --resume-from {line}, not without it: "
                    "rows without a pk would be written twice, under new primary keys")
        return (f"{done}; to continue, run the same command again, or with --resume-from {line} "
                "to skip the rows already written")


def import_records(
    model: ModelArgument,
    file: Annotated[str, typer.Argument(
        metavar="FILE", help="A .csv or .jsonl file, '-' for stdin, or a data set that the models module names.")],
    format: FormatOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate every row, write nothing.")] = False,
    skip_existing: Annotated[bool, typer.Option(
        "--skip-existing", help="Leave records that already exist unchanged; by default they are overwritten.")] = False,
    batch_size: Annotated[int, typer.Option(
        "--batch-size", min=1, max=10_000, metavar="N", help="Records per pipelined batch.")] = BATCH_SIZE,
    resume_from: Annotated[int, typer.Option(
        "--resume-from", min=1, metavar="LINE",
        help="Skip the rows before line LINE, to continue an import that stopped there.")] = 1,
) -> None:
    """Import records from CSV or JSON Lines: each row validated, valid rows written in batches.

    CSV columns are field names (nested: address.city); empty cells are left out, so the
    field's default applies. Exits 2 when any row was rejected. An import stopped by a
    server failure (exit 1) or Ctrl-C (exit 130) prints the line to continue from.
    """
    from redisom_cli.cli.interrupts import BatchGuard
    from redisom_cli.errors import InvalidInputError, ServerError

    current = session.current()
    cls = current.model(model)
    path, label = _source(file, current)
    kind = _format_of(path, format)
    report = ImportReport(label, resume_from)
    try:
        with _open(path) as stream, BatchGuard() as guard:
            if kind == "sniff":
                kind, stream = _sniffed(stream)
            lines = _bounded_lines(stream, label)
            rows = _csv_rows(cls, lines, label) if kind == "csv" else _jsonl_rows(lines)
            _load(cls, rows, report, _LoadOptions(dry_run, skip_existing, batch_size, resume_from, guard),
                  _line_total(path))
    except ServerError as error:
        raise type(error)(f"{error}\nom: {report.stopped(cls)}") from error
    except KeyboardInterrupt as error:
        raise KeyboardInterrupt(report.stopped(cls)) from error
    _summarize(cls, label, report, dry_run)
    if report.rejected:
        raise InvalidInputError(f"{report.rejected} row(s) of {label} rejected; the valid rows were "
                                + ("checked" if dry_run else "written"))


def _source(file: str, current: Any) -> tuple[Optional[Path], str]:
    """Return the path to read (None for stdin) and a label for messages."""
    from redisom_cli.errors import InvalidInputError

    if file == "-":
        return None, "stdin"
    path = Path(file)
    if path.exists():
        return path, str(path)
    datasets = current.registry().datasets()
    if file in datasets:
        return Path(datasets[file]()), file
    offered = f"; data sets of the loaded models: {', '.join(sorted(datasets))}" if datasets else ""
    raise InvalidInputError(f"cannot read {file!r}: no such file{offered}")


def _format_of(path: Optional[Path], chosen: Optional[str]) -> str:
    from redisom_cli.errors import InvalidInputError

    if chosen is not None:
        if chosen.lower() not in FORMATS:
            raise InvalidInputError(f"unknown format {chosen!r}; use csv or jsonl")
        return chosen.lower()
    if path is None:
        return "sniff"
    kind = SUFFIX_FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InvalidInputError(f"cannot tell the format of {str(path)!r} from its suffix; pass --format csv or jsonl")
    return kind


class _open:
    """Open a file (or stdin for None) as text; a sniffed stdin is peeked to choose the format."""

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self.stream: Any = None

    def __enter__(self) -> Any:
        from redisom_cli.errors import InvalidInputError

        if self.path is None:
            return sys.stdin
        try:
            self.stream = self.path.open(encoding="utf-8-sig", newline="")
        except OSError as error:
            raise InvalidInputError(f"cannot read {str(self.path)!r}: {error.strerror or error}") from error
        return self.stream

    def __exit__(self, *exc_info: object) -> None:
        if self.stream is not None:
            self.stream.close()


def _line_total(path: Optional[Path]) -> Optional[int]:
    """Return the number of lines of a file for the progress bar, when stderr is a terminal."""
    if path is None or not sys.stderr.isatty():
        return None
    with path.open("rb") as stream:
        return sum(1 for _ in stream)


class _Column:
    """One CSV column: its field path, and whether its cells are lists (None for an unknown field)."""

    __slots__ = ("path", "is_list")

    def __init__(self, path: tuple[str, ...], is_list: Optional[bool]) -> None:
        self.path = path
        self.is_list = is_list


def _csv_columns(model: type, header: list[str]) -> list[_Column]:
    """Return the columns of a CSV header, noting on stderr the ones the model does not have."""
    from redisom_cli.cli.assignments import field_annotation
    from redisom_cli.errors import InvalidInputError
    from redisom_cli.model.specs import shape_of

    columns = []
    ignored = []
    for name in header:
        path = tuple(name.strip().replace("__", ".").split("."))
        try:
            columns.append(_Column(path, shape_of(field_annotation(model, path)).is_list))
        except InvalidInputError:
            columns.append(_Column(path, None))
            ignored.append(name)
    if ignored:
        render.note(f"om: note: ignoring columns that {model.__name__} does not have: {', '.join(ignored)}")
    return columns


def _csv_rows(model: type, lines: Iterator[str], label: str) -> Iterator[tuple[int, Any]]:
    """Yield (line number, document or error message) for each CSV record.

    The field types are looked up once per column, not per cell, because this loop runs for
    every cell of files with hundreds of thousands of rows.
    """
    from redisom_cli.errors import InvalidInputError

    csvlib.field_size_limit(MAX_LINE_CHARACTERS)
    reader = csvlib.reader(lines, strict=True)
    try:
        header = next(reader, None)
    except csvlib.Error as error:
        raise InvalidInputError(f"{label}, line {reader.line_num}: {_csv_error_message(str(error))} "
                                "in the header") from error
    if header is None:
        return
    columns = _csv_columns(model, header)

    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csvlib.Error as error:
            start, line = line, reader.line_num + 1
            yield start, _csv_error_message(str(error))
            continue
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(columns):
            yield start, f"expected {len(columns)} columns, found {len(cells)}"
            continue
        try:
            yield start, _csv_document(columns, cells)
        except InvalidInputError as error:
            yield start, str(error)


def _csv_document(columns: list[_Column], cells: list[str]) -> dict[str, Any]:
    """Return the document of one CSV row; empty cells are left out so that defaults apply."""
    from redisom_cli.cli.assignments import list_value

    document: dict[str, Any] = {}
    for column, cell in zip(columns, cells):
        if cell == "" or column.is_list is None:
            continue
        value = list_value(cell) if column.is_list else cell
        if len(column.path) == 1:
            document[column.path[0]] = value
            continue
        target = document
        for part in column.path[:-1]:
            target = target.setdefault(part, {})
        target[column.path[-1]] = value
    return document


def _csv_error_message(error: str) -> str:
    if "unexpected end of data" in error:
        return "invalid CSV: a quoted cell that starts on this line is never closed (a missing '\"'?)"
    if "field larger than field limit" in error:
        return f"invalid CSV: a cell longer than {MAX_LINE_CHARACTERS} characters (an unclosed quote?)"
    return f"invalid CSV: {error}"


def _bounded_lines(stream: Any, label: str) -> Iterator[str]:
    """Yield the lines of a text stream; raise InvalidInputError for a line longer than MAX_LINE_CHARACTERS.

    `for line in stream` would read a line of any length into memory at once.
    """
    from redisom_cli.errors import InvalidInputError

    number = 0
    while True:
        text = stream.readline(MAX_LINE_CHARACTERS + 1)
        if not text:
            return
        number += 1
        if len(text) > MAX_LINE_CHARACTERS:
            raise InvalidInputError(f"{label}, line {number}: longer than {MAX_LINE_CHARACTERS} characters, "
                                    "which om import does not read; split the record or the file")
        yield text


def _jsonl_rows(lines: Iterator[str]) -> Iterator[tuple[int, Any]]:
    """Yield (line number, document or error message) for each JSON Lines record."""
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            document = jsonlib.loads(text)
        except ValueError as error:
            yield number, f"invalid JSON: {error}"
            continue
        if not isinstance(document, dict):
            yield number, f"expected a JSON object, found {type(document).__name__}"
            continue
        yield number, document


class _PeekedStream:
    """A text stream whose first line was read to sniff the format, with that line put back."""

    def __init__(self, first: str, stream: Any) -> None:
        self.first: Optional[str] = first
        self.stream = stream

    def readline(self, limit: int = -1) -> str:
        if self.first is None:
            return self.stream.readline(limit)
        first, self.first = self.first, None
        return first


def _sniffed(stream: Any) -> tuple[str, Any]:
    """Return the format of stdin from its first line, and the stream with that line put back."""
    first = stream.readline(MAX_LINE_CHARACTERS + 1)
    kind = "jsonl" if first.lstrip().startswith("{") else "csv"
    return kind, _PeekedStream(first, stream)


class _LoadOptions:
    """The options of `om import` that decide what `_load` writes."""

    def __init__(self, dry_run: bool, skip_existing: bool, batch_size: int, resume_from: int, guard: Any) -> None:
        self.dry_run = dry_run
        self.skip_existing = skip_existing
        self.batch_size = batch_size
        self.resume_from = resume_from
        self.guard = guard


def _load(model: type, rows: Any, report: ImportReport, options: _LoadOptions, total: Optional[int]) -> None:
    """Validate rows and write the valid ones in pipelined batches, from line `resume_from` on."""
    from pydantic import ValidationError

    from redisom_cli.cli.failures import describe_validation_error

    generated_pk = model.__om_primary_key__ == "pk"
    batch: list[Any] = []
    bar = render.progress(f"Importing {model.__name__}", total=total)
    with bar:
        for line, document in rows:
            bar.update(bar.task_id, completed=line)
            if line < options.resume_from:
                continue
            if report.batch_start is None:
                report.batch_start = line
            report.last_line = line
            if isinstance(document, str):
                report.reject(line, document)
                continue
            try:
                batch.append(model.model_validate(document))
            except ValidationError as error:
                report.reject(line, describe_validation_error(error, prefix="invalid"))
                continue
            report.generated_pks = report.generated_pks or (generated_pk and document.get("pk") is None)
            report.valid += 1
            if len(batch) >= options.batch_size:
                _write(model, batch, report, options)
                batch = []
        _write(model, batch, report, options)


def _write(model: type, records: list[Any], report: ImportReport, options: _LoadOptions) -> None:
    from redisom_cli.store.errors import translated
    from redisom_cli.store.sync.client import is_cluster

    if options.dry_run or not records:
        report.batch_start = None
        return
    client = model.db()
    # Rows without a primary key get a new one each time they are written, so their batch
    # runs in MULTI/EXEC and is written whole or not at all. Then --resume-from can start at
    # the first line of a failed batch without writing its rows twice. A cluster cannot run
    # MULTI/EXEC over keys of several slots.
    # NOTE: a connection lost after the server ran EXEC but before its reply arrived still
    # leaves the batch written and reported as not written.
    pipeline = client.pipeline(transaction=report.generated_pks and not is_cluster(client))
    for record in records:
        for command_args in record.save_commands(nx=options.skip_existing):
            pipeline.execute_command(*command_args)
    # A Ctrl-C during the batch is raised when the block ends, after the counts are updated.
    with options.guard.batch():
        with translated(model):
            replies = pipeline.execute()
        report.batch_start = None
        if options.skip_existing:
            # With nx each record is one conditional command, whose reply is empty when the key existed.
            written = sum(1 for reply in replies if reply)
            report.written += written
            report.skipped += len(records) - written
        else:
            report.written += len(records)


def _summarize(model: type, label: str, report: ImportReport, dry_run: bool) -> None:
    name = model.__name__
    if dry_run:
        render.note(f"om: dry run: {report.valid} valid {name} row(s), {report.rejected} rejected, nothing written")
        return
    skipped = f", {report.skipped} skipped as existing" if report.skipped else ""
    render.note(f"om: imported {report.written} {name} record(s) from {label}{skipped}, {report.rejected} rejected")


def export_records(
    model: ModelArgument,
    query: Annotated[Optional[list[str]], typer.Argument(
        metavar="[QUERY]...", help="Only records matching the query (joined with AND). Default: all.")] = None,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Write JSON Lines (the default).")] = False,
    csv: Annotated[bool, typer.Option("--csv", help="Write CSV with a header line; lists as JSON text.")] = False,
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE", help="Write to FILE instead of stdout.")] = None,
) -> None:
    """Export records as JSON Lines or CSV, streamed in batches.

    A server failure (exit 1) or Ctrl-C (exit 130) stops the export between batches, and
    the message reports how many records were written before it.
    """
    from redisom_cli.cli.interrupts import BatchGuard
    from redisom_cli.errors import ServerError

    current = session.current()
    cls = current.model(model)
    kind = render.choose_format(False, jsonl, csv)
    kind = render.CSV if kind == render.CSV else render.JSONL
    batches = _query_batches(cls, query) if query else _all_batches(cls)
    stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    progress = _ExportProgress()
    try:
        with BatchGuard() as guard:
            _write_export(cls, batches, kind, stream, guard, progress)
    except ServerError as error:
        raise type(error)(f"{error}\nom: {progress.stopped(cls)}") from error
    except KeyboardInterrupt as error:
        raise KeyboardInterrupt(progress.stopped(cls)) from error
    finally:
        if output:
            stream.close()
    render.note(f"om: exported {progress.count} {cls.__name__} record(s)")


class _ExportProgress:
    """The number of records an export has written so far."""

    def __init__(self) -> None:
        self.count = 0

    def stopped(self, model: type) -> str:
        """Return what a stopped export wrote."""
        return f"export stopped: {self.count} {model.__name__} record(s) written; the output is incomplete"


def _all_batches(model: type) -> Iterator[list[Any]]:
    batch: list[str] = []
    for pk in model.all_pks():
        batch.append(pk)
        if len(batch) >= BATCH_SIZE:
            yield list(filter(None, model.get_many(batch)))
            batch = []
    if batch:
        yield list(filter(None, model.get_many(batch)))


def _query_batches(model: type, query: list[str]) -> Iterator[list[Any]]:
    from redisom_cli.cli.commands.find import build_query

    built = build_query(model, query)
    offset = 0
    while True:
        page = built.page(offset, BATCH_SIZE)
        yield list(page)
        if len(page) < BATCH_SIZE:
            return
        offset += BATCH_SIZE


def export_columns(model: type) -> list[tuple[str, ...]]:
    """Return the CSV columns of a model: its fields, embedded models expanded to dotted paths."""
    from redisom_cli.model.specs import is_embedded_model, shape_of

    columns: list[tuple[str, ...]] = []

    def walk(current: type, prefix: tuple[str, ...]) -> None:
        for name, info in current.model_fields.items():
            shape = shape_of(info.annotation)
            if is_embedded_model(shape.inner) and not shape.is_list:
                walk(shape.inner, (*prefix, name))
            else:
                columns.append((*prefix, name))

    walk(model, ())
    return columns


def _write_export(model: type, batches: Iterator[list[Any]], kind: str, stream: Any, guard: Any,
                  progress: _ExportProgress) -> None:
    """Write each batch whole, so that a Ctrl-C never leaves half a line in the output."""
    from redisom_cli.cli.assignments import pick_fields

    paths = export_columns(model)
    names = [".".join(path) for path in paths]
    if kind == render.CSV:
        render.write_csv([], names, stream)
    for batch in batches:
        with guard.batch():
            if kind == render.CSV:
                rows = [pick_fields(record.model_dump(), paths) for record in batch]
                render.write_csv(rows, names, stream, header=False)
            else:
                for record in batch:
                    stream.write(jsonlib.dumps(render.to_jsonable(record.model_dump()), ensure_ascii=False) + "\n")
            stream.flush()
            progress.count += len(batch)
