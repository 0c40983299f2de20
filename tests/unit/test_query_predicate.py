"""The scan engine's predicate over stored records, reply parsing and client-side sorting."""

from __future__ import annotations

from redisom_cli.query import predicate, replies
from redisom_cli.query.expressions import GeoFilter
from redisom_cli.query.plan import build_plan
from tests.unit.query_models import Customer, Member


def matches(model, expression, record):
    return build_plan(model, [expression]).test(record)


def test_tag_is_case_insensitive_for_ascii_only():
    assert matches(Member, Member.first_name == "andrew", {"first_name": "ANDREW"})
    assert not matches(Member, Member.first_name == "äö", {"first_name": "ÄÖ"})
    assert matches(Member, Member.first_name == "ÄÖ", {"first_name": "ÄÖ"})


def test_case_sensitive_tag():
    assert not matches(Member, Member.email == "a@b.com", {"email": "A@b.com"})
    assert matches(Member, Member.email == "A@b.com", {"email": "A@b.com"})


def test_tag_strips_ascii_whitespace_and_splits():
    assert matches(Member, Member.first_name == "a b", {"first_name": " a b\t"})
    assert matches(Member, Member.first_name == "a|b", {"first_name": "b|x|a"})
    assert matches(Member, Member.first_name == "a", {"first_name": "a|b"})
    assert not matches(Member, Member.first_name == "a|b", {"first_name": "a"})
    assert not matches(Member, Member.first_name == "a", {"first_name": "\u00a0a"})


def test_tag_patterns():
    record = {"first_name": "Andrew|Bob"}
    assert matches(Member, Member.first_name.startswith("an"), record)
    assert matches(Member, Member.first_name.endswith("OB"), record)
    assert matches(Member, Member.first_name.contains("dre"), record)
    assert not matches(Member, Member.first_name.contains("w|b"), record)


def test_bool_and_numeric_in_hash():
    assert matches(Member, Member.active != True, {"active": "0"})  # noqa: E712
    assert matches(Member, Member.active != True, {})  # noqa: E712
    assert matches(Member, Member.age << [1, 5], {"age": "5"})
    assert matches(Member, Member.age > 4, {"age": "5"})
    assert not matches(Member, Member.age > 5, {"age": "5"})
    assert matches(Member, Member.age >= 5, {"age": "5"})
    assert not matches(Member, Member.age == 5, {"age": "five"})


def test_presence_in_hash():
    assert matches(Member, Member.email.exists(), {"email": ""})
    assert matches(Member, Member.email == None, {"first_name": "x"})  # noqa: E711
    assert matches(Member, Member.age.missing(), {"age": "not a number"})


def test_presence_in_json_counts_null_as_missing():
    assert not matches(Customer, Customer.address.postal_code.exists(), {"address": {"postal_code": None}})
    assert matches(Customer, Customer.tags.missing(), {"tags": []})
    assert matches(Customer, Customer.name.missing(), {"name": None})
    assert matches(Customer, Customer.name.missing(), {})
    assert matches(Customer, Customer.name.exists(), {"name": ""})


def test_json_tag_presence_requires_scan():
    assert build_plan(Customer, [Customer.name.missing()]).requires_scan
    assert build_plan(Customer, [~(Customer.tags.exists()) | (Customer.name == "x")]).requires_scan
    assert not build_plan(Customer, [Customer.address.postal_code.missing()]).requires_scan
    assert not build_plan(Member, [Member.email.missing()]).requires_scan


def test_json_lists_and_embedded():
    document = {"tags": ["Red", "blue|green"], "address": {"city": "Austin"}, "orders": [{"amount": 5}, {"amount": 50}],
                "active": True}
    assert matches(Customer, Customer.tags == "green", document)
    assert matches(Customer, Customer.tags << ["red"], document)
    assert matches(Customer, Customer.address.city == "austin", document)
    assert matches(Customer, Customer.orders.amount > 40, document)
    assert not matches(Customer, Customer.orders.amount.between(6, 40), document)
    assert matches(Customer, Customer.active == True, document)  # noqa: E712


def test_geo_radius():
    portland = {"location": "-122.6765,45.5231"}
    assert matches(Member, Member.location == GeoFilter(-122.68, 45.52, 1, "km"), portland)
    assert not matches(Member, Member.location == GeoFilter(-122.0, 45.52, 10, "km"), portland)
    assert matches(Member, Member.location == GeoFilter(-122.0, 45.52, 60, "km"), portland)


def test_full_text_is_word_based():
    record = {"last_name": "Brookins-Smith, esq."}
    assert matches(Member, Member.last_name % "smith", record)
    assert matches(Member, Member.last_name % "the smith", record)
    assert not matches(Member, Member.last_name % "brook", record)


def test_sort_rows_puts_missing_last():
    rows = [{"a": 2, "b": "x"}, {"a": None, "b": "y"}, {"a": 2, "b": "a"}, {"a": 1, "b": "z"}]
    ordered = predicate.sort_rows(rows, [(lambda row: row["a"], True), (lambda row: row["b"], False)])
    assert [(row["a"], row["b"]) for row in ordered] == [(2, "a"), (2, "x"), (1, "z"), (None, "y")]


def test_parse_search_resp2_and_resp3():
    resp2 = [2, "k:1", ["age", "3"], "k:2", ["age", "4"]]
    resp3 = {"total_results": 2, "results": [{"id": "k:1", "extra_attributes": {"age": "3"}},
                                             {"id": "k:2", "extra_attributes": {"age": "4"}}], "warning": []}
    for reply in (resp2, resp3):
        page = replies.parse_search(reply)
        assert page.total == 2
        assert [(hit.key, hit.fields) for hit in page.hits] == [("k:1", {"age": "3"}), ("k:2", {"age": "4"})]


def test_parse_search_nocontent_resp2():
    page = replies.parse_search([3, "k:1", "k:2"], no_content=True)
    assert [hit.key for hit in page.hits] == ["k:1", "k:2"]
    assert page.total == 3


def test_indexing_failures_from_info():
    assert replies.indexing_failures(replies.parse_info(["index_name", "i", "hash_indexing_failures", "2"])) == 2
    assert replies.indexing_failures(replies.parse_info({"hash_indexing_failures": 0})) == 0
