"""Queries on a real three-primary Redis Cluster, whose Search module searches one shard only."""

from __future__ import annotations

import pytest

import redisom_cli
import redisom_cli.aio
from redisom_cli import Field, QueryError
from tests.integration.conftest import call

RECORDS = 60


@pytest.fixture(params=["sync", "async"])
def cluster_api(request, cluster):
    module = redisom_cli if request.param == "sync" else redisom_cli.aio
    return module, module.get_redis_connection(cluster.url)


def member_model(module, client, key_prefix):
    class Member(module.HashModel):
        name: str = Field(index=True)
        age: int = Field(index=True, sortable=True)

        class Meta:
            global_key_prefix = key_prefix
            database = client

    return Member


async def test_queries_scan_every_primary(cluster_api, key_prefix):
    module, client = cluster_api
    Member = member_model(module, client, key_prefix)
    await call(Member.add([Member(name=f"m{number}", age=number) for number in range(RECORDS)]))

    query = Member.find("age >= 10").sort_by("-age")

    assert (await call(query.explain()))[0] == "SCAN"
    assert await call(query.count()) == RECORDS - 10
    assert [record.age for record in await call(query.page(0, 3))] == [59, 58, 57]
    assert await call(Member.find(Member.age < 5).delete()) == 5
    assert await call(Member.find().count()) == RECORDS - 5


async def test_forced_search_engine_is_refused(cluster_api, key_prefix):
    module, client = cluster_api
    Member = member_model(module, client, key_prefix)

    with pytest.raises(QueryError, match="partial results"):
        await call(Member.find(Member.age > 1, engine="search").all())
