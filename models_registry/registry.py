"""The loaded models, found by class name or dotted path."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from redisom_cli.errors import InvalidInputError


class UnknownModelError(InvalidInputError):
    """No loaded model has the requested name."""


class AmbiguousModelError(InvalidInputError):
    """Two or more loaded models have the requested class name."""


@dataclasses.dataclass(frozen=True)
class ModelEntry:
    """One loaded model class."""

    path: str
    model: type

    @property
    def name(self) -> str:
        """The class name, as commands accept it."""
        return self.model.__name__

    @property
    def is_async(self) -> bool:
        """Whether the model comes from `redisom_cli.aio`, whose methods are coroutines."""
        import inspect

        return inspect.iscoroutinefunction(getattr(self.model, "save", None))

    @property
    def storage(self) -> str:
        """`hash` or `json`."""
        return self.model.__om_storage__


@dataclasses.dataclass
class Registry:
    """The models of the loaded modules, sync and async, keyed by "module.QualName"."""

    entries: dict[str, ModelEntry]
    modules: list[ModuleType] = dataclasses.field(default_factory=list)

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(sorted(self.entries.values(), key=lambda entry: (entry.name, entry.path)))

    def __len__(self) -> int:
        return len(self.entries)

    def names(self) -> list[str]:
        """Return the names that resolve to exactly one model: class names, else dotted paths."""
        counts: dict[str, int] = {}
        for entry in self.entries.values():
            counts[entry.name] = counts.get(entry.name, 0) + 1
        return sorted(entry.name if counts[entry.name] == 1 else entry.path for entry in self.entries.values())

    def duplicates(self) -> dict[str, list[str]]:
        """Return the class names shared by several models, with their dotted paths."""
        by_name: dict[str, list[str]] = {}
        for entry in self.entries.values():
            by_name.setdefault(entry.name, []).append(entry.path)
        return {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}

    def resolve(self, name: str) -> ModelEntry:
        """Return the model called `name`, by dotted path or class name.

        Raises UnknownModelError with the nearest name as a suggestion, and
        AmbiguousModelError when several modules define a class of that name.
        """
        if name in self.entries:
            return self.entries[name]
        matches = [entry for entry in self.entries.values() if entry.name == name]
        if not matches:
            matches = [entry for entry in self.entries.values() if entry.path.endswith("." + name)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            paths = ", ".join(sorted(entry.path for entry in matches))
            raise AmbiguousModelError(f"model name {name!r} is ambiguous: {paths}; use the dotted path")
        raise UnknownModelError(self._unknown_message(name))

    def _unknown_message(self, name: str) -> str:
        if not self.entries:
            return (f"unknown model {name!r}: no models are loaded; name their modules with --models/-m, "
                    "OM_MODELS or [tool.om] models in pyproject.toml")
        candidates = {entry.name for entry in self.entries.values()} | set(self.entries)
        lowered = {candidate.lower(): candidate for candidate in candidates}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
        hint = f"; did you mean {lowered[close[0]]!r}?" if close else f"; loaded models: {', '.join(self.names())}"
        return f"unknown model {name!r}{hint}"

    def datasets(self) -> dict[str, Callable[[], Any]]:
        """Return the named data files that the loaded modules offer in `OM_DATASETS`."""
        found: dict[str, Callable[[], Any]] = {}
        for module in self.modules:
            found.update(getattr(module, "OM_DATASETS", {}) or {})
        return found
