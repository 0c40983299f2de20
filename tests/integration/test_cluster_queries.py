"""Queries and the Migrator on a real three-primary Redis Cluster, sync and async."""

from __future__ import annotations

import pytest
import redis

import redisom_cli
import redisom_cli.aio
from redisom_cli import Field, QueryError, ServerError
from tests.integration.conftest import call

RECORDS = 90


@pytest.fixture(params=["sync", "async"])
def cluster_api(request, cluster):
    module = redisom_cli if request.param == "sync" else redisom_cli.aio
    return module, module.get_redis_connection(cluster.url)


def member_model(module, client, key_prefix):
    class Member(module.HashModel, index=True):
        name: str = Field(index=True)
        age: int = Field(index=True, sortable=True)

        class Meta:
            global_key_prefix = key_prefix
            database = client

    return Member


def node_clients(cluster):
    return [redis.Redis.from_url(node.url, decode_responses=True) for node in cluster.nodes]


async def test_migrator_skips_sharded_search(cluster, cluster_api, key_prefix):
    module, client = cluster_api
    Member = member_model(module, client, key_prefix)

    actions = await call(module.Migrator([Member]).run(wait=True))

    assert [action.kind.value for action in actions] == ["skip"]
    assert "has no coordinator" in actions[0].describe()
    for node in node_clients(cluster):
        assert Member.index_name() not in node.execute_command("FT._LIST")
    with pytest.raises(ServerError, match="no search index to administer"):
        await call(Member.index_info())


async def test_find_returns_matches_from_every_shard(cluster, cluster_api, key_prefix):
    module, client = cluster_api
    Member = member_model(module, client, key_prefix)
    members = await call(Member.add(Member(name=f"m{i}", age=i) for i in range(RECORDS)))
    expected = {member.pk for member in members if member.age >= 30}
    shards_with_matches = [
        sum(1 for key in node.scan_iter(match=f"{key_prefix}:*", _type="hash") if int(node.hget(key, "age")) >= 30)
        for node in node_clients(cluster)
    ]

    found = await call(Member.find(Member.age >= 30).sort_by("-age").all())

    assert all(count > 0 for count in shards_with_matches), shards_with_matches
    assert {member.pk for member in found} == expected
    assert [member.age for member in found] == sorted((m.age for m in members if m.age >= 30), reverse=True)
    assert await call(Member.find("age>=30").count()) == len(expected)
    assert (await call(Member.find(Member.name == "m42").first())).age == 42


async def test_search_engine_refused_on_cluster(cluster_api, key_prefix):
    module, client = cluster_api
    Member = member_model(module, client, key_prefix)

    with pytest.raises(QueryError, match="searches one shard only"):
        await call(Member.find(Member.age > 1, engine="search").all())
