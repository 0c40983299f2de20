"""Exit codes, and the one- or two-line messages that `om` prints on stderr for each error.

    0    success
    1    the server failed or could not be reached (also: a declined confirmation)
    2    invalid input: usage, query syntax, validation, unknown model or field, configuration
    3    the record was not found
    130  interrupted (Ctrl-C)
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

OK = 0
SERVER_FAILED = 1
INVALID_INPUT = 2
NOT_FOUND = 3
INTERRUPTED = 130

MAX_VALIDATION_ERRORS = 3
ABORTED_MESSAGE = "om: aborted, nothing was changed"
MESSAGE_PREFIXES = ("om: error: ", "om: query error: ", "om: internal error: ", "om: ")


class Declined(Exception):
    """The user answered no to a confirmation prompt."""


class Interrupted(Exception):
    """Ctrl-C stopped a command; the message, if any, reports what the command did before."""


def _typer_exceptions() -> tuple[type, type, type, type]:
    """Return Typer's Exit, Abort, UsageError and NoArgsIsHelpError classes.

    Typer 0.20 and later raise exceptions of its vendored copy of Click; earlier versions
    raise Click's own.
    """
    try:
        from typer._click.exceptions import NoArgsIsHelpError, UsageError
        from typer.exceptions import Abort, Exit
    except ImportError:
        from click.exceptions import Abort, Exit, NoArgsIsHelpError, UsageError
    return Exit, Abort, UsageError, NoArgsIsHelpError


def exit_code_and_message(error: BaseException) -> tuple[int, str | None]:
    """Return the exit code for `error` and the text to print on stderr (None for nothing)."""
    from redisom_cli import errors

    if isinstance(error, KeyboardInterrupt | Interrupted):
        # Commands that stop between batches pass what they did as the message.
        return INTERRUPTED, f"om: interrupted: {error}" if str(error) else "om: interrupted"
    if _is_from_typer(error):
        exit_type, abort_type, usage_type, no_arguments_type = _typer_exceptions()
        if isinstance(error, exit_type):
            return error.exit_code, None
        if isinstance(error, no_arguments_type):
            return INVALID_INPUT, error.format_message()
        if isinstance(error, usage_type):
            return INVALID_INPUT, _usage_message(error)
        if isinstance(error, abort_type):
            return SERVER_FAILED, ABORTED_MESSAGE
    if isinstance(error, Declined):
        return SERVER_FAILED, ABORTED_MESSAGE
    if isinstance(error, errors.QuerySyntaxError):
        return INVALID_INPUT, f"om: query error: {error.render()}"
    if isinstance(error, errors.NotFoundError):
        return NOT_FOUND, f"om: error: {error}"
    if isinstance(error, errors.ServerError):
        return SERVER_FAILED, f"om: error: {error}"
    if isinstance(error, errors.OMError):
        return INVALID_INPUT, f"om: error: {error}"
    if _is_validation_error(error):
        return INVALID_INPUT, f"om: error: {describe_validation_error(error)}"
    if _is_redis_error(error):
        from redisom_cli.store.errors import translate

        return exit_code_and_message(translate(error))
    if isinstance(error, BrokenPipeError):
        _silence_stdout()
        return SERVER_FAILED, None
    name = type(error).__name__
    return SERVER_FAILED, f"om: internal error: {name}: {error} (run again with --debug for the traceback)"


def run(action: Callable[[], Any], arguments: Sequence[str]) -> NoReturn:
    """Run one `om` invocation in a new session and exit: 0 (or the int `action` returns), else the error's code."""
    from redisom_cli.cli import session

    current = session.reset()
    try:
        result = action()
    except SystemExit:
        raise
    except BaseException as error:  # noqa: BLE001 - the one place that reports every error
        sys.exit(report(error, debug=current.debug or "--debug" in arguments))
    finally:
        session.detach_logging()
    sys.exit(result if isinstance(result, int) else 0)


def report(error: BaseException, debug: bool = False) -> int:
    """Print the message for `error` on stderr (and its traceback with `debug`); return the exit code."""
    code, message = exit_code_and_message(error)
    if debug and message is not None and not _is_expected_usage(error):
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)
    if message is not None:
        _print_error(message)
    return code


def describe_validation_error(error: Any, prefix: str | None = None) -> str:
    """Return a pydantic ValidationError as one line: `Model: field: reason (input 'x'); ...`."""
    title = prefix or f"invalid {error.title}"
    parts = []
    for item in error.errors(include_url=False)[:MAX_VALIDATION_ERRORS]:
        location = ".".join(str(part) for part in item.get("loc", ())) or "record"
        message = item.get("msg", "invalid value")
        shown = item.get("input")
        suffix = f" (input {shown!r})" if item.get("type") != "missing" and not isinstance(shown, dict) else ""
        parts.append(f"{location}: {message}{suffix}")
    more = error.error_count() - MAX_VALIDATION_ERRORS
    if more > 0:
        parts.append(f"and {more} more")
    return f"{title}: " + "; ".join(parts)


def _usage_message(error: Any) -> str:
    context = getattr(error, "ctx", None)
    path = context.command_path if context is not None else "om"
    return f"om: error: {error.format_message()}\nTry '{path} --help' for help."


def _is_expected_usage(error: BaseException) -> bool:
    if not _is_from_typer(error):
        return False
    exit_type, _, usage_type, _ = _typer_exceptions()
    return isinstance(error, usage_type | exit_type)


def _is_from_typer(error: BaseException) -> bool:
    # Checked first so that `om get`, which runs without Typer (see `direct`), never imports it.
    return type(error).__module__.split(".")[0] in ("typer", "click")


def _is_validation_error(error: BaseException) -> bool:
    return type(error).__name__ == "ValidationError" and type(error).__module__.startswith("pydantic")


def _is_redis_error(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] == "redis" and isinstance(error, Exception)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit does not fail on the closed pipe again."""
    import os

    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file, as under a test runner
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, descriptor)
    os.close(null)


def _print_error(message: str) -> None:
    from redisom_cli.cli.render import stderr_console

    console = stderr_console()
    prefix = next((p for p in MESSAGE_PREFIXES if message.startswith(p)), "")
    if console.no_color or not prefix:
        console.print(message, markup=False, highlight=False, soft_wrap=True)
        return
    console.print(f"[bold red]{prefix.strip()}[/] ", end="", highlight=False, soft_wrap=True)
    console.print(message[len(prefix):], markup=False, highlight=False, soft_wrap=True)
