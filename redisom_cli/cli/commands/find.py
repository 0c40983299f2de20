"""`om find`: records matching a query, sorted, paged, counted or explained."""

from __future__ import annotations

import shlex
from typing import Annotated, Any, Optional

import typer

from redisom_cli.cli import render, session
from redisom_cli.cli.completion import complete_field, complete_model, complete_sort
from redisom_cli.cli.options import CsvFlag, JsonFlag, JsonlFlag, command

DEFAULT_LIMIT = 20
ENGINES = ("auto", "search", "scan")


def register(app: typer.Typer) -> None:
    """Add `om find` to the app."""
    command(app, "find")(find)


def find(
    model: Annotated[str, typer.Argument(
        metavar="MODEL", help="Model class name or dotted path.", autocompletion=complete_model)],
    query: Annotated[Optional[list[str]], typer.Argument(
        metavar="QUERY...", help="Query text such as \"age>30 and city=='Paris'\"; several are joined with AND.")] = None,
    sort: Annotated[Optional[str], typer.Option(
        "--sort", "-s", metavar="F,-G", autocompletion=complete_sort,
        help="Sort by fields, comma-separated; a leading '-' sorts that field in descending order.")] = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", "-n", min=0, metavar="N",
        help=f"Print at most N records (default {DEFAULT_LIMIT}); 0 prints every match.")] = None,
    offset: Annotated[int, typer.Option("--offset", min=0, metavar="N", help="Skip the first N matches.")] = 0,
    count: Annotated[bool, typer.Option("--count", help="Print only the number of matches.")] = False,
    fields: Annotated[Optional[list[str]], typer.Option(
        "--fields", "-f", metavar="FIELDS", autocompletion=complete_field,
        help="Only these fields, comma-separated or repeated (nested: address.city).")] = None,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Print the command that the query sends, without running it.")] = False,
    engine: Annotated[str, typer.Option(
        "--engine", metavar="ENGINE",
        help="auto (Search if the server has it, else scan), search (FT.SEARCH) or scan (SCAN and filter).")] = "auto",
    json: JsonFlag = False,
    jsonl: JsonlFlag = False,
    csv: CsvFlag = False,
) -> None:
    """Find records with the query syntax: ==, !=, <, <=, >, >=, in [..], a:1..9, contains, exists, and/or/not."""
    output = render.choose_format(json, jsonl, csv)
    cls = session.current().model(model)
    built = build_query(cls, query or [], engine)
    if sort:
        built = built.sort_by(*(name.strip() for name in sort.split(",") if name.strip()))
    if explain:
        # The first command of the read below: all() for --limit 0, else a page.
        if limit == 0:
            command = built.explain()
        elif limit is None:
            command = built.explain(offset, DEFAULT_LIMIT + 1)
        else:
            command = built.explain(offset, limit)
        print(" ".join(shlex.quote(str(part)) for part in command))
        return
    if count:
        print(built.count())
        return
    paths = _field_paths(cls, fields)
    # The query logs its warnings (documents that failed to index) itself, on stderr.
    if limit == 0:
        _print_results(cls, built.all()[offset:], paths, output)
        return
    if limit is not None:
        _print_results(cls, built.page(offset, limit), paths, output)
        return
    # Under the default limit, fetching one record more than shown reveals whether matches were left out.
    results = built.page(offset, DEFAULT_LIMIT + 1)
    _print_results(cls, results[:DEFAULT_LIMIT], paths, output)
    if len(results) > DEFAULT_LIMIT:
        render.note(f"om: more records match than the {DEFAULT_LIMIT} shown; use --limit N, --limit 0 for all, or --count")


def build_query(model: type, texts: list[str], engine: str = "auto") -> Any:
    """Return `model.find()` for the query texts, joined with AND."""
    from redisom_cli.errors import InvalidInputError

    if engine not in ENGINES:
        raise InvalidInputError(f"invalid engine {engine!r}; use one of {', '.join(ENGINES)}")
    if not hasattr(model, "find"):
        raise InvalidInputError(f"{model.__name__} cannot be queried")
    return model.find(*(text for text in texts if text.strip()), engine=engine)


def _field_paths(model: type, fields: Optional[list[str]]) -> list[tuple[str, ...]]:
    from redisom_cli.cli.assignments import check_field_names

    return check_field_names(model, fields or [])


def _print_results(model: type, results: list[Any], paths: list[tuple[str, ...]], output: str) -> None:
    from redisom_cli.cli.assignments import pick_fields
    from redisom_cli.cli.commands.transfer import export_columns

    documents = [record.model_dump() for record in results]
    if not paths and output in (render.JSON, render.JSONL):
        render.print_rows(documents, [], output)
        return
    paths = paths or export_columns(model)
    names = [".".join(path) for path in paths]
    rows = [pick_fields(document, paths) for document in documents]
    noun = "record" if len(rows) == 1 else "records"
    render.print_rows(rows, names, output, footer=f"{len(rows)} {noun}", numeric=_numeric_columns(model, names))


def _numeric_columns(model: type, names: list[str]) -> list[str]:
    from redisom_cli.model.fields import FieldKind

    return [spec.name for spec in model.specs() if spec.kind is FieldKind.NUMERIC and spec.name in names]
