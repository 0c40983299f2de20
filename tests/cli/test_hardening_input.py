"""Hostile and odd input to `om`: broken files, values that look like syntax, random text."""

from __future__ import annotations

import datetime
import io
import json
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from redisom_cli import EmbeddedJsonModel, Field, HashModel, JsonModel, OMError
from redisom_cli.cli.assignments import parse_assignment, to_document
from redisom_cli.cli.commands import transfer

# --- Files with errors: the message names the file and the line ---------------------------


def test_broken_pyproject_names_line(om, project):
    project.write("pyproject.toml", '[tool.om]\nurl = "redis://127.0.0.1:1\n')
    result = om("models")
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr
    assert "(at line 2, column" in result.stderr

    project.write("pyproject.toml", '[tool.om]\nurl = "redis://127.0.0.1:1"\nmodels = 3\n')
    result = om("models")
    assert result.exit_code == 2
    assert f"{project.path / 'pyproject.toml'}, line 3: [tool.om] models must be a list" in result.stderr


def test_model_module_exit_is_reported(om, project):
    project.write("exiting_models.py", "import sys\n\nsys.exit(7)\n")
    result = om("models", "-m", "exiting_models")
    assert result.exit_code == 2
    assert "model module 'exiting_models' called sys.exit(7) while being imported" in result.stderr


def test_model_module_error_names_line(om, project):
    project.write("raising_models.py", "import os\n\nraise RuntimeError('settings missing')\n")
    result = om("models", "-m", "raising_models")
    assert result.exit_code == 2
    assert "cannot import model module 'raising_models': RuntimeError: settings missing" in result.stderr
    assert "raising_models.py, line 3" in result.stderr


def test_csv_unclosed_quote_names_line(om, project, raw_client):
    project.write("broken.csv", 'code,name\nNO,Norway\n"SE,Sweden\nFI,Finland\n')
    result = om("import", "Country", "broken.csv")
    assert result.exit_code == 2
    assert "om: broken.csv, line 3: invalid CSV: a quoted cell that starts on this line is never closed" \
        in result.stderr
    assert raw_client.hget(f"{project.prefix}:country:NO", "name") == "Norway"


def test_csv_stray_quote_names_line(om, project):
    project.write("stray.csv", 'code,name\nNO,Norway\n"SE"x,Sweden\nFI,Finland\n')
    result = om("import", "Country", "stray.csv")
    assert result.exit_code == 2
    assert "om: stray.csv, line 3: invalid CSV: ',' expected after '\"'" in result.stderr
    assert "imported 2 Country record(s)" in result.stderr


def test_jsonl_invalid_line_names_line(om, project):
    project.write("rows.jsonl", '{"code": "NO", "name": "Norway"}\n{"code": "SE", name: "Sweden"}\n')
    result = om("import", "Country", "rows.jsonl")
    assert result.exit_code == 2
    assert "om: rows.jsonl, line 2: invalid JSON: Expecting property name" in result.stderr
    assert "imported 1 Country record(s)" in result.stderr


# --- Random input: only the project's own errors ----------------------------------------


class Place(EmbeddedJsonModel):
    city: str
    zip: Optional[int] = None


class Person(JsonModel):
    name: str
    age: int = 0
    born: Optional[datetime.date] = None
    tags: list[str] = Field(default_factory=list)
    place: Optional[Place] = None


class Row(HashModel):
    name: str
    score: float = 0.0
    seen: Optional[datetime.datetime] = None


ASSIGNMENT_PIECES = st.sampled_from(["name", "age", "born", "tags", "place", "place.city", "place__zip", "x",
                                     "=", ":=", ":", ".", "__", "[", "]", "{", "}", '"', ",", "null", "1", "-",
                                     "\\", "é", " "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40), st.lists(ASSIGNMENT_PIECES, max_size=12).map("".join)))
def test_assignment_parser_raises_only_own_errors(text):
    for model in (Person, Row):
        try:
            assignment = parse_assignment(model, text)
        except OMError:
            continue
        try:
            model.model_validate(to_document([assignment], {"name": "n"}))
        except ValidationError:
            pass


def read_all(kind, text):
    # newline="" as `om import` opens files, so that line ends reach the CSV reader unchanged.
    lines = transfer._bounded_lines(io.StringIO(text, newline=""), "input")
    rows = transfer._csv_rows(Person, lines, "input") if kind == "csv" else transfer._jsonl_rows(lines)
    results = []
    for line, document in rows:
        assert isinstance(line, int)
        if isinstance(document, dict):
            try:
                Person.model_validate(document)
            except ValidationError:
                pass
        else:
            assert isinstance(document, str)
        results.append(line)
    return results


CSV_PIECES = st.sampled_from(["name", "age", "tags", "place.city", "x", ",", '"', '""', "\n", "\r\n", "\r",
                              "a", "1", "[", "]", "\\", "\0", " ", "é"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["csv", "jsonl"]),
       st.one_of(st.text(max_size=80), st.lists(CSV_PIECES, max_size=30).map("".join),
                 st.lists(st.dictionaries(st.sampled_from(["name", "age", "tags", "place", "pk", "x"]),
                                          st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5)
                                                       | st.floats(allow_nan=True),
                                                       lambda inner: st.lists(inner, max_size=3)
                                                       | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                                                       max_leaves=5)),
                          max_size=4).map(lambda rows: "\n".join(json.dumps(row) for row in rows))))
def test_import_readers_raise_only_own_errors(kind, text):
    try:
        lines = read_all(kind, text)
    except OMError:
        return
    assert lines == sorted(lines)


# --- Values that look like syntax are plain values ---------------------------------------

ODD_VALUES = [
    "*", "a*b?", "[abc]", "@name:{x}", "(paren)", '"quoted"', "it's", "back\\slash", "-negated", "~tilde",
    "%%fuzzy%%", "$0", "{pk}", "a,b", "name==x or age>1", "100", "FLUSHALL", "DEL * \r\n", "x:y:z",
    "ünïcødé ✓", "a.b", "a=b", "age:1..9", "not", "1e309", "x | y", "a|b", " padded ",
]


def quoted(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n") + '"'


@pytest.mark.parametrize("engine", ["search", "scan"])
def test_syntax_like_values_found_as_values(om, engine):
    assert om("migrate", "--yes").exit_code == 0
    pks = {}
    for value in ODD_VALUES:
        created = om("create", "Member", f"name={value}", "age=1")
        assert created.exit_code == 0, (value, created.stderr)
        pks[value] = created.stdout.strip()

    for value in ODD_VALUES:
        got = om("get", "Member", pks[value], "--json")
        assert json.loads(got.stdout)["name"] == value
        found = om("find", "Member", f"name=={quoted(value)}", "--engine", engine, "--json")
        assert found.exit_code == 0, (value, found.stderr)
        assert [record["name"] for record in json.loads(found.stdout)] == [value], value


def test_keys_prefix_with_glob_characters_is_literal(om, project, raw_client):
    base = f"{project.prefix}:odd:"
    names = ["a*b", "axxb", "a?c", "abc", "[x]", "x"]
    for name in names:
        raw_client.set(base + name, "1")

    def listed(*args):
        result = om("keys", *args, "--json")
        assert result.exit_code == 0, result.stderr
        return sorted(row["key"][len(base):] for row in json.loads(result.stdout))

    assert listed(base + "a*") == ["a*b"]
    assert listed(base + "a?") == ["a?c"]
    assert listed(base + "[") == ["[x]"]
    assert listed(base + "a*", "--glob") == ["a*b", "a?c", "abc", "axxb"]
    assert listed(base + "a?c", "--glob") == ["a?c", "abc"]
    assert listed(base + "[x]", "--glob") == ["x"]
