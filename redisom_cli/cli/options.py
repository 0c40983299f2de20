"""Global options that every `om` command accepts, before or after the command name.

`om --url X get ...` and `om get ... --url X` mean the same; a value given after the command
wins. `command()` registers a function with these options appended to its signature.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer

from redisom_cli.cli import session

GLOBAL_PANEL = "Global options"

UrlOption = Annotated[Optional[str], typer.Option(
    "--url", metavar="URL", rich_help_panel=GLOBAL_PANEL,
    help="Redis URL (redis://, rediss://, unix://, embedded://PATH, redis+cluster://). "
         "Default: REDIS_OM_URL, then [tool.om] url in pyproject.toml, then redis://localhost:6379.",
)]
ModelsOption = Annotated[Optional[list[str]], typer.Option(
    "--models", "-m", metavar="MODULE", rich_help_panel=GLOBAL_PANEL,
    help="Module (dotted name or .py path) that defines the models; repeatable. "
         "Default: OM_MODELS, then [tool.om] models in pyproject.toml.",
)]
VerboseOption = Annotated[int, typer.Option(
    "--verbose", "-v", count=True, rich_help_panel=GLOBAL_PANEL,
    help="Log to stderr: -v for INFO, -vv for DEBUG (commands and compiled queries).",
)]
DebugOption = Annotated[bool, typer.Option(
    "--debug", rich_help_panel=GLOBAL_PANEL, help="Show the Python traceback of an error.",
)]

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON.")]
JsonlFlag = Annotated[bool, typer.Option("--jsonl", help="Print JSON Lines: one object per line.")]
CsvFlag = Annotated[bool, typer.Option("--csv", help="Print CSV with a header line.")]

GLOBAL_PARAMETERS = [
    inspect.Parameter("url", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=UrlOption),
    inspect.Parameter("models", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ModelsOption),
    inspect.Parameter("verbose", inspect.Parameter.KEYWORD_ONLY, default=0, annotation=VerboseOption),
    inspect.Parameter("debug", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=DebugOption),
]
GLOBAL_NAMES = tuple(parameter.name for parameter in GLOBAL_PARAMETERS)


def command(group: typer.Typer, name: str, **settings: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as command `name` of `group`, with the global options added."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(function, eval_str=True)

        @functools.wraps(function)
        def run(**values: Any) -> Any:
            session.current().apply(**{key: values.pop(key) for key in GLOBAL_NAMES})
            return function(**values)

        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), *GLOBAL_PARAMETERS])
        run.__annotations__ = {**{p.name: p.annotation for p in run.__signature__.parameters.values()}}
        group.command(name, **settings)(run)
        return function

    return decorate
