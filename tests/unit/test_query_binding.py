"""Binding: field resolution, value conversion and operator checks, with their messages."""

from __future__ import annotations

import pytest

from redisom_cli.errors import QueryError, QuerySyntaxError
from redisom_cli.query.expressions import KNNExpression
from redisom_cli.query.plan import build_plan
from tests.unit.query_models import Customer, Member


def error_of(model, *expressions, **options):
    with pytest.raises(QueryError) as caught:
        build_plan(model, expressions, **options)
    return caught.value


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (Member.first_name < "b",
         "cannot use '<' on 'first_name' (str, TAG): TAG fields accept ==, !=, in, not in, startswith, endswith, "
         "contains, exists, missing"),
        (Member.last_name > "b",
         "cannot use '>' on 'last_name' (str, TAG): TAG fields accept ==, !=, in, not in, startswith, endswith, "
         "contains, exists, missing, match"),
        (Member.age.startswith("12"),
         "cannot use 'startswith' on 'age' (int, NUMERIC): NUMERIC fields accept ==, !=, <, <=, >, >=, in, "
         "not in, between, exists, missing"),
        (Member.first_name % "x",
         "cannot run a full-text search on 'first_name' (str, TAG): the field is not indexed for full-text "
         "search; declare it with Field(full_text_search=True) and run the migration"),
        (Member.notes == "x",
         "cannot query Member by 'notes' (str, TAG): the field is not indexed; declare it with "
         "Field(index=True) and run the migration (om migrate)"),
        (Member.active.startswith("tr"),
         "cannot use 'startswith' on 'active' (bool, TAG): TAG fields accept ==, !=, in, not in, exists, missing"),
        (Member.location == "1,2",
         "cannot use '==' on 'location' (Coordinates, GEO): GEO fields accept == GeoFilter(...), exists, missing"),
        (Member.age == "3x",
         "invalid value '3x' for 'age' (int, NUMERIC): input should be a valid integer, unable to parse string "
         "as an integer"),
        (Member.level == 3, "invalid value 3 for 'level' (Level, NUMERIC): expected one of 1, 2"),
        (Member.status == "gone", "invalid value 'gone' for 'status' (Status, TAG): expected one of 'active', 'retired'"),
        (Member.first_name == 5, "invalid value 5 for 'first_name' (str, TAG): input should be a valid string"),
        (Member.first_name == "   ",
         "cannot search 'first_name' (str, TAG) for '   ': RediSearch does not index empty TAG values; use "
         "'missing' to find records without a value"),
        (Member.first_name.startswith("a"),
         "startswith on 'first_name' (str, TAG) needs at least 2 characters, not 'a', because RediSearch "
         "ignores shorter TAG patterns"),
        (Member.first_name.contains("a\\b"),
         "contains on 'first_name' (str, TAG) cannot search for 'a\\\\b', because RediSearch misreads a "
         "backslash in TAG patterns; use == or in"),
        (Member.age == float("nan"), "invalid value nan for 'age' (int, NUMERIC): input should be a finite number"),
        (Member.score == float("nan"), "invalid value nan for 'score' (float, NUMERIC): NaN matches nothing"),
        (Member.last_name % "--", "full-text search on 'last_name' (str, TAG) needs a word, not '--'"),
    ],
)
def test_invalid_queries(expression, message):
    assert str(error_of(Member, expression)) == message


def test_unknown_field_suggests_close_name():
    assert str(error_of(Member, "agee > 3")) == "cannot query Member by 'agee': the model has no such field; did you mean 'age'?"
    assert "did you mean 'age'?" in str(error_of(Member, "AGE > 3"))
    assert str(error_of(Member, "zzz > 3")) == "cannot query Member by 'zzz': the model has no such field"


def test_unknown_embedded_field_on_proxy():
    with pytest.raises(AttributeError, match="did you mean 'address.city'"):
        Customer.address.cty  # noqa: B018


def test_text_errors_point_at_the_value():
    error = error_of(Member, "first_name == 'x' and age > 3x")
    assert isinstance(error, QuerySyntaxError)
    assert (error.column, error.length) == (29, 2)
    assert error.render().endswith("\n  first_name == 'x' and age > 3x\n                              ^^")


def test_text_errors_point_at_the_field():
    error = error_of(Member, "first_name < b")
    assert isinstance(error, QuerySyntaxError)
    assert (error.column, error.length) == (1, 10)


def test_relative_time_only_for_dates():
    error = error_of(Member, "age > now")
    assert "invalid value 'now' for 'age'" in str(error)


def test_sort_field_checks():
    assert "did you mean 'age'" in str(error_of(Member, sort=["-agge"]))
    assert "only indexed TAG, TEXT and NUMERIC fields can be sorted" in str(error_of(Member, sort=["notes"]))
    assert "only indexed TAG, TEXT and NUMERIC fields can be sorted" in str(error_of(Member, sort=["location"]))


def test_knn_needs_vector_field():
    knn = KNNExpression(k=2, vector_field=Customer.name, score_field=Customer.distance, reference_vector=[1, 2])
    assert "needs a VECTOR field" in str(error_of(Customer, knn=knn))


def test_knn_k_must_be_positive():
    with pytest.raises(QueryError, match="positive integer"):
        KNNExpression(k=0, vector_field=Customer.embedding, score_field=Customer.distance, reference_vector=[1, 2])


def test_in_needs_a_list():
    with pytest.raises(QueryError, match="takes a list of values"):
        Member.age << 3  # noqa: B015


def test_combining_with_non_expression():
    with pytest.raises(QueryError, match="put each comparison in parentheses"):
        (Member.age == 1) & True  # noqa: B015


def test_negating_all_is_an_error():
    from redisom_cli.query.expressions import All

    assert "cannot negate" in str(error_of(Member, ~All()))


def test_instances_read_their_own_values():
    member = Member(first_name="A", last_name="B", age=3)
    assert member.age == 3
    assert member.first_name == "A"
