"""Shell completion: model and field names from the loaded models, and the scripts in `completions/`.

Completion callbacks must never fail, because the shell would show a traceback; any error
while loading models means no suggestions.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

SHELLS = ("bash", "zsh", "fish")
PROG_NAME = "om"
COMPLETE_VAR = "_OM_COMPLETE"


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


def _model_fields(ctx: Any) -> list[str]:
    try:
        entry = _registry(ctx).resolve(ctx.params.get("model") or "")
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
    """Return sortable field names, also with a leading '-' for descending order."""
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
