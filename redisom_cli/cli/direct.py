"""`om get` without Typer: reading one record takes less time than importing Typer does.

`main()` offers the command line to `parse_get` first. It accepts only the plain forms of
`om get`: the global options (`--url`, `--models/-m`, `-v`, `--debug`) before or after the
command, `get MODEL PK`, `--fields/-f FIELDS` and `--json`, `--jsonl` or `--csv`, each option
with its value as the next argument or after `=`. Anything else (help, shell completion,
another spelling or an error) returns None, and Typer parses the whole command line, so
both paths accept the same arguments and print the same output and messages.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, NoReturn

from redisom_cli.cli import failures, render, session

COMMAND = "get"
COMPLETION_VARIABLE = "_OM_COMPLETE"
FORMAT_FLAGS = ("--json", "--jsonl", "--csv")
# Global options that take a value; `app.command_name` skips their values too.
GLOBAL_VALUE_OPTIONS = {"--url": "url", "--models": "models", "-m": "models"}
VALUE_OPTIONS = {**GLOBAL_VALUE_OPTIONS, "--fields": "fields", "-f": "fields"}


@dataclasses.dataclass
class GetRequest:
    """The arguments of one `om get`, split by where they were given."""

    model: str = ""
    pk: str = ""
    fields: list[str] = dataclasses.field(default_factory=list)
    formats: set[str] = dataclasses.field(default_factory=set)
    # Global options: index 0 contains those given before the command, index 1 those after it.
    urls: list[str | None] = dataclasses.field(default_factory=lambda: [None, None])
    models: list[list[str]] = dataclasses.field(default_factory=lambda: [[], []])
    verbose: list[int] = dataclasses.field(default_factory=lambda: [0, 0])
    debug: bool = False


def parse_get(arguments: list[str]) -> GetRequest | None:
    """Return the request of a plain `om get` command line, or None to leave it to Typer."""
    if COMPLETION_VARIABLE in os.environ:
        return None
    request = GetRequest()
    positionals: list[str] = []
    position = 0
    while position < len(arguments):
        argument = arguments[position]
        position += 1
        side = 1 if positionals else 0
        # Click reads `--url=X` as `--url X`, but `-m=X` as the module "=X".
        name, equals, value = argument.partition("=") if argument.startswith("--") else (argument, "", "")
        # --fields belongs to the command, so it counts only after it.
        if name in GLOBAL_VALUE_OPTIONS or (side == 1 and name in VALUE_OPTIONS):
            if not equals:
                if position == len(arguments):
                    return None
                value = arguments[position]
                position += 1
            if value.startswith("-"):
                return None
            _take_value(request, VALUE_OPTIONS[name], value, side)
        elif argument in FORMAT_FLAGS and side == 1:
            request.formats.add(argument)
        elif argument in ("-v", "-vv", "-vvv", "--verbose"):
            request.verbose[side] += len(argument) - 1 if argument != "--verbose" else 1
        elif argument == "--debug":
            request.debug = True
        elif argument.startswith("-"):
            return None
        else:
            positionals.append(argument)
    if len(positionals) != 3 or positionals[0] != COMMAND:
        return None
    request.model, request.pk = positionals[1], positionals[2]
    return request


def _take_value(request: GetRequest, option: str, value: str, side: int) -> None:
    if option == "url":
        request.urls[side] = value
    elif option == "models":
        request.models[side].append(value)
    else:
        request.fields.append(value)


def run_get(request: GetRequest, arguments: list[str]) -> NoReturn:
    """Print the record of `request` as `om get` does, and exit with its code."""

    def action() -> None:
        current = session.current()
        # Typer applies the global options given before the command, then those after it.
        for side in (0, 1):
            current.apply(url=request.urls[side], models=request.models[side] or None,
                          verbose=request.verbose[side], debug=request.debug)
        json_flag, jsonl_flag, csv_flag = (flag in request.formats for flag in FORMAT_FLAGS)
        print_record(request.model, request.pk, request.fields, render.choose_format(json_flag, jsonl_flag, csv_flag))

    failures.run(action, arguments)


def print_record(model: str, pk: str, fields: list[str], output: str) -> None:
    """Print one record of `model`: the body of `om get`, for both paths."""
    from redisom_cli.cli.assignments import check_field_names, pick_fields

    cls = session.current().model(model)
    paths = check_field_names(cls, fields)
    record = _read_record(cls, pk)
    document = record.model_dump()
    if paths:
        document = pick_fields(document, paths)
    elif output in (render.TABLE, render.CSV):
        document = dict(render.flatten(document))
    render.print_record(document, output)


def _read_record(cls: Any, pk: str) -> Any:
    """Return the record `pk`; a stored record that the model rejects is reported with its key."""
    from pydantic import ValidationError

    from redisom_cli.errors import InvalidInputError

    try:
        return cls.get(pk)
    except ValidationError as error:
        key = cls.make_primary_key(pk)
        prefix = f"the stored record {key!r} does not fit {cls.__name__}"
        message = failures.describe_validation_error(error, prefix=prefix)
        raise InvalidInputError(f"{message}; fix or delete the key, or change the model") from error
