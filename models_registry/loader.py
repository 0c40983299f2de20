"""Importing the user's model modules, by dotted name or by `.py` path.

A `.py` path under the working directory is imported under the dotted name it has from
there (`app/models.py` is `app.models`), because a model's default key prefix contains its
module name and must match the one the application uses.
"""

from __future__ import annotations

import importlib
import logging
import sys
import traceback
from pathlib import Path
from types import ModuleType

from redisom_cli.errors import ConfigurationError, OMError

logger = logging.getLogger(__name__)


class ModuleImportError(ConfigurationError):
    """A model module that could not be imported; the message carries the module's own error."""


def import_models(sources: tuple[str, ...] | list[str], base: Path) -> list[ModuleType]:
    """Import every module of `sources` and return them, with the working directory on sys.path.

    `base` is the folder that relative names are resolved from: the working directory, or the
    folder of the pyproject.toml that lists them, which is then put on sys.path too.
    """
    for folder in (base, Path.cwd()):
        _add_to_path(folder)
    return [_import_one(source, base) for source in sources]


def _add_to_path(folder: Path) -> None:
    text = str(folder.resolve())
    if text not in sys.path:
        sys.path.insert(0, text)


def _import_one(source: str, base: Path) -> ModuleType:
    name = module_name_for(source, base)
    logger.debug("Importing model module %s", name)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and not _is_part_of(error.name, name):
            raise ModuleImportError(_describe(name, error, base)) from error
        raise ModuleImportError(
            f"model module {name!r} not found; check --models/-m, OM_MODELS or [tool.om] models "
            "in pyproject.toml, and run om from the project folder"
        ) from error
    except OMError as error:
        raise ModuleImportError(f"in model module {name!r}: {error}") from error
    except SystemExit as error:
        # sys.exit() in a model module would otherwise end om with that code and no message.
        raise ModuleImportError(f"model module {name!r} called sys.exit({error.code!r}) while being imported") \
            from error
    except Exception as error:  # noqa: BLE001 - any error of user code is reported, not re-raised as a crash
        raise ModuleImportError(_describe(name, error, base)) from error


def module_name_for(source: str, base: Path) -> str:
    """Return the dotted module name of `source`: itself, or the name of a `.py` path."""
    if not source.endswith(".py") and "/" not in source and "\\" not in source:
        return source
    path = Path(source)
    if not path.is_absolute():
        path = base / path
    path = path.resolve()
    if not path.is_file():
        raise ModuleImportError(f"model file {source!r} not found")
    for root in (Path.cwd().resolve(), base.resolve()):
        if path.is_relative_to(root):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            return ".".join(parts)
    # Outside the project: importable by its file name from its own folder.
    _add_to_path(path.parent)
    return path.stem


def _is_part_of(missing: str, name: str) -> bool:
    """Return True if the missing module is `name` itself or one of its parent packages."""
    return name == missing or name.startswith(missing + ".")


def _describe(name: str, error: BaseException, base: Path) -> str:
    """Return "cannot import NAME: Type: message (file, line N)", N in the user's own code."""
    location = ""
    frame = _user_frame(error, base)
    if isinstance(error, SyntaxError) and error.filename:
        location = f" ({error.filename}, line {error.lineno})"
    elif frame is not None:
        location = f" ({frame.filename}, line {frame.lineno})"
    message = str(error).splitlines()[0] if str(error) else ""
    return f"cannot import model module {name!r}: {type(error).__name__}: {message}{location}"


def _user_frame(error: BaseException, base: Path) -> traceback.FrameSummary | None:
    """Return the deepest traceback frame in the project's files, not in libraries or importlib."""
    roots = {str(Path.cwd().resolve()), str(base.resolve())}
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith(tuple(roots)) and "site-packages" not in frame.filename
              and not frame.filename.endswith("models_registry/loader.py")]
    return frames[-1] if frames else None
