"""The field=value parser of `om create` and `om update`, without a server."""

from __future__ import annotations

import datetime
from typing import Optional

import pytest

from redisom_cli import EmbeddedJsonModel, Field, InvalidInputError, JsonModel
from redisom_cli.cli.assignments import (
    check_field_names,
    parse_assignment,
    parse_assignments,
    pick_fields,
    to_document,
    to_update,
)


class Place(EmbeddedJsonModel):
    city: str = Field(index=True)
    zip_code: Optional[str] = None


class Person(JsonModel):
    name: str
    age: int = 0
    born: Optional[datetime.date] = None
    tags: list[str] = Field(default_factory=list)
    scores: list[int] = Field(default_factory=list)
    home: Optional[Place] = None


def test_text_values_stay_text_for_pydantic():
    assert parse_assignment(Person, "age=38").value == "38"
    assert parse_assignment(Person, "name=a=b").value == "a=b"
    assert parse_assignment(Person, "name=").value == ""


def test_typed_values_validate_through_model():
    document = to_document(parse_assignments(Person, ["name=Ada", "age=38", "born=1815-12-10"]))
    person = Person.model_validate(document)
    assert person.age == 38
    assert person.born == datetime.date(1815, 12, 10)


def test_json_values():
    assert parse_assignment(Person, "age:=38").value == 38
    assert parse_assignment(Person, "home:=null").value is None
    assert parse_assignment(Person, 'tags:=["a,b"]').value == ["a,b"]


def test_lists_from_commas_or_json():
    assert parse_assignment(Person, "tags=a, b,c").value == ["a", "b", "c"]
    assert parse_assignment(Person, 'tags=["x", "y"]').value == ["x", "y"]
    assert parse_assignment(Person, "tags=").value == []
    assert Person.model_validate({"name": "n", "scores": parse_assignment(Person, "scores=1,2").value}).scores == [1, 2]


def test_nested_paths_with_dots_or_underscores():
    assignments = parse_assignments(Person, ["home.city=Oslo", "home__zip_code=0150"])
    assert to_document(assignments, {"name": "Ada"}) == {"name": "Ada", "home": {"city": "Oslo", "zip_code": "0150"}}
    assert to_update(assignments) == {"home__city": "Oslo", "home__zip_code": "0150"}


@pytest.mark.parametrize("item, message", [
    ("nmae=Ada", "did you mean 'name'"),
    ("home.ctiy=Oslo", "did you mean 'home.city'"),
    ("noequals", "expected field=value"),
    ("=value", "expected field=value"),
    (":=1", "expected field=value"),
    ("age:={", "invalid JSON for 'age'"),
    ("tags=[1,", "invalid JSON list"),
    ("zzz=1", "fields: pk, name, age"),
    ("name.first=Ada", "'name' has no nested fields"),
])
def test_bad_assignments(item, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_assignment(Person, item)


def test_field_names_and_picking():
    paths = check_field_names(Person, ["name,home.city", "age"])
    assert paths == [("name",), ("home", "city"), ("age",)]
    document = {"name": "Ada", "age": 3, "home": {"city": "Oslo"}}
    assert pick_fields(document, paths) == {"name": "Ada", "home.city": "Oslo", "age": 3}
    with pytest.raises(InvalidInputError, match="did you mean 'age'"):
        check_field_names(Person, ["agge"])
