"""`om models`: the loaded models with their storage, key prefix, index and indexed fields."""

from __future__ import annotations

from typing import Any

import typer

from redisom_cli.cli import render, session
from redisom_cli.cli.options import CsvFlag, JsonFlag, JsonlFlag, command

COLUMNS = ["model", "kind", "key_prefix", "index_name", "indexed_fields", "path"]


def register(app: typer.Typer) -> None:
    """Add `om models` to the app."""
    command(app, "models")(list_models)


def list_models(json: JsonFlag = False, jsonl: JsonlFlag = False, csv: CsvFlag = False) -> None:
    """List each model with its kind (hash/json), key prefix, index name and indexed fields."""
    output = render.choose_format(json, jsonl, csv)
    registry = session.current().registry()
    rows = [describe(entry) for entry in registry]
    if output == render.TABLE:
        rows = [{**row, "indexed_fields": ", ".join(_field_label(f) for f in row["indexed_fields"])} for row in rows]
    for name, paths in registry.duplicates().items():
        render.note(f"om: note: several models are named {name!r}; use the dotted path: {', '.join(paths)}")
    if not rows:
        render.note("om: no models loaded; name their modules with --models/-m, OM_MODELS or "
                    "[tool.om] models in pyproject.toml")
    render.print_rows(rows, COLUMNS + ["async"] if output != render.TABLE else COLUMNS, output)


def describe(entry: Any) -> dict[str, Any]:
    """Return the stable description of one model, as `om models --json` prints it."""
    model = entry.model
    fields = []
    for spec in model.specs():
        if not spec.indexed:
            continue
        fields.append({
            "name": spec.name,
            "kind": spec.kind.value,
            "attribute": spec.attribute,
            "sortable": spec.options.sortable,
            "full_text": spec.options.full_text_search,
        })
    return {
        "model": entry.name,
        "kind": entry.storage,
        "key_prefix": model.key_prefix(),
        "index_name": model.index_name() if model.is_indexed() else None,
        "indexed_fields": fields,
        "path": entry.path,
        "async": entry.is_async,
    }


def _field_label(field: dict[str, Any]) -> str:
    flags = [field["kind"]]
    if field["sortable"]:
        flags.append("SORTABLE")
    if field["full_text"]:
        flags.append("TEXT")
    return f"{field['name']} ({' '.join(flags)})"
