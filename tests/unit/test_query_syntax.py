"""The text query syntax: trees it builds, errors with their columns, and fuzzing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from redisom_cli.errors import QuerySyntaxError
from redisom_cli.query.expressions import All, And, Not, Op, Or, Predicate
from redisom_cli.query.syntax import Word, parse


def test_predicate_tree():
    assert parse("age > 30") == Predicate(("age",), Op.GT, "30")


def test_bare_words_are_words_and_quoted_are_str():
    assert type(parse("a == x").value) is Word
    assert type(parse("a == 'x'").value) is str


def test_keywords_any_case():
    tree = parse("a==1 AnD b==2 OR NOT c ExIsTs")
    assert tree == Or((And((Predicate(("a",), Op.EQ, "1"), Predicate(("b",), Op.EQ, "2"))),
                       Not(Predicate(("c",), Op.EXISTS))))


def test_juxtaposition_and_comma_are_and():
    assert parse("a==1 b==2, c==3") == And((Predicate(("a",), Op.EQ, "1"), Predicate(("b",), Op.EQ, "2"),
                                           Predicate(("c",), Op.EQ, "3")))


def test_symbols_for_and_or_not():
    assert parse("!a==1 & b==2 | c==3") == Or((And((Not(Predicate(("a",), Op.EQ, "1")),
                                                     Predicate(("b",), Op.EQ, "2"))),
                                                Predicate(("c",), Op.EQ, "3")))


def test_parentheses_group():
    assert parse("a==1 and (b==2 or c==3)") == And((Predicate(("a",), Op.EQ, "1"),
                                                   Or((Predicate(("b",), Op.EQ, "2"), Predicate(("c",), Op.EQ, "3")))))


@pytest.mark.parametrize(
    ("text", "op"),
    [("a == 1", Op.EQ), ("a = 1", Op.EQ), ("a != 1", Op.NE), ("a < 1", Op.LT), ("a <= 1", Op.LE),
     ("a > 1", Op.GT), ("a >= 1", Op.GE), ("a contains 1", Op.CONTAINS), ("a startswith 1", Op.STARTSWITH),
     ("a ENDSWITH 1", Op.ENDSWITH), ("a ~ 1", Op.MATCH)],
)
def test_comparison_operators(text, op):
    assert parse(text).op is op


def test_lists_and_ranges():
    assert parse("a in [1, 'x y', z]").value == ("1", "x y", "z")
    assert parse("a NOT IN [1]").op is Op.NOT_IN
    assert parse("a:1..5").value == ("1", "5")
    assert parse("a: ..5").value == (None, "5")
    assert parse("a:-1.5..").value == ("-1.5", None)
    assert parse("a:'x'..'y'").value == ("x", "y")


def test_values_keep_their_text():
    assert parse("d >= 2024-01-01T10:00:00+02:00").value == "2024-01-01T10:00:00+02:00"
    assert parse("d > now-7d").value == "now-7d"
    assert parse("e == a@b.com").value == "a@b.com"
    assert parse("n == -3.5e2").value == "-3.5e2"


def test_quoted_escapes():
    assert parse(r"a == 'it\'s \"x\" \\ \n\t'").value == "it's \"x\" \\ \n\t"
    assert parse('a == "pipe|and space"').value == "pipe|and space"


def test_paths():
    assert parse("address.city == x").path == ("address", "city")
    assert parse("address__city == x").path == ("address", "city")
    assert parse("_private_ish == x").path == ("_private_ish",)


def test_blank_text_matches_all():
    assert parse("   ") == All()


def test_span_points_at_field_and_value():
    predicate = parse("  age > 30")
    assert predicate.span.field == (3, 3)
    assert predicate.span.value == (9, 2)


@pytest.mark.parametrize(
    ("text", "message", "column", "length"),
    [
        ("age>= and last_name==Brookins", "expected a value after '>='", 4, 2),
        ("age >=", "expected a value after '>='", 5, 2),
        ("age", "expected an operator after 'age', found the end of the query", 4, 1),
        ("age 30", "expected an operator after 'age', found '30'", 5, 2),
        ("(age > 1", "unbalanced '(': no ')' after it", 1, 1),
        ("age > 1)", "unbalanced ')': no '(' before it", 8, 1),
        ("name == 'abc", "unterminated string: no closing '", 9, 4),
        ("name == 'a\\qb'", "invalid escape '\\q' in a quoted string; write \\\\ for a backslash", 11, 2),
        ("== 3", "expected a field name, found '='", 1, 1),
        ("age in 3", "expected a list such as [1, 2] after 'in', found '3'", 8, 1),
        ("age in []", "the list after 'in' is empty", 8, 2),
        ("age in [1,", "expected a value in the list after 'in'", 11, 1),
        ("age in [1 2]", "expected ',' or ']' in the list, found '2'", 11, 1),
        ("age in [1", "unbalanced '[': no ']' after it", 8, 1),
        ("age:..", "a range needs at least one bound, as in 1..5, 1.. or ..5", 4, 3),
        ("age:5", "expected '..' in the range, found the end of the query", 6, 1),
        ("address. == 1", "expected a field name after '.', found '='", 10, 1),
        ("age > 1 and", "expected a field name, found the end of the query", 12, 1),
        ("age > 1 or or", "expected a field name, found 'or'", 12, 2),
        ("9lives == 1", "expected a field name, found '9lives'", 1, 6),
        ("age == not", "expected a value after '=='", 5, 2),
    ],
)
def test_syntax_errors(text, message, column, length):
    with pytest.raises(QuerySyntaxError) as caught:
        parse(text)
    error = caught.value
    assert error.message == message
    assert error.column == column
    assert error.length == length


def test_error_renders_caret_under_token():
    with pytest.raises(QuerySyntaxError) as caught:
        parse("age>= and last_name==Brookins")
    assert caught.value.render() == (
        "expected a value after '>=' (column 4)\n"
        "  age>= and last_name==Brookins\n"
        "     ^^"
    )


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(QuerySyntaxError, match="nests deeper"):
        parse("(" * 500 + "a==1" + ")" * 500)


def test_non_string_input():
    with pytest.raises(QuerySyntaxError):
        parse(42)  # type: ignore[arg-type]


QUERY_PIECES = st.sampled_from(
    ["a", "b.c", "d__e", "==", "=", "!=", "<", "<=", ">", ">=", "in", "not", "and", "or", "&", "|", "!",
     "(", ")", "[", "]", ",", ":", "..", "~", "'x y'", '"q\\"', "exists", "missing", "contains",
     "startswith", "1", "-2.5", "now-7d", "2024-01-01", "true", " ", "\t", "\\", "'", '"', "é", "\x00"]
)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(QUERY_PIECES, max_size=25).map("".join),
                 st.lists(QUERY_PIECES, max_size=25).map(" ".join)))
def test_parser_raises_only_syntax_errors(text):
    try:
        parse(text)
    except QuerySyntaxError as error:
        assert 1 <= error.column <= len(text) + 1
        assert error.render()
