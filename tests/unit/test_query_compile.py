"""Golden tests: expression trees and query text compiled to FT.SEARCH text and arguments."""

from __future__ import annotations

import datetime
import struct
import uuid

import pytest

from redisom_cli.query.expressions import GeoFilter, KNNExpression
from redisom_cli.query.plan import build_plan
from redisom_cli.query.redisearch import escape_tag, format_number, search_args
from tests.unit.query_models import Customer, Level, Member, Status

NOW = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)


def compiled(model, *expressions, **options):
    return build_plan(model, expressions, now=NOW, **options).query_text


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (Member.first_name == "Andrew", "@first_name:{Andrew}"),
        (Member.first_name != "Andrew", "-@first_name:{Andrew}"),
        (Member.first_name << ["A", "B"], "@first_name:{A | B}"),
        (Member.first_name >> ["A", "B"], "-@first_name:{A | B}"),
        (Member.first_name.in_(["A"]), "@first_name:{A}"),
        (Member.first_name.not_in(["A"]), "-@first_name:{A}"),
        (Member.first_name.startswith("An"), "@first_name:{An*}"),
        (Member.first_name.endswith("ew"), "@first_name:{*ew}"),
        (Member.first_name.contains("dre"), "@first_name:{*dre*}"),
        (Member.email.exists(), "-ismissing(@email)"),
        (Member.email.missing(), "ismissing(@email)"),
        (Member.email == None, "ismissing(@email)"),  # noqa: E711 - the Redis OM spelling
        (Member.email != None, "-ismissing(@email)"),  # noqa: E711
        (Member.last_name % "brookins", "@last_name_fts:(brookins)"),
        (Member.last_name.match("Brook ins"), "@last_name_fts:(Brook ins)"),
    ],
)
def test_tag_and_text_operators(expression, expected):
    assert compiled(Member, expression) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (Member.age == 30, "@age:[30 30]"),
        (Member.age != 30, "-@age:[30 30]"),
        (Member.age < 30, "@age:[-inf (30]"),
        (Member.age <= 30, "@age:[-inf 30]"),
        (Member.age > 30, "@age:[(30 +inf]"),
        (Member.age >= 30, "@age:[30 +inf]"),
        (Member.age.between(20, 30), "@age:[20 30]"),
        (Member.age.between(None, 30), "@age:[-inf 30]"),
        (Member.age << [1, 2], "@age:[1 1] | @age:[2 2]"),
        (Member.age >> [1, 2], "-(@age:[1 1] | @age:[2 2])"),
        (Member.age.exists(), "@age:[-inf +inf]"),
        (Member.age.missing(), "-@age:[-inf +inf]"),
        (Member.score == 0.1, "@score:[0.1 0.1]"),
        (Member.score > -1.5e300, "@score:[(-1.5e+300 +inf]"),
        (Member.balance >= "10.25", "@balance:[10.25 +inf]"),
        (Member.level == Level.HIGH, "@level:[2 2]"),
        (Member.level == 1, "@level:[1 1]"),
        (Member.level << [Level.LOW, Level.HIGH], "@level:[1 1] | @level:[2 2]"),
        (Member.joined == datetime.date(2024, 1, 2), "@joined:[1704153600 1704153600]"),
        (Member.seen > datetime.datetime(2024, 1, 1), "@seen:[(1704067200 +inf]"),
        (Member.seen > datetime.datetime(2024, 1, 1, 0, 0, 0, 500000), "@seen:[(1704067200.5 +inf]"),
    ],
)
def test_numeric_operators(expression, expected):
    assert compiled(Member, expression) == expected


@pytest.mark.parametrize(
    ("model", "expression", "expected"),
    [
        (Member, Member.active == True, "@active:{1}"),  # noqa: E712 - a query, not a test of truth
        (Member, Member.active != True, "-@active:{1}"),  # noqa: E712
        (Member, Member.active == "false", "@active:{0}"),
        (Member, Member.status == Status.RETIRED, "@status:{retired}"),
        (Member, Member.status == "active", "@status:{active}"),
        (Member, Member.token == uuid.UUID(int=1), "@token:{00000000\\-0000\\-0000\\-0000\\-000000000001}"),
        (Member, Member.kind == "b", "@kind:{b}"),
        (Customer, Customer.active == False, "@active:{false}"),  # noqa: E712
        (Customer, Customer.tags == "red", "@tags:{red}"),
        (Customer, Customer.tags << ["red", "blue"], "@tags:{red | blue}"),
        (Customer, Customer.address.city == "San Antonio", "@address_city:{San\\ Antonio}"),
        (Customer, Customer.address.postal_code < 78000, "@address_postal_code:[-inf (78000]"),
        (Customer, Customer.orders.amount > 10, "@orders_amount:[(10 +inf]"),
    ],
)
def test_field_kinds(model, expression, expected):
    assert compiled(model, expression) == expected


def test_json_bool_compiles_to_true_false():
    assert compiled(Customer, Customer.active == True) == "@active:{true}"  # noqa: E712


def test_geo_radius():
    area = GeoFilter(longitude=-122.5, latitude=45.5, radius=10, unit="mi")
    assert compiled(Member, Member.location == area) == "@location:[-122.5 45.5 10 mi]"
    assert compiled(Member, Member.location.within(area)) == "@location:[-122.5 45.5 10 mi]"


def test_geo_presence_uses_a_whole_earth_circle():
    assert compiled(Member, Member.location.exists()) == "@location:[0 0 20100 km]"
    assert compiled(Member, Member.location == None) == "-@location:[0 0 20100 km]"  # noqa: E711


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a|b", "(@first_name:{a} @first_name:{b})"),
        ("a?b", "@first_name:{a\\?b}"),
        ("a`b", "@first_name:{a\\`b}"),
        ("tab\there", "@first_name:{tab\\\there}"),
        ("  padded  ", "@first_name:{padded}"),
        ("a b", "@first_name:{a\\ b}"),
        ("a@b.com", "@first_name:{a\\@b\\.com}"),
        ("50%", "@first_name:{50\\%}"),
        ("back\\slash", "@first_name:{back\\\\slash}"),
        ("{}[]()", "@first_name:{\\{\\}\\[\\]\\(\\)}"),
        ("Ärger 東京", "@first_name:{Ärger\\ 東京}"),
        ("$param", "@first_name:{\\$param}"),
        ("*", "@first_name:{\\*}"),
    ],
)
def test_tag_escaping(value, expected):
    assert compiled(Member, Member.first_name == value) == expected


def test_tag_escaping_covers_all_ascii_punctuation():
    import string

    escaped = escape_tag(string.punctuation)
    assert escaped == "".join("\\" + char for char in string.punctuation)


def test_custom_separator_splits_values():
    assert compiled(Member, Member.path == "a;b") == "(@path:{a} @path:{b})"
    assert compiled(Member, Member.path == "a|b") == "@path:{a\\|b}"


def test_in_with_separator_values():
    expected = "(@first_name:{x} | (@first_name:{a} @first_name:{b}))"
    assert compiled(Member, Member.first_name << ["x", "a|b"]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a-b", "@last_name_fts:(a b)"),
        ("a@b.com", "@last_name_fts:(a b com)"),
        ("50%", "@last_name_fts:(50)"),
        ("what? no/yes", "@last_name_fts:(what\\? no\\/yes)"),
        ("snake_case", "@last_name_fts:(snake_case)"),
    ],
)
def test_text_escaping(text, expected):
    assert compiled(Member, Member.last_name % text) == expected


def test_boolean_structure():
    expression = ((Member.age > 1) & (Member.first_name == "A")) | ~(Member.last_name == "B")
    assert compiled(Member, expression) == "(@age:[(1 +inf] @first_name:{A}) | -@last_name:{B}"


def test_several_expressions_are_and():
    assert compiled(Member, Member.age > 1, Member.first_name == "A") == "@age:[(1 +inf] @first_name:{A}"


def test_no_expression_matches_all():
    assert compiled(Member) == "*"
    assert compiled(Member, "") == "*"


def test_double_negation_cancels():
    from redisom_cli.query.expressions import Not

    assert compiled(Member, ~~(Member.age == 1)) == "@age:[1 1]"
    assert compiled(Member, Not(Member.age != 1)) == "@age:[1 1]"
    assert compiled(Member, Not(Member.email.missing())) == "-ismissing(@email)"
    assert compiled(Member, Not(Member.age.missing())) == "@age:[-inf +inf]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age>30 and first_name=='San Antonio'", "@age:[(30 +inf] @first_name:{San\\ Antonio}"),
        ("age >= 30 OR first_name = x", "@age:[30 +inf] | @first_name:{x}"),
        ("age:20..30", "@age:[20 30]"),
        ("age:..30", "@age:[-inf 30]"),
        ("age:20..", "@age:[20 +inf]"),
        ("age in [1, 2]", "@age:[1 1] | @age:[2 2]"),
        ("first_name not in [a, 'b c']", "-@first_name:{a | b\\ c}"),
        ("not age == 3", "-@age:[3 3]"),
        ("!(age == 3 | age == 4)", "-(@age:[3 3] | @age:[4 4])"),
        ("email missing", "ismissing(@email)"),
        ("email EXISTS", "-ismissing(@email)"),
        ("first_name startswith An", "@first_name:{An*}"),
        ("last_name ~ 'running fast'", "@last_name_fts:(running fast)"),
        ("active == true", "@active:{1}"),
        ("active = 0", "@active:{0}"),
        ("joined == 2024-01-02", "@joined:[1704153600 1704153600]"),
        ("seen > 2024-01-01T00:00:00Z", "@seen:[(1704067200 +inf]"),
        ("seen > 2024-01-01T02:00:00+02:00", "@seen:[(1704067200 +inf]"),
        ("seen > now-7d", "@seen:[(1713960000 +inf]"),
        ("seen < now", "@seen:[-inf (1714564800]"),
        ("seen < now+1h", "@seen:[-inf (1714568400]"),
        ("level == HIGH", "@level:[2 2]"),
        ("level in [1, 2]", "@level:[1 1] | @level:[2 2]"),
        ("status == retired", "@status:{retired}"),
        ("first_name == \"q\\\"uote\"", "@first_name:{q\\\"uote}"),
        ("age > 1, age < 5 first_name == x", "@age:[(1 +inf] @age:[-inf (5] @first_name:{x}"),
    ],
)
def test_text_syntax_compiles(text, expected):
    assert compiled(Member, text) == expected


def test_text_syntax_paths_and_double_underscore():
    assert compiled(Customer, "address.city == Austin") == "@address_city:{Austin}"
    assert compiled(Customer, "address__city == Austin") == "@address_city:{Austin}"


def test_format_number_round_trips():
    for value in (0.1, 1 / 3, 2.0**60, -5e-324, 1e308):
        assert float(format_number(value)) == value
    assert format_number(30.0) == "30"
    assert format_number(float("inf")) == "+inf"


def test_search_args_full():
    plan = build_plan(Member, [Member.age > 30], sort=["-age"])
    request = plan.search_request(20, 10, return_fields=("age",))
    assert search_args(request) == [
        "FT.SEARCH", "unit:Member:index", "@age:[(30 +inf]",
        "RETURN", 1, "age", "SORTBY", "age", "DESC", "LIMIT", 20, 10, "DIALECT", "2",
    ]


def test_search_args_count_has_nocontent():
    plan = build_plan(Member, [])
    assert search_args(plan.search_request(0, 0, no_content=True)) == [
        "FT.SEARCH", "unit:Member:index", "*", "NOCONTENT", "LIMIT", 0, 0, "DIALECT", "2",
    ]


def test_several_sort_fields_sort_in_client():
    plan = build_plan(Member, [], sort=["-age", "last_name"])
    assert plan.sorts_in_client
    assert [(key.attribute, key.descending) for key in plan.sort] == [("age", True), ("last_name", False)]
    assert "SORTBY" not in search_args(plan.search_request(0, 10, server_sort=False))


def test_knn_query_and_params():
    knn = KNNExpression(k=3, vector_field=Customer.embedding, score_field=Customer.distance,
                        reference_vector=[1.0, 2.0])
    plan = build_plan(Customer, [Customer.name == "x"], knn=knn)
    vector = struct.pack("<2f", 1.0, 2.0)
    assert search_args(plan.search_request(0, 3)) == [
        "FT.SEARCH", "unit:Customer:index", "(@name:{x})=>[KNN $K @embedding $knn_ref_vector AS distance]",
        "SORTBY", "distance", "ASC", "LIMIT", 0, 3, "PARAMS", 4, "K", 3, "knn_ref_vector", vector,
        "DIALECT", "2",
    ]


def test_knn_without_filter():
    knn = KNNExpression(k=2, vector_field=Customer.embedding, score_field=Customer.distance,
                        reference_vector=struct.pack("<2f", 0.5, 0.5))
    plan = build_plan(Customer, [], knn=knn)
    assert plan.query_text == "*=>[KNN $K @embedding $knn_ref_vector AS distance]"
