"""Index administration on a real server: index_info, drop_index and rebuild_index."""

from __future__ import annotations

import pytest

from redisom_cli import Field, IndexMissingError, InvalidInputError
from redisom_cli.index.migrator import ActionKind
from redisom_cli.index.schema import schema_for, schema_hash_key, schema_text_key
from tests.integration.conftest import Api, call


def city_model(api: Api, key_prefix: str):
    class City(api.module.HashModel):
        name: str = Field(index=True, full_text_search=True)
        population: int = Field(index=True, sortable=True)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    return City


def found(raw, model, query: str) -> int:
    """Return how many records `query` finds in the model's index."""
    reply = raw.execute_command("FT.SEARCH", model.index_name(), query, "LIMIT", "0", "0", "DIALECT", "2")
    return int(reply[0]) if isinstance(reply, list) else int(reply["total_results"])


async def test_index_info_reports_documents_and_attributes(api, key_prefix):
    City = city_model(api, key_prefix)
    # Without wait=True, `indexing` may still be set: a new index scans every key of the database.
    await call(api.module.Migrator([City]).run(wait=True))
    await call(City.add([City(name="Lyon", population=520_000), City(name="Nice", population=340_000)]))

    info = await call(City.index_info())

    assert info.name == City.index_name()
    assert info.documents == 2
    assert info.indexing_failures == 0
    assert info.attributes == {"pk": "TAG", "name": "TAG", "name_fts": "TEXT", "population": "NUMERIC"}
    assert info.indexing is False
    assert info.percent_indexed == 1.0
    assert info.last_error is None


async def test_index_info_counts_failures(api, key_prefix, raw):
    City = city_model(api, key_prefix)
    await call(api.module.Migrator([City]).run())
    raw.hset(City.make_primary_key("broken"), mapping={"pk": "broken", "name": "X", "population": "many"})

    info = await call(City.index_info())

    assert info.indexing_failures == 1
    assert info.last_error is not None


async def test_index_info_without_index_raises(api, key_prefix):
    City = city_model(api, key_prefix)

    with pytest.raises(IndexMissingError, match="City"):
        await call(City.index_info())


async def test_drop_index_keeps_records(api, key_prefix, raw):
    City = city_model(api, key_prefix)
    await call(api.module.Migrator([City]).run())
    lyon = await call(City(name="Lyon", population=520_000).save())

    dropped = await call(City.drop_index())
    dropped_again = await call(City.drop_index())

    assert dropped is True
    assert dropped_again is False
    assert City.index_name() not in raw.execute_command("FT._LIST")
    assert raw.exists(schema_hash_key(City.index_name()), schema_text_key(City.index_name())) == 0
    assert (await call(City.get(lyon.pk))).name == "Lyon"


async def test_migrator_recreates_dropped_index(api, key_prefix, raw):
    City = city_model(api, key_prefix)
    await call(api.module.Migrator([City]).run())
    await call(City(name="Lyon", population=520_000).save())
    await call(City.drop_index())

    actions = await call(api.module.Migrator([City]).run(wait=True))

    assert [action.kind for action in actions] == [ActionKind.CREATE]
    assert found(raw, City, "@name:{Lyon}") == 1


async def test_rebuild_index_recreates_current_index(api, key_prefix, raw):
    City = city_model(api, key_prefix)
    await call(api.module.Migrator([City]).run())
    await call(City.add([City(name=f"c{number}", population=number) for number in range(30)]))

    action = await call(City.rebuild_index(wait=True))

    assert action.kind is ActionKind.RECREATE
    assert found(raw, City, "@population:[0 29]") == 30
    assert raw.get(schema_hash_key(City.index_name())) == schema_for(City).fingerprint


async def test_rebuild_index_creates_missing_index(api, key_prefix, raw):
    City = city_model(api, key_prefix)
    await call(City(name="Lyon", population=520_000).save())

    action = await call(City.rebuild_index(wait=True))

    assert action.kind is ActionKind.CREATE
    assert found(raw, City, "@name_fts:lyon") == 1


async def test_index_methods_need_an_indexed_model(api, key_prefix):
    class Plain(api.module.HashModel):
        name: str

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    with pytest.raises(InvalidInputError, match="Plain has no search index"):
        await call(Plain.index_info())
    with pytest.raises(InvalidInputError, match="Plain has no search index"):
        await call(Plain.drop_index())
    with pytest.raises(InvalidInputError, match="Plain has no search index"):
        await call(Plain.rebuild_index())
