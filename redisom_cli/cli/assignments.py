"""`field=value` arguments of `om create` and `om update`, and cells of CSV imports.

    name=Andrew              text, converted by the field's own type when validated
    age=38  active=true      numbers, booleans, dates and datetimes as text, the same way
    address.city=Paris       a nested field (JSON models); `address__city` works too
    tags=red,blue            a list field: items separated by commas, or a JSON list `[...]`
    tags:='["red", "blue"]'  `:=` takes a JSON value: numbers, true/false, null, lists, objects

Values are validated by the model (pydantic), never evaluated.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from redisom_cli.errors import InvalidInputError


@dataclasses.dataclass(frozen=True)
class Assignment:
    """One `path=value` argument, the path split into field names."""

    path: tuple[str, ...]
    value: Any

    @property
    def name(self) -> str:
        """The dotted path, as messages show it."""
        return ".".join(self.path)


def parse_assignments(model: type, items: list[str]) -> list[Assignment]:
    """Parse `field=value` and `field:=json` arguments; raise InvalidInputError for a bad one."""
    return [parse_assignment(model, item) for item in items]


def parse_assignment(model: type, item: str) -> Assignment:
    """Parse one `field=value` or `field:=json` argument for `model`."""
    name, is_json, text = _split(item)
    path = tuple(name.replace("__", ".").split("."))
    annotation = field_annotation(model, path)
    if is_json:
        try:
            return Assignment(path, json.loads(text))
        except ValueError as error:
            raise InvalidInputError(f"invalid JSON for {name!r}: {error} (in {item!r})") from error
    return Assignment(path, text_value(annotation, text))


def text_value(annotation: Any, text: str) -> Any:
    """Return the value of a text argument: a list for list fields, else the text for pydantic to convert."""
    from redisom_cli.model.specs import shape_of

    if not shape_of(annotation).is_list:
        return text
    return list_value(text)


def list_value(text: str) -> list[Any]:
    """Return the items of a list argument: a JSON list `[...]`, else items separated by commas."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            return json.loads(stripped)
        except ValueError as error:
            raise InvalidInputError(f"invalid JSON list {text!r}: {error}") from error
    return [part.strip() for part in text.split(",")] if stripped else []


def _split(item: str) -> tuple[str, bool, str]:
    equals = item.find("=")
    if equals <= 0:
        raise InvalidInputError(f"expected field=value or field:=json, not {item!r}")
    is_json = item[equals - 1] == ":"
    name = item[:equals - 1] if is_json else item[:equals]
    if not name:
        raise InvalidInputError(f"expected field=value or field:=json, not {item!r}")
    return name, is_json, item[equals + 1:]


def field_annotation(model: type, path: tuple[str, ...]) -> Any:
    """Return the annotation of the field at `path`; raise InvalidInputError with a suggestion if unknown."""
    from redisom_cli.model.specs import is_embedded_model, shape_of

    fields = model.model_fields
    annotation: Any = None
    for depth, part in enumerate(path):
        if part not in fields:
            raise InvalidInputError(unknown_field_message(model, path[:depth + 1], list(fields)))
        annotation = fields[part].annotation
        inner = shape_of(annotation).inner
        fields = inner.model_fields if is_embedded_model(inner) else {}
    return annotation


def unknown_field_message(model: type, path: tuple[str, ...], names: list[str]) -> str:
    """Return "Model has no field 'x'; did you mean 'y'?" with the nearest field name."""
    import difflib

    if not names:
        return f"{model.__name__} has no field {'.'.join(path)!r}; {'.'.join(path[:-1])!r} has no nested fields"
    close = difflib.get_close_matches(path[-1], names, n=1)
    hint = f"; did you mean {'.'.join((*path[:-1], close[0]))!r}?" if close else f"; fields: {', '.join(names)}"
    return f"{model.__name__} has no field {'.'.join(path)!r}{hint}"


def to_document(assignments: list[Assignment], document: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a nested document with the assignments applied over `document`."""
    result: dict[str, Any] = dict(document or {})
    for assignment in assignments:
        target = result
        for part in assignment.path[:-1]:
            child = target.get(part)
            target[part] = child = dict(child) if isinstance(child, dict) else {}
            target = child
        target[assignment.path[-1]] = assignment.value
    return result


def to_update(assignments: list[Assignment]) -> dict[str, Any]:
    """Return the keyword arguments of `record.update()`: nested paths joined with `__`."""
    return {"__".join(assignment.path): assignment.value for assignment in assignments}


def check_field_names(model: type, names: list[str]) -> list[tuple[str, ...]]:
    """Return `--fields` names (comma lists allowed) as paths; raise InvalidInputError for an unknown one."""
    paths = []
    for group in names:
        for name in filter(None, (part.strip() for part in group.split(","))):
            path = tuple(name.replace("__", ".").split("."))
            field_annotation(model, path)
            paths.append(path)
    return paths


def pick_fields(document: dict[str, Any], paths: list[tuple[str, ...]]) -> dict[str, Any]:
    """Return the dotted paths of `document` that `paths` name, in that order."""
    picked = {}
    for path in paths:
        value: Any = document
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        picked[".".join(path)] = value
    return picked
