"""The `om` Typer app: global options and command registration (`main()` is in `redisom_cli.cli`).

`OmGroup.main` runs every invocation, from the console script and from Typer's CliRunner
alike, and turns exceptions into exit codes and short messages on stderr (see `failures`).
"""

from __future__ import annotations

import sys
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from redisom_cli.cli import direct, failures, session
from redisom_cli.cli.options import DebugOption, ModelsOption, UrlOption, VerboseOption

HELP = """Administer Redis OM models and their data: indexes, keys, records, queries, import and export.

Models come from --models/-m, OM_MODELS or [tool.om] models in pyproject.toml.
Exit codes: 0 success, 1 server failed or unreachable, 2 invalid input, 3 not found, 130 interrupted.
"""


class OmGroup(TyperGroup):
    """The root command group, which maps every error to an exit code and a message."""

    def main(self, args: Any = None, prog_name: Optional[str] = None, complete_var: Optional[str] = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        def action() -> Any:
            return super(OmGroup, self).main(args=args, prog_name=prog_name or "om", complete_var=complete_var,
                                             standalone_mode=False, **extra)

        failures.run(action, args or sys.argv)

    def invoke(self, ctx: Any) -> Any:
        # Typer turns KeyboardInterrupt into a silent exit 130, which would drop the message
        # in which a command reports what it did before it stopped.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as error:
            raise failures.Interrupted(str(error)) from error


_app = typer.Typer(
    name="om",
    cls=OmGroup,
    help=HELP,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        print(f"om {version('redisom-cli')}")
        raise typer.Exit()


@_app.callback()
def root(
    url: UrlOption = None,
    models: ModelsOption = None,
    verbose: VerboseOption = 0,
    debug: DebugOption = False,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Take the global options given before the command."""
    session.current().apply(url=url, models=models, verbose=verbose, debug=debug)


# The module of `redisom_cli.cli.commands` that registers each command, in the order of `om --help`.
COMMAND_MODULES = {
    "models": "models",
    "migrate": "migrate",
    "index": "migrate",
    "keys": "keys",
    "create": "records",
    "get": "records",
    "update": "records",
    "delete": "records",
    "expire": "records",
    "find": "find",
    "import": "transfer",
    "export": "transfer",
    "server": "server",
}

_registered: set[str] = set()


def register_commands(command: str | None = None) -> None:
    """Register the commands of the module that defines `command`, or of every module."""
    import importlib

    if command in COMMAND_MODULES:
        module_names = [COMMAND_MODULES[command]]
    else:
        module_names = list(dict.fromkeys(COMMAND_MODULES.values()))
    for module_name in module_names:
        if module_name not in _registered:
            _registered.add(module_name)
            importlib.import_module(f"redisom_cli.cli.commands.{module_name}").register(_app)


def command_name(arguments: list[str]) -> str | None:
    """Return the command that `arguments` run, or None when they name none (`om --help`)."""
    waiting_for_value = False
    for argument in arguments:
        if waiting_for_value:
            waiting_for_value = False
        elif argument in direct.GLOBAL_VALUE_OPTIONS:
            waiting_for_value = True
        elif not argument.startswith("-"):
            return argument
    return None


def __getattr__(name: str) -> Any:
    # `app` is the whole CLI for anything that imports it (tests, documentation tools), while
    # `main()` registers only the commands it runs.
    if name == "app":
        register_commands()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run(arguments: list[str]) -> None:
    """Run the Typer app with only the commands that `arguments` need registered."""
    register_commands(command_name(arguments))
    _app()
