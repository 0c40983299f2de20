"""The Query object before it runs: builders return new queries, errors come early, twins match."""

from __future__ import annotations

import inspect

import pytest

from redisom_cli.errors import QueryError, QuerySyntaxError
from redisom_cli.store.aio import query as async_query
from redisom_cli.store.sync import query as sync_query
from tests.unit.query_models import Member


def test_builders_return_new_queries():
    query = Member.find(Member.age > 3)

    sorted_query = query.sort_by("-age")
    projected = sorted_query.values("age")

    assert query.plan.sort == ()
    assert [key.attribute for key in sorted_query.plan.sort] == ["age"]
    assert projected is not sorted_query
    assert projected.plan.query_text == query.plan.query_text == "@age:[(3 +inf]"


def test_find_raises_bad_queries_at_once():
    with pytest.raises(QuerySyntaxError):
        Member.find("age >")
    with pytest.raises(QueryError, match="did you mean 'age'"):
        Member.find(Member.age > 3).sort_by("agee")
    with pytest.raises(QueryError, match="has no such field"):
        Member.find().values("nope")
    with pytest.raises(QueryError, match="needs at least one field"):
        Member.find().only()


def test_find_takes_text_and_expressions_together():
    query = Member.find("age > 3", Member.first_name == "A")

    assert query.plan.query_text == "@age:[(3 +inf] @first_name:{A}"


def test_sync_and_async_queries_have_same_methods():
    sync_names = {name for name in dir(sync_query.Query) if not name.startswith("_")}
    async_names = {name for name in dir(async_query.Query) if not name.startswith("_")}

    assert sync_names == async_names
    for name in ("all", "first", "count", "page", "delete", "update", "explain"):
        assert inspect.iscoroutinefunction(getattr(async_query.Query, name)), name
        assert not inspect.iscoroutinefunction(getattr(sync_query.Query, name)), name
    assert inspect.isasyncgenfunction(async_query.Query.__aiter__)
    assert inspect.isgeneratorfunction(sync_query.Query.__iter__)
