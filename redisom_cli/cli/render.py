"""Output of `om`: Rich tables on a terminal, plain columns, JSON, JSON Lines and CSV for scripts.

Data goes to stdout, everything else to stderr. Rich boxes and colour are used only when
stdout is a terminal and NO_COLOR is not set. Otherwise tables are plain columns separated
by two spaces, one line per row, so that `awk` and `cut` can read them.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import enum
import json
import os
import sys
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

TABLE, JSON, JSONL, CSV = "table", "json", "jsonl", "csv"
COLUMN_GAP = "  "


def choose_format(json_flag: bool = False, jsonl_flag: bool = False, csv_flag: bool = False) -> str:
    """Return the output format named by the flags; raise InvalidInputError when several are set."""
    from redisom_cli.errors import InvalidInputError

    chosen = [name for name, flag in ((JSON, json_flag), (JSONL, jsonl_flag), (CSV, csv_flag)) if flag]
    if len(chosen) > 1:
        raise InvalidInputError(f"choose one output format, not {' and '.join('--' + name for name in chosen)}")
    return chosen[0] if chosen else TABLE


def use_rich() -> bool:
    """Return True when stdout gets Rich tables with boxes and colour."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def stdout_console() -> Any:
    """Return a Rich console on the current stdout."""
    from rich.console import Console

    return Console(file=sys.stdout, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)


def stderr_console() -> Any:
    """Return a Rich console on the current stderr, without colour unless stderr is a terminal."""
    from rich.console import Console

    plain = not sys.stderr.isatty() or bool(os.environ.get("NO_COLOR"))
    return Console(file=sys.stderr, no_color=plain, highlight=False, soft_wrap=True)


def note(text: str) -> None:
    """Print an informational line on stderr."""
    print(text, file=sys.stderr)


def to_jsonable(value: Any) -> Any:
    """Convert a value of a model dump to what json.dumps accepts, with stable text forms."""
    if isinstance(value, enum.Enum):
        # Before the str check: str() of a `str, Enum` member is `Status.active` on Python 3.11.
        return to_jsonable(value.value)
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(item) for item in value]
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        import base64

        return base64.b64encode(value).decode("ascii")
    to_redis = getattr(value, "to_redis", None)
    return to_redis() if callable(to_redis) else str(value)


def cell_text(value: Any) -> str:
    """Return the text of one table or CSV cell: empty for None, JSON for lists and objects."""
    value = to_jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def print_table(columns: list[str], rows: Iterable[list[Any]], title: str | None = None,
                footer: str | None = None, numeric: Iterable[str] = ()) -> None:
    """Print rows as a Rich table on a terminal, else as plain aligned columns."""
    texts = [[cell_text(value) for value in row] for row in rows]
    right = {index for index, name in enumerate(columns) if name in set(numeric)}
    if use_rich():
        _print_rich_table(columns, texts, title, footer, right)
    else:
        _print_plain_table(columns, texts, right)
        if footer:
            print(footer)


def _print_rich_table(columns: list[str], texts: list[list[str]], title: str | None,
                      footer: str | None, right: set[int]) -> None:
    from rich.table import Table
    from rich.text import Text

    # Cells are Text objects so that brackets in stored values are never read as Rich markup.
    table = Table(title=Text(title) if title else None, caption=Text(footer) if footer else None,
                  header_style="bold", caption_justify="left")
    for index, name in enumerate(columns):
        table.add_column(Text(name), justify="right" if index in right else "left", overflow="fold")
    for row in texts:
        table.add_row(*(Text(text) for text in row))
    stdout_console().print(table)


def _print_plain_table(columns: list[str], texts: list[list[str]], right: set[int]) -> None:
    widths = [len(name) for name in columns]
    for row in texts:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))
    for row in [columns, *texts]:
        cells = [text.rjust(widths[i]) if i in right else text.ljust(widths[i]) for i, text in enumerate(row)]
        sys.stdout.write(COLUMN_GAP.join(cells).rstrip() + "\n")


def print_rows(rows: Iterable[dict[str, Any]], columns: list[str], output: str,
               footer: str | None = None, numeric: Iterable[str] = ()) -> int:
    """Print dict rows in the chosen format and return how many were printed.

    JSON Lines and CSV stream row by row; JSON and tables collect the rows first.
    """
    if output == JSONL:
        return _write_jsonl(rows)
    if output == CSV:
        return write_csv(rows, columns, sys.stdout)
    collected = list(rows)
    if output == JSON:
        json.dump([to_jsonable(row) for row in collected], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print_table(columns, ([row.get(name) for name in columns] for row in collected), footer=footer,
                    numeric=numeric)
    return len(collected)


def print_record(record: dict[str, Any], output: str) -> None:
    """Print one record: a field/value table, a JSON object, one JSON line or a CSV row."""
    if output == JSON:
        json.dump(to_jsonable(record), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif output in (JSONL, CSV):
        print_rows([record], list(record), output)
    else:
        print_table(["field", "value"], ([name, value] for name, value in record.items()))


def _write_jsonl(rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        sys.stdout.write(json.dumps(to_jsonable(row), ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], columns: list[str], stream: Any, header: bool = True) -> int:
    """Write a header (unless `header` is false) and one CSV line per row; return the row count.

    Lists and objects are written as JSON text.
    """
    writer = csv.writer(stream, lineterminator="\n")
    if header:
        writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([cell_text(row.get(name)) for name in columns])
        count += 1
    return count


def flatten(document: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (dotted path, value) for every leaf of a nested document; lists stay whole."""
    for name, value in document.items():
        path = f"{prefix}{name}"
        if isinstance(value, dict) and value:
            yield from flatten(value, path + ".")
        else:
            yield path, value


def progress(description: str, total: int | None = None, enabled: bool = True) -> Any:
    """Return a Rich progress bar on stderr, or a stand-in that does nothing when stderr is no terminal."""
    if not enabled or not sys.stderr.isatty():
        return _NoProgress()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=stderr_console(), transient=True)
    bar.task_id = bar.add_task(description, total=total)
    return bar


class _NoProgress:
    """The interface of the progress bar that `progress()` returns, doing nothing."""

    task_id = 0

    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def advance(self, task_id: int, advance: float = 1) -> None:
        """Do nothing."""

    def update(self, task_id: int, **fields: Any) -> None:
        """Do nothing."""
