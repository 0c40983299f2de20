"""`om import` and `om export`: records from and to JSON Lines and CSV files, streamed.

Import validates every row with the model and writes the valid ones in pipelined batches.
Each rejected row is reported with its line number and reason. Export writes each batch of
records as soon as it is read, so memory use does not grow with the number of records.
"""

from __future__ import annotations

import csv as csvlib
import itertools
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
    """Counts of one import, and the messages of its first rejected rows."""

    def __init__(self) -> None:
        self.valid = 0
        self.written = 0
        self.skipped = 0
        self.rejected = 0

    def reject(self, line: int, reason: str) -> None:
        """Count a rejected row and report it on stderr (the first few only)."""
        self.rejected += 1
        if self.rejected <= MAX_REPORTED_ERRORS:
            render.note(f"om: line {line}: {reason}")
        elif self.rejected == MAX_REPORTED_ERRORS + 1:
            render.note(f"om: more rejected rows are counted but not shown (after {MAX_REPORTED_ERRORS})")


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
) -> None:
    """Import records from CSV or JSON Lines: each row validated, valid rows written in batches.

    CSV columns are field names (nested: address.city); empty cells are left out, so the
    field's default applies. Exits 2 when any row was rejected.
    """
    from redisom_cli.errors import InvalidInputError

    current = session.current()
    cls = current.model(model)
    path, label = _source(file, current)
    kind = _format_of(path, format)
    report = ImportReport()
    with _open(path) as stream:
        if kind == "sniff":
            kind, stream = _sniffed(stream)
        rows = _csv_rows(cls, stream) if kind == "csv" else _jsonl_rows(stream)
        _load(cls, rows, report, dry_run, skip_existing, batch_size, _line_total(path))
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


def _csv_rows(model: type, stream: Any) -> Iterator[tuple[int, Any]]:
    """Yield (line number, document or error message) for each CSV record.

    The field types are looked up once per column, not per cell, because this loop runs for
    every cell of files with hundreds of thousands of rows.
    """
    from redisom_cli.errors import InvalidInputError

    reader = csvlib.reader(stream)
    header = next(reader, None)
    if header is None:
        return
    columns = _csv_columns(model, header)

    line = reader.line_num + 1
    for cells in reader:
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


def _jsonl_rows(stream: Any) -> Iterator[tuple[int, Any]]:
    """Yield (line number, document or error message) for each JSON Lines record."""
    for number, text in enumerate(stream, start=1):
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


def _sniffed(stream: Any) -> tuple[str, Any]:
    """Return the format of stdin from its first line, and the lines with that one put back."""
    first = stream.readline()
    kind = "jsonl" if first.lstrip().startswith("{") else "csv"
    return kind, itertools.chain([first], stream)


def _load(model: type, rows: Any, report: ImportReport, dry_run: bool, skip_existing: bool,
          batch_size: int, total: Optional[int]) -> None:
    """Validate rows and write the valid ones in pipelined batches."""
    from pydantic import ValidationError

    from redisom_cli.cli.failures import describe_validation_error

    batch: list[Any] = []
    bar = render.progress(f"Importing {model.__name__}", total=total)
    with bar:
        for line, document in rows:
            bar.update(bar.task_id, completed=line)
            if isinstance(document, str):
                report.reject(line, document)
                continue
            try:
                batch.append(model.model_validate(document))
            except ValidationError as error:
                report.reject(line, describe_validation_error(error, prefix="invalid"))
                continue
            report.valid += 1
            if len(batch) >= batch_size:
                _write(model, batch, report, dry_run, skip_existing)
                batch = []
        _write(model, batch, report, dry_run, skip_existing)


def _write(model: type, records: list[Any], report: ImportReport, dry_run: bool, skip_existing: bool) -> None:
    from redisom_cli.store.errors import translated

    if dry_run or not records:
        return
    pipeline = model.db().pipeline(transaction=False)
    for record in records:
        for command_args in record.save_commands(nx=skip_existing):
            pipeline.execute_command(*command_args)
    with translated(model):
        replies = pipeline.execute()
    if skip_existing:
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
    """Export records as JSON Lines or CSV, streamed in batches."""
    current = session.current()
    cls = current.model(model)
    kind = render.choose_format(False, jsonl, csv)
    kind = render.CSV if kind == render.CSV else render.JSONL
    records = _query_records(cls, query) if query else _all_records(cls)
    stream = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        count = _write_export(cls, records, kind, stream)
    finally:
        if output:
            stream.close()
    render.note(f"om: exported {count} {cls.__name__} record(s)")


def _all_records(model: type) -> Iterator[Any]:
    batch: list[str] = []
    for pk in model.all_pks():
        batch.append(pk)
        if len(batch) >= BATCH_SIZE:
            yield from filter(None, model.get_many(batch))
            batch = []
    if batch:
        yield from filter(None, model.get_many(batch))


def _query_records(model: type, query: list[str]) -> Iterator[Any]:
    from redisom_cli.cli.commands.find import build_query

    built = build_query(model, query)
    offset = 0
    while True:
        page = built.page(offset, BATCH_SIZE)
        yield from page
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


def _write_export(model: type, records: Iterator[Any], kind: str, stream: Any) -> int:
    from redisom_cli.cli.assignments import pick_fields

    if kind == render.CSV:
        paths = export_columns(model)
        names = [".".join(path) for path in paths]
        rows = (pick_fields(record.model_dump(), paths) for record in records)
        return render.write_csv(rows, names, stream)
    count = 0
    for record in records:
        stream.write(jsonlib.dumps(render.to_jsonable(record.model_dump()), ensure_ascii=False) + "\n")
        count += 1
    return count
