"""Project settings for `om`: the `[tool.om]` table of the nearest pyproject.toml.

`url` is the connection URL and `models` the list of model modules. `OM_MODELS` (module
names separated by commas or whitespace) takes precedence over `models`.
"""

from __future__ import annotations

import dataclasses
import os
import re
from pathlib import Path
from typing import Any

from redisom_cli.errors import ConfigurationError

MODELS_VARIABLE = "OM_MODELS"
EMBEDDED_SCHEME = "embedded://"


@dataclasses.dataclass(frozen=True)
class ProjectSettings:
    """The `[tool.om]` table of one pyproject.toml, or empty settings when there is none."""

    path: Path | None = None
    url: str | None = None
    models: tuple[str, ...] = ()

    @property
    def root(self) -> Path | None:
        """The folder that contains the pyproject.toml."""
        return self.path.parent if self.path is not None else None


def find_pyproject(start: Path | None = None) -> Path | None:
    """Return the nearest pyproject.toml in `start` (the working directory) or a parent folder."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if path.is_file():
            return path
    return None


def read_settings(start: Path | None = None) -> ProjectSettings:
    """Read `[tool.om]` from the nearest pyproject.toml; raise ConfigurationError if it is invalid."""
    path = find_pyproject(start)
    if path is None:
        return ProjectSettings()
    table = _load_toml(path).get("tool", {}).get("om", {})
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: [tool.om] must be a table")
    url = table.get("url")
    models = table.get("models", [])
    if url is not None and not isinstance(url, str):
        raise ConfigurationError(f"{_location(path, 'url')}: [tool.om] url must be a string")
    if isinstance(models, str):
        models = [models]
    if not isinstance(models, list) or not all(isinstance(name, str) for name in models):
        raise ConfigurationError(
            f"{_location(path, 'models')}: [tool.om] models must be a list of module names or .py paths")
    return ProjectSettings(path=path, url=_anchor_embedded(url, path.parent), models=tuple(models))


def _location(path: Path, key: str) -> str:
    """Return "PATH, line N" for the line that sets `key` in the [tool.om] table, or PATH if none does."""
    in_table = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_table = stripped.replace(" ", "").startswith("[tool.om]")
        elif in_table and re.match(rf"{key}\s*=", stripped):
            return f"{path}, line {number}"
    return str(path)


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigurationError(f"cannot read {path}: {error}") from error


def _anchor_embedded(url: str | None, root: Path) -> str | None:
    """Resolve a relative `embedded://PATH` against the pyproject's folder, not the working directory.

    Without this, running `om` from a subfolder would start a second server with empty data.
    """
    if url is None or not url.lower().startswith(EMBEDDED_SCHEME):
        return url
    path = url[len(EMBEDDED_SCHEME):] or ".om"
    if Path(path).is_absolute():
        return url
    return EMBEDDED_SCHEME + str(root / path)


def models_from_environment() -> tuple[str, ...]:
    """Return the module names in OM_MODELS, split on commas and whitespace."""
    text = os.environ.get(MODELS_VARIABLE, "")
    return tuple(name for name in re.split(r"[,\s]+", text) if name)


def model_sources(option: list[str] | None, settings: ProjectSettings) -> tuple[tuple[str, ...], Path | None]:
    """Return the model modules to import and the folder that `[tool.om]` names are relative to.

    First match wins: the `--models` option, OM_MODELS, then `[tool.om] models`.
    """
    if option:
        return tuple(option), None
    from_environment = models_from_environment()
    if from_environment:
        return from_environment, None
    return settings.models, settings.root
