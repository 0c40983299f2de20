"""The `om` Typer app: global options, command registration and `main()`.

`OmGroup.main` runs every invocation, from the console script and from Typer's CliRunner
alike, and turns exceptions into exit codes and short messages on stderr (see `failures`).
"""

from __future__ import annotations

import sys
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from redisom_cli.cli import failures, session
from redisom_cli.cli.options import DebugOption, ModelsOption, UrlOption, VerboseOption

HELP = """Administer Redis OM models and their data: indexes, keys, records, queries, import and export.

Models come from --models/-m, OM_MODELS or [tool.om] models in pyproject.toml.
Exit codes: 0 success, 1 server failed or unreachable, 2 invalid input, 3 not found, 130 interrupted.
"""


class OmGroup(TyperGroup):
    """The root command group, which maps every error to an exit code and a message."""

    def main(self, args: Any = None, prog_name: Optional[str] = None, complete_var: Optional[str] = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        current = session.reset()
        try:
            result = super().main(args=args, prog_name=prog_name or "om", complete_var=complete_var,
                                  standalone_mode=False, **extra)
        except SystemExit:
            raise
        except BaseException as error:  # noqa: BLE001 - the one place that reports every error
            sys.exit(failures.report(error, debug=current.debug or "--debug" in (args or sys.argv)))
        finally:
            session.detach_logging()
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        # Typer turns KeyboardInterrupt into a silent exit 130, which would drop the message
        # in which a command reports what it did before it stopped.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as error:
            raise failures.Interrupted(str(error)) from error


app = typer.Typer(
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


@app.callback()
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


def _register_commands() -> None:
    from redisom_cli.cli.commands import find, keys, migrate, models, records, server, transfer

    for module in (models, migrate, keys, records, find, transfer, server):
        module.register(app)


_register_commands()


def main() -> None:
    """Run `om` on the arguments of this process and exit with the code listed in `failures`."""
    app()
