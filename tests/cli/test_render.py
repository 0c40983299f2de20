"""Output rules: plain columns off a terminal, Rich on one, NO_COLOR, JSON, JSON Lines and CSV."""

from __future__ import annotations

import datetime
import io
import json

import pytest

from redisom_cli import InvalidInputError
from redisom_cli.cli import render


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_table_when_not_a_terminal(capsys):
    render.print_table(["key", "memory"], [["a", 10], ["longer", None]], numeric=["memory"], footer="2 keys")
    assert capsys.readouterr().out.splitlines() == [
        "key     memory",
        "a           10",
        "longer",
        "2 keys",
    ]


def test_rich_table_on_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.delenv("NO_COLOR", raising=False)
    render.print_table(["key"], [["[bold]x[/bold]"]])
    text = terminal.getvalue()
    assert "┃" in text or "│" in text
    assert "[bold]x[/bold]" in text


def test_no_color_means_plain_even_on_terminal(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr("sys.stdout", terminal)
    monkeypatch.setenv("NO_COLOR", "1")
    render.print_table(["key"], [["x"]])
    assert terminal.getvalue() == "key\nx\n"
    assert "\x1b[" not in terminal.getvalue()


def test_json_jsonl_and_csv(capsys):
    rows = [{"a": 1, "b": [1, 2], "c": None, "d": datetime.date(2024, 1, 2), "e": True}]
    render.print_rows(rows, ["a", "b", "c", "d", "e"], render.JSON)
    assert json.loads(capsys.readouterr().out) == [{"a": 1, "b": [1, 2], "c": None, "d": "2024-01-02", "e": True}]
    render.print_rows(rows, ["a", "b"], render.JSONL)
    assert json.loads(capsys.readouterr().out.splitlines()[0])["d"] == "2024-01-02"
    render.print_rows(rows, ["a", "b", "c", "d", "e"], render.CSV)
    assert capsys.readouterr().out.splitlines() == ["a,b,c,d,e", '1,"[1,2]",,2024-01-02,true']


def test_choose_format_rejects_two():
    assert render.choose_format() == render.TABLE
    assert render.choose_format(csv_flag=True) == render.CSV
    with pytest.raises(InvalidInputError, match="--json and --csv"):
        render.choose_format(json_flag=True, csv_flag=True)


def test_flatten_nested_documents():
    assert dict(render.flatten({"a": {"b": 1, "c": {"d": 2}}, "e": [1], "f": {}})) == {
        "a.b": 1, "a.c.d": 2, "e": [1], "f": {}}
