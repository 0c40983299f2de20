"""Sync twins of async models, so that `om` can drive a `redisom_cli.aio` model synchronously.

A twin subclasses the async model with the sync record methods first in its method order.
Its `Meta` repeats the key prefixes and index name of the original, because a subclass would
otherwise compute its own from its module and class name.
"""

from __future__ import annotations

import functools

from redisom_cli import model_registry
from redisom_cli.store.sync.records import IndexMethods, RecordMethods


@functools.cache
def sync_twin(model: type) -> type:
    """Return a sync subclass of the async `model` that reads and writes the same keys."""
    meta = model._meta
    options = {
        name: getattr(meta, name)
        for name in ("global_key_prefix", "model_key_prefix", "primary_key_pattern", "index_name",
                     "primary_key_creator_cls", "encoding")
    }
    namespace: dict = {
        "__module__": model.__module__,
        "__qualname__": model.__qualname__,
        "__doc__": model.__doc__,
        "Meta": type("Meta", (), options),
    }
    registry_key = f"{model.__module__}.{model.__qualname__}"
    original = model_registry.get(registry_key)
    try:
        twin = type(model)(model.__name__, (RecordMethods, IndexMethods, model), namespace, index=model.is_indexed())
    finally:
        # Defining the twin registers it under the original's name; the registry keeps the original.
        if original is not None:
            model_registry[registry_key] = original

    return twin
