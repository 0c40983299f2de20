"""Shell completion: model and field names from the loaded models, and the scripts in `completions/`.

The callbacks catch every error while loading models and return no suggestions, because the
shell would otherwise print a traceback in the middle of the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "om"
COMPLETE_VAR = "_OM_COMPLETE"
# Options whose next word is their value, not an argument.
VALUE_OPTIONS = {"--url", "--models", "-m", "--fields", "-f", "--sort", "-s", "--limit", "-n", "--offset",
                 "--engine", "--type", "-t", "--file", "--ttl", "--format", "--output", "-o",
                 "--batch-size", "--dir"}


def _registry(ctx: Any) -> Any:
    from models_registry import load_registry, read_settings

    models = None
    while ctx is not None and not models:
        models = ctx.params.get("models")
        ctx = ctx.parent
    return load_registry(models, read_settings())


def complete_model(ctx: Any, incomplete: str) -> list[str]:
    """Return the model names that start with `incomplete`."""
    try:
        names = _registry(ctx).names()
    except Exception:  # noqa: BLE001 - see the module docstring
        return []
    return [name for name in names if name.startswith(incomplete)]


def _command_words() -> list[str]:
    """Return the words typed after `om`, from the variables that the completion scripts set."""
    import os
    import shlex

    text = os.environ.get("_TYPER_COMPLETE_ARGS") or os.environ.get("COMP_WORDS") or ""
    try:
        words = shlex.split(text)
    except ValueError:  # an unclosed quote in the word being completed
        words = text.split()
    return words[1:]


def _model_argument(ctx: Any) -> str:
    """Return the MODEL argument typed so far.

    While an option value is completed, Click parses the command line without that value,
    fails, and leaves `ctx.params` empty; Typer passes no words either. The words are then
    read from the completion variables.
    """
    if ctx.params.get("model"):
        return ctx.params["model"]
    positional = []
    words = iter(_command_words())
    for word in words:
        if word in VALUE_OPTIONS:
            next(words, None)
        elif not word.startswith("-"):
            positional.append(word)
    # The first positional word is the command name, the second the model.
    return positional[1] if len(positional) > 1 else ""


def _model_fields(ctx: Any) -> list[str]:
    try:
        entry = _registry(ctx).resolve(_model_argument(ctx))
    except Exception:  # noqa: BLE001 - see the module docstring
        return []
    return [spec.name for spec in entry.model.specs()]


def complete_field(ctx: Any, incomplete: str) -> list[str]:
    """Return the field names of the command's MODEL that start with the last item of `incomplete`."""
    head, _, last = incomplete.rpartition(",")
    prefix = head + "," if head else ""
    return [prefix + name for name in _model_fields(ctx) if name.startswith(last)]


def complete_assignment(ctx: Any, incomplete: str) -> list[str]:
    """Return `field=` for the fields of MODEL that start with `incomplete`."""
    if "=" in incomplete:
        return []
    return [name + "=" for name in _model_fields(ctx) if name.startswith(incomplete)]


def complete_sort(ctx: Any, incomplete: str) -> list[str]:
    """Return field names, also with a leading '-' for descending order."""
    head, _, last = incomplete.rpartition(",")
    prefix = head + "," if head else ""
    sign = "-" if last.startswith("-") else ""
    names = _model_fields(ctx)
    return [prefix + sign + name for name in names if (sign + name).startswith(last)]


def completion_script(shell: str) -> str:
    """Return the completion script of `om` for `shell`, as `om --show-completion` prints it."""
    from typer._completion_shared import get_completion_script

    script = get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell)
    return script if script.endswith("\n") else script + "\n"


def write_scripts(folder: Path) -> list[Path]:
    """Write `om.bash`, `om.zsh` and `om.fish` into `folder` and return their paths."""
    paths = []
    for shell in SHELLS:
        path = folder / f"om.{shell}"
        path.write_text(completion_script(shell))
        paths.append(path)
    return paths


if __name__ == "__main__":
    # python -m redisom_cli.cli.completion [FOLDER]: regenerate the scripts in completions/.
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "completions"
    for written in write_scripts(target):
        print(written)
