"""Loading the user's model modules for `om`, and finding models by name.

The registry depends on the library, never the other way round: `redisom_cli` does not
import this package.
"""

from __future__ import annotations

from pathlib import Path

from models_registry.loader import ModuleImportError, import_models, module_name_for
from models_registry.registry import AmbiguousModelError, ModelEntry, Registry, UnknownModelError
from models_registry.settings import ProjectSettings, find_pyproject, model_sources, read_settings

__all__ = [
    "AmbiguousModelError",
    "ModelEntry",
    "ModuleImportError",
    "ProjectSettings",
    "Registry",
    "UnknownModelError",
    "find_pyproject",
    "import_models",
    "load_registry",
    "model_sources",
    "module_name_for",
    "read_settings",
]


def load_registry(modules: list[str] | None = None, settings: ProjectSettings | None = None) -> Registry:
    """Import the model modules and return a registry of every concrete model they define.

    Modules come from `modules` (the `--models` option), else OM_MODELS, else `[tool.om] models`
    of the nearest pyproject.toml. The registry contains the models defined in those modules and
    their submodules, and every model that importing them defined elsewhere.
    """
    from redisom_cli import model_registry

    settings = settings if settings is not None else read_settings()
    sources, base = model_sources(modules, settings)
    known_before = set(model_registry)
    imported = import_models(sources, base or Path.cwd())
    prefixes = tuple(module.__name__ for module in imported)
    entries = {
        path: ModelEntry(path, model)
        for path, model in model_registry.items()
        if path not in known_before or _belongs_to(model.__module__, prefixes)
    }
    return Registry(entries, imported)


def _belongs_to(module_name: str, prefixes: tuple[str, ...]) -> bool:
    return any(module_name == prefix or module_name.startswith(prefix + ".") for prefix in prefixes)
