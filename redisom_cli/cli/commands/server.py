"""`om server start|stop|status`: the embedded redis-server that `embedded://PATH` URLs use."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from redisom_cli.cli import render, session
from redisom_cli.cli.options import JsonFlag, command
from redisom_cli.store.connection import URL_VARIABLE

DirOption = Annotated[Optional[Path], typer.Option(
    "--dir", metavar="PATH",
    help="Data folder of the server. Default: the PATH of an embedded:// URL, else .om when no URL is set.")]


def register(app: typer.Typer) -> None:
    """Add the `om server` group to the app."""
    group = typer.Typer(name="server", help="Start, stop or inspect the embedded Redis server.",
                        no_args_is_help=True)
    command(group, "start")(start)
    command(group, "stop")(stop)
    command(group, "status")(status)
    app.add_typer(group)


def _data_dir(directory: Optional[Path]) -> tuple[Path, bool]:
    """Return the data folder and whether the resolved URL points at it."""
    from redisom_cli.store.embedded import DEFAULT_DATA_DIR, parse_embedded_url

    current = session.current()
    url = current.resolve_url()
    from_url = parse_embedded_url(url) if url.lower().startswith("embedded://") else None
    if directory is not None:
        return directory, from_url is not None and from_url.resolve() == directory.resolve()
    if from_url is not None:
        return from_url, True
    if current.url or os.environ.get(URL_VARIABLE) or current.settings().url:
        from redisom_cli.errors import InvalidInputError
        from redisom_cli.store.connection import redact_url

        raise InvalidInputError(
            f"the URL {redact_url(url)} is not an embedded:// URL; `om server` manages the embedded "
            "server only: pass --dir PATH or --url embedded://PATH"
        )
    return Path(DEFAULT_DATA_DIR), False


def start(directory: DirOption = None, json: JsonFlag = False) -> None:
    """Start the embedded server (or find it running) and print its URL."""
    from redisom_cli.store.embedded import embedded_status, ensure_embedded

    data_dir, in_use = _data_dir(directory)
    ensure_embedded(data_dir)
    state = embedded_status(data_dir)
    _print_state(state or {}, json)
    if not in_use:
        render.note(f"om: note: other commands use this server with --url embedded://{data_dir} "
                    f"or REDIS_OM_URL=embedded://{data_dir}")


def stop(directory: DirOption = None) -> None:
    """Stop the embedded server; succeed if none was running."""
    from redisom_cli.store.embedded import stop_embedded

    data_dir, _ = _data_dir(directory)
    if stop_embedded(data_dir):
        render.note(f"om: stopped the embedded server of {data_dir}")
    else:
        render.note(f"om: no embedded server was running for {data_dir}")


def status(directory: DirOption = None, json: JsonFlag = False) -> None:
    """Print pid, URL, data folder and modules of the embedded server; exit 1 if it is not running."""
    from redisom_cli.errors import ServerUnavailableError
    from redisom_cli.store.embedded import embedded_status

    data_dir, _ = _data_dir(directory)
    state = embedded_status(data_dir)
    if state is None:
        raise ServerUnavailableError(f"no embedded server is running for {data_dir}; start it with `om server start`")
    _print_state(state, json)


def _print_state(state: dict, json: bool) -> None:
    record = {
        "pid": state.get("pid"),
        "url": state.get("url"),
        "data_dir": state.get("data_dir"),
        "modules": state.get("modules", []),
    }
    render.print_record(record, render.JSON if json else render.TABLE)
