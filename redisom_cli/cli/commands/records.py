"""`om create`, `om get`, `om update`, `om delete` and `om expire`: one record at a time."""

from __future__ import annotations

import json as jsonlib
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from redisom_cli.cli import direct, render, session
from redisom_cli.cli.assignments import parse_assignments, to_document, to_update
from redisom_cli.cli.completion import complete_assignment, complete_field, complete_model
from redisom_cli.cli.options import CsvFlag, JsonFlag, JsonlFlag, command

ModelArgument = Annotated[str, typer.Argument(
    metavar="MODEL", help="Model class name or dotted path.", autocompletion=complete_model)]
PkArgument = Annotated[str, typer.Argument(metavar="PK", help="Primary key of the record.")]
AssignmentArguments = Annotated[Optional[list[str]], typer.Argument(
    metavar="FIELD=VALUE...", autocompletion=complete_assignment,
    help="Field values: name=text, nested.name=text, tags=a,b, or name:=JSON.")]
FieldsOption = Annotated[Optional[list[str]], typer.Option(
    "--fields", "-f", metavar="FIELDS", autocompletion=complete_field,
    help="Only these fields, comma-separated or repeated (nested: address.city).")]
YesFlag = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def register(app: typer.Typer) -> None:
    """Add the record commands to the app."""
    command(app, "create")(create)
    command(app, "get")(get)
    command(app, "update")(update)
    command(app, "delete")(delete)
    command(app, "expire")(expire)


def create(
    model: ModelArgument,
    values: AssignmentArguments = None,
    json: Annotated[Optional[str], typer.Option(
        "--json", metavar="DOC", help="The record as a JSON object; FIELD=VALUE arguments override it.")] = None,
    file: Annotated[Optional[Path], typer.Option(
        "--file", metavar="FILE", help="Read the record as a JSON object from FILE ('-' for stdin).")] = None,
    ttl: Annotated[Optional[int], typer.Option(
        "--ttl", min=1, metavar="SECONDS", help="Expire the record after SECONDS.")] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help="Overwrite a record with the same primary key.")] = False,
) -> None:
    """Create a record, validated by the model, and print its primary key."""
    from redisom_cli.errors import InvalidInputError

    cls = session.current().model(model)
    document = to_document(parse_assignments(cls, values or []), _base_document(json, file))
    record = cls.model_validate(document)
    saved = record.save(ttl=ttl) if replace else record.save(nx=True, ttl=ttl)
    if saved is None:
        raise InvalidInputError(
            f"{cls.__name__} {record.pk!r} already exists (key {record.key()!r}); use --replace to overwrite it")
    print(record.pk)


def _base_document(text: Optional[str], file: Optional[Path]) -> dict[str, Any]:
    from redisom_cli.errors import InvalidInputError

    if text is not None and file is not None:
        raise InvalidInputError("give the record with --json or --file, not both")
    source = "--json"
    if file is not None:
        source = "stdin" if str(file) == "-" else str(file)
        text = _read_text(file)
    if text is None:
        return {}
    try:
        document = jsonlib.loads(text)
    except ValueError as error:
        raise InvalidInputError(f"invalid JSON in {source}: {error}") from error
    if not isinstance(document, dict):
        raise InvalidInputError(f"expected a JSON object in {source}, not {type(document).__name__}")
    return document


def _read_text(file: Path) -> str:
    from redisom_cli.errors import InvalidInputError

    if str(file) == "-":
        return sys.stdin.read()
    try:
        return file.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidInputError(f"cannot read {file}: {error.strerror or error}") from error


def get(
    model: ModelArgument,
    pk: PkArgument,
    fields: FieldsOption = None,
    json: JsonFlag = False,
    jsonl: JsonlFlag = False,
    csv: CsvFlag = False,
) -> None:
    """Print one record: a field/value table, or JSON, JSON Lines or CSV."""
    direct.print_record(model, pk, fields or [], render.choose_format(json, jsonl, csv))


def update(
    model: ModelArgument,
    pk: PkArgument,
    values: Annotated[list[str], typer.Argument(
        metavar="FIELD=VALUE...", autocompletion=complete_assignment,
        help="Field values: name=text, nested.name=text, tags=a,b, or name:=JSON.")],
    json: JsonFlag = False,
) -> None:
    """Validate and write only the named fields of a record."""
    from redisom_cli.errors import InvalidInputError

    cls = session.current().model(model)
    assignments = parse_assignments(cls, values)
    primary_key = cls.__om_primary_key__
    if any(assignment.path == (primary_key,) for assignment in assignments):
        raise InvalidInputError(
            f"cannot change the primary key {primary_key!r}; create a new record and delete this one")
    record = cls.get(pk)
    record.update(**to_update(assignments))
    if json:
        render.print_record(record.model_dump(), render.JSON)
    render.note(f"om: updated {cls.__name__} {pk!r}: {', '.join(a.name for a in assignments)}")


def delete(
    model: ModelArgument,
    pks: Annotated[list[str], typer.Argument(metavar="PK...", help="Primary keys of the records.")],
    yes: YesFlag = False,
) -> None:
    """Delete records by primary key; exit 3 if any of them did not exist."""
    from redisom_cli.errors import NotFoundError

    cls = session.current().model(model)
    confirm(f"Delete {len(pks)} {cls.__name__} record(s)?", yes)
    missing = [pk for pk in pks if not cls.delete(pk)]
    render.note(f"om: deleted {len(pks) - len(missing)} {cls.__name__} record(s)")
    if missing:
        shown = ", ".join(repr(pk) for pk in missing)
        raise NotFoundError(f"{cls.__name__} not found: {shown}", model=cls.__name__)


def expire(
    model: ModelArgument,
    pk: PkArgument,
    seconds: Annotated[int, typer.Argument(min=1, metavar="SECONDS", help="Time to live in seconds.")],
) -> None:
    """Set the time to live of a record."""
    from redisom_cli.errors import NotFoundError
    from redisom_cli.store.errors import translated

    cls = session.current().model(model)
    key = cls.make_primary_key(pk)
    with translated(cls):
        exists = cls.db().expire(key, seconds)
    if not exists:
        raise NotFoundError(f"{cls.__name__} {pk!r} not found (key {key!r})", model=cls.__name__, key=key)
    render.note(f"om: {cls.__name__} {pk!r} expires in {seconds} s")


def confirm(question: str, yes: bool) -> None:
    """Ask `question` on a terminal unless `yes`, and raise Declined when the user declines.

    Without a terminal on stdin no reply is possible, so the command requires `--yes` there.
    """
    from redisom_cli.cli.failures import Declined
    from redisom_cli.errors import InvalidInputError

    if yes:
        return
    if not sys.stdin.isatty():
        raise InvalidInputError(f"confirmation needed ({question}): pass --yes, because stdin is not a terminal")
    if not typer.confirm(question, default=False, err=True):
        raise Declined()
