"""Record methods on a real three-primary Redis Cluster, sync and async."""

from __future__ import annotations

from typing import Optional

import pytest
import redis

import redisom_cli
import redisom_cli.aio
from redisom_cli import Field, NotFoundError
from redisom_cli.store.connection import Capabilities
from tests.integration.conftest import call, collect

RECORDS = 60


@pytest.fixture(params=["sync", "async"])
def cluster_api(request, cluster):
    module = redisom_cli if request.param == "sync" else redisom_cli.aio
    return module, module.get_redis_connection(cluster.url)


def node_clients(cluster):
    return [redis.Redis.from_url(node.url, decode_responses=True) for node in cluster.nodes]


def models(module, client, key_prefix):
    class Address(module.EmbeddedJsonModel):
        city: str = Field(index=True)

    class Shopper(module.JsonModel):
        name: str = Field(index=True)
        address: Address

        class Meta:
            global_key_prefix = key_prefix
            database = client

    class Member(module.HashModel):
        name: str = Field(index=True)
        age: int = Field(index=True)
        nickname: Optional[str] = None

        class Meta:
            global_key_prefix = key_prefix
            database = client

    return Member, Shopper, Address


def test_cluster_url_selects_cluster_client(cluster):
    assert isinstance(redisom_cli.get_redis_connection(cluster.url), redis.cluster.RedisCluster)
    assert isinstance(redisom_cli.aio.get_redis_connection(cluster.url), redis.asyncio.cluster.RedisCluster)


async def test_probe_reports_cluster_without_coordinator(cluster_api):
    module, client = cluster_api
    probe = redisom_cli.store.aio.client.probe if module is redisom_cli.aio else redisom_cli.store.sync.client.probe

    found = await call(probe(client))

    assert found == Capabilities(search=True, json=True, cluster=True, coordinator=False)
    assert found.search_sees_all_keys is False


async def test_records_spread_over_every_primary(cluster, cluster_api, key_prefix):
    module, client = cluster_api
    Member, _, _ = models(module, client, key_prefix)

    members = await call(Member.add(Member(name=f"m{i}", age=i, nickname="n") for i in range(RECORDS)))

    per_node = [len(list(node.scan_iter(match=f"{key_prefix}:*"))) for node in node_clients(cluster)]
    assert all(count > 0 for count in per_node), per_node
    assert sum(per_node) == RECORDS
    assert sorted(await collect(Member.all_pks())) == sorted(member.pk for member in members)


async def test_save_get_update_delete(cluster_api, key_prefix):
    module, client = cluster_api
    Member, _, _ = models(module, client, key_prefix)
    member = await call(Member(name="Ann", age=3, nickname="a").save(ttl=100))

    member.nickname = None
    await call(member.save())
    await call(member.update(age=4))
    loaded = await call(Member.get(member.pk))

    assert (loaded.age, loaded.nickname) == (4, None)
    assert await call(member.save(nx=True)) is None
    assert await call(member.expire(50)) is True
    assert 0 < await call(member.ttl()) <= 100
    assert await call(Member.delete(member.pk)) == 1
    with pytest.raises(NotFoundError):
        await call(Member.get(member.pk))


async def test_bulk_operations_across_slots(cluster_api, key_prefix):
    module, client = cluster_api
    Member, _, _ = models(module, client, key_prefix)
    members = await call(Member.add(Member(name=f"m{i}", age=i) for i in range(RECORDS)))
    pks = [member.pk for member in members]

    found = await call(Member.get_many([*pks, "missing"]))

    assert found[:-1] == members
    assert found[-1] is None
    assert await call(Member.delete_many(pks)) == RECORDS
    assert await collect(Member.all_pks()) == []


async def test_json_records_on_cluster(cluster_api, key_prefix):
    module, client = cluster_api
    _, Shopper, Address = models(module, client, key_prefix)
    shopper = await call(Shopper(name="Ann", address=Address(city="Oslo")).save())

    await call(shopper.update(address__city="Bergen"))

    assert (await call(Shopper.get(shopper.pk))).address.city == "Bergen"
