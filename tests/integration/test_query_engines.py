"""Query behaviour beyond single operators: KNN, deep pages, engines, missing indexes and warnings."""

from __future__ import annotations

from typing import Optional

import pytest

import redisom_cli
from redisom_cli import Field, IndexMissingError, QueryError, VectorFieldOptions
from redisom_cli.query.expressions import KNNExpression
from tests.integration.conftest import call

VECTOR = VectorFieldOptions.flat(VectorFieldOptions.TYPE.FLOAT32, 2, VectorFieldOptions.DISTANCE_METRIC.L2)


def person_model(api, key_prefix, storage="hash"):
    base = api.module.HashModel if storage == "hash" else api.module.JsonModel

    class Person(base, index=True):
        name: str = Field(index=True)
        last_name: str = Field(default="", index=True)
        age: int = Field(default=0, index=True, sortable=True)
        nickname: Optional[str] = Field(default=None, index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    return Person


async def migrate(api, *models):
    await call(api.module.Migrator(list(models)).run(wait=True))


async def test_missing_optional_tag_on_hash(api, key_prefix):
    Person = person_model(api, key_prefix)
    await migrate(api, Person)
    with_nickname = await call(Person(name="a", nickname="x").save())
    without = await call(Person(name="b").save())

    for engine in ("auto", "scan"):
        missing = await call(Person.find(Person.nickname == None, engine=engine).all())  # noqa: E711
        present = await call(Person.find("nickname exists", engine=engine).all())
        assert [record.pk for record in missing] == [without.pk]
        assert [record.pk for record in present] == [with_nickname.pk]


async def test_missing_optional_tag_on_json(api, key_prefix, caplog):
    # RediSearch 2.10 neither indexes a JSON null nor counts it as missing, so these
    # queries run on the scan engine even where Search is available.
    Person = person_model(api, key_prefix, storage="json")
    await migrate(api, Person)
    with_nickname = await call(Person(name="a", nickname="x").save())
    without = await call(Person(name="b").save())

    missing = Person.find(Person.nickname == None)  # noqa: E711
    present = Person.find("nickname exists and age >= 0")

    assert (await call(missing.explain()))[0] == "SCAN"
    with caplog.at_level("INFO", logger="redisom_cli"):
        assert [record.pk for record in await call(missing.all())] == [without.pk]
    assert caplog.text.count("runs on the scan engine") == 1
    assert [record.pk for record in await call(present.all())] == [with_nickname.pk]
    assert await call(Person.find(Person.nickname != None, engine="scan").count()) == 1  # noqa: E711


async def test_missing_on_field_without_index_missing(api, key_prefix):
    Person = person_model(api, key_prefix)
    await migrate(api, Person)

    with pytest.raises(QueryError, match="INDEXMISSING"):
        await call(Person.find(Person.name.missing()).all())


async def test_page_past_ten_thousand(api, key_prefix, raw):
    Person = person_model(api, key_prefix)
    await migrate(api, Person)
    pipeline = raw.pipeline(transaction=False)
    for number in range(10_050):
        pk = f"p{number:05d}"
        pipeline.hset(Person.make_primary_key(pk), mapping={"pk": pk, "name": f"n{number}", "age": number})
    pipeline.execute()
    await migrate(api, Person)

    page = await call(Person.find(Person.age >= 0).sort_by("age").page(10_020, 20))
    assert [record.age for record in page] == list(range(10_020, 10_040))
    assert await call(Person.find().count()) == 10_050
    everything = await call(Person.find().all())
    assert len(everything) == 10_050
    scanned = await call(Person.find(Person.age >= 10_000, engine="scan").sort_by("-age").page(40, 20))
    assert [record.age for record in scanned] == [10_009 - offset for offset in range(10)]


async def test_knn_first_count_and_filter(api, key_prefix):
    class Item(api.module.JsonModel, index=True):
        name: str = Field(index=True)
        embedding: list[float] = Field(vector_options=VECTOR)
        distance: Optional[float] = None

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    await migrate(api, Item)
    for number in range(10):
        await call(Item(name="even" if number % 2 == 0 else "odd", embedding=[float(number), 0.0]).save())
    knn = KNNExpression(k=3, vector_field=Item.embedding, score_field=Item.distance, reference_vector=[3.2, 0.0])

    query = Item.find(Item.name == "odd", knn=knn)

    nearest = await call(query.first())
    assert nearest.embedding == [3.0, 0.0]
    assert nearest.distance == pytest.approx(0.04, abs=1e-4)
    assert await call(query.count()) == 3
    assert [record.embedding[0] for record in await call(query.all())] == [3.0, 5.0, 1.0]
    assert [record.embedding[0] for record in await call(Item.find(knn=knn).all())] == [3.0, 4.0, 2.0]
    with pytest.raises(QueryError, match="KNN queries need the Search module"):
        await call(Item.find(knn=knn, engine="scan").all())


async def test_missing_index_says_to_migrate(api, key_prefix):
    Person = person_model(api, key_prefix)
    await call(Person(name="a").save())

    with pytest.raises(IndexMissingError, match="om migrate"):
        await call(Person.find(Person.name == "a").all())


async def test_indexing_failures_warn(api, key_prefix, raw, caplog):
    Person = person_model(api, key_prefix)
    await migrate(api, Person)
    await call(Person(name="good", age=3).save())
    raw.hset(Person.make_primary_key("bad"), mapping={"pk": "bad", "name": "bad", "age": "not a number"})

    with caplog.at_level("WARNING", logger="redisom_cli"):
        results = await call(Person.find().all())

    assert [record.name for record in results] == ["good"]
    assert len(results.warnings) == 1
    assert Person.index_name() in results.warnings[0]
    assert "failed to index 1 document(s)" in results.warnings[0]
    assert results.warnings[0] in caplog.text


async def test_engine_follows_server_capabilities(plain_api, key_prefix):
    Person = person_model(plain_api, key_prefix)
    await call(Person(name="a", age=1).save())
    await call(Person(name="b", age=2).save())

    query = Person.find("age > 1")

    assert (await call(query.explain()))[0] == "SCAN"
    assert [record.name for record in await call(query.all())] == ["b"]


async def test_forced_search_engine_without_search_module(plain_api, key_prefix):
    Person = person_model(plain_api, key_prefix)

    with pytest.raises(redisom_cli.ModuleMissingError):
        await call(Person.find(Person.age > 1, engine="search").all())


async def test_invalid_engine_name(api, key_prefix):
    Person = person_model(api, key_prefix)

    with pytest.raises(QueryError, match="invalid engine 'fast'"):
        Person.find(engine="fast")


async def test_knn_and_scan_on_hash_vectors(api, key_prefix):
    class Item(api.module.HashModel, index=True):
        name: str = Field(index=True)
        embedding: list[float] = Field(vector_options=VECTOR)
        distance: Optional[float] = None

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    await migrate(api, Item)
    for number in range(6):
        await call(Item(name="even" if number % 2 == 0 else "odd", embedding=[float(number), 0.5]).save())
    knn = KNNExpression(k=2, vector_field=Item.embedding, score_field=Item.distance, reference_vector=[3.9, 0.5])

    nearest = await call(Item.find(Item.name == "even", knn=knn).all())
    scanned = await call(Item.find(Item.name == "odd", engine="scan").sort_by("name").all())

    assert [record.embedding for record in nearest] == [[4.0, 0.5], [2.0, 0.5]]
    assert sorted(record.embedding[0] for record in scanned) == [1.0, 3.0, 5.0]


async def test_sort_by_age_descending_then_last_name(api, key_prefix):
    Person = person_model(api, key_prefix)
    await migrate(api, Person)
    for name, last_name, age in [("a", "Young", 30), ("b", "Brookins", 38), ("c", "Adams", 30), ("d", "Zed", 38),
                                 ("e", "Moss", 21)]:
        await call(Person(name=name, last_name=last_name, age=age).save())

    for engine in ("auto", "scan"):
        records = await call(Person.find(engine=engine).sort_by("-age", "last_name").all())
        assert [record.name for record in records] == ["b", "d", "c", "a", "e"]
        first = await call(Person.find(engine=engine).sort_by("-age", "last_name").first())
        assert first.name == "b"
