"""The Migrator on a real server with Search and JSON, through the sync and the async API."""

from __future__ import annotations

import datetime
import enum
import logging
import os
import subprocess
import sys
from typing import Optional

import pytest
import redis

import redisom_cli
import redisom_cli.aio
from redisom_cli import Coordinates, Field, ModuleMissingError, VectorFieldOptions
from redisom_cli.index.migrator import ActionKind, SchemaDiff
from redisom_cli.index.schema import schema_for, schema_hash_key, schema_text_key
from redisom_cli.store.embedded import EmbeddedServer
from tests.integration.conftest import Api, call


class Priority(enum.Enum):
    LOW = 1
    HIGH = 2


def person_model(api: Api, key_prefix: str, with_email: bool = False):
    """Return a hash model under `key_prefix`, with an indexed `email` field if asked."""

    class Person(api.module.HashModel):
        name: str = Field(index=True)
        age: int = Field(index=True, sortable=True)
        email: str = Field(index=True, default="none") if with_email else "none"

        class Meta:
            global_key_prefix = key_prefix
            model_key_prefix = "Person"
            database = api.client

    return Person


def search(raw, model, query: str) -> set[str]:
    """Return the keys of the records that `query` finds in the model's index."""
    reply = raw.execute_command("FT.SEARCH", model.index_name(), query, "NOCONTENT", "DIALECT", "2")
    return set(reply[1:]) if isinstance(reply, list) else {row["id"] for row in reply["results"]}


def count(raw, model, query: str) -> int:
    """Return how many records `query` finds in the model's index."""
    reply = raw.execute_command("FT.SEARCH", model.index_name(), query, "LIMIT", "0", "0", "DIALECT", "2")
    return int(reply[0]) if isinstance(reply, list) else int(reply["total_results"])


async def test_first_run_creates_second_unchanged(api, key_prefix, raw):
    Person = person_model(api, key_prefix)

    first = await call(api.module.Migrator([Person]).run())
    second = await call(api.module.Migrator([Person]).run())

    assert [action.kind for action in first] == [ActionKind.CREATE]
    assert [action.kind for action in second] == [ActionKind.UNCHANGED]
    schema = schema_for(Person)
    assert raw.get(schema_hash_key(Person.index_name())) == schema.fingerprint
    assert raw.get(schema_text_key(Person.index_name())) == schema.text
    assert raw.execute_command("FT.INFO", Person.index_name())


async def test_plan_writes_nothing(api, key_prefix, raw):
    Person = person_model(api, key_prefix)

    actions = await call(api.module.Migrator([Person]).plan())

    assert [action.kind for action in actions] == [ActionKind.CREATE]
    assert Person.index_name() not in raw.execute_command("FT._LIST")
    assert raw.exists(schema_hash_key(Person.index_name())) == 0
    assert raw.exists(schema_text_key(Person.index_name())) == 0


async def test_added_field_recreates_and_finds_resaved(api, key_prefix, raw):
    Person = person_model(api, key_prefix)
    await call(api.module.Migrator([Person]).run())
    ann = await call(Person(name="Ann", age=40, email="ann@example.com").save())
    bob = await call(Person(name="Bob", age=30, email="bob@example.com").save())
    PersonWithEmail = person_model(api, key_prefix, with_email=True)

    plan = await call(api.module.Migrator([PersonWithEmail]).plan())
    actions = await call(api.module.Migrator([PersonWithEmail]).run(wait=True))
    resaved = await call(PersonWithEmail.get(ann.pk))
    await call(resaved.save())

    assert [action.kind for action in plan] == [ActionKind.RECREATE]
    assert plan[0].diff == SchemaDiff(added=("email",))
    assert [action.kind for action in actions] == [ActionKind.RECREATE]
    assert search(raw, PersonWithEmail, "@age:[0 100]") == {ann.key(), bob.key()}
    assert search(raw, PersonWithEmail, "@email:{ann\\@example\\.com}") == {ann.key()}
    assert search(raw, PersonWithEmail, "@name:{Bob}") == {bob.key()}


async def test_recreate_keeps_records_and_reindexes(api, key_prefix, raw):
    Person = person_model(api, key_prefix)
    await call(api.module.Migrator([Person]).run())
    people = [Person(name=f"p{number}", age=number) for number in range(50)]
    await call(Person.add(people))

    await call(api.module.Migrator([person_model(api, key_prefix, with_email=True)]).run(wait=True))

    assert count(raw, Person, "@age:[0 49]") == 50
    info = await call(Person.index_info())
    assert info.documents == 50
    assert info.indexing is False


async def test_optional_fields_zero_indexing_failures(api, key_prefix, raw):
    class Visit(api.module.HashModel):
        page: str = Field(index=True)
        seconds: Optional[float] = Field(index=True, sortable=True, default=None)
        day: Optional[datetime.date] = Field(index=True, default=None)
        place: Optional[Coordinates] = Field(index=True, default=None)
        repeat: Optional[bool] = Field(index=True, default=None)
        referrer: Optional[str] = Field(index=True, full_text_search=True, default=None)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    class Note(api.module.JsonModel):
        title: str = Field(index=True)
        rating: Optional[int] = Field(index=True, default=None)
        due: Optional[datetime.date] = Field(index=True, default=None)
        place: Optional[Coordinates] = Field(index=True, default=None)
        tags: Optional[list[str]] = Field(index=True, default=None)
        body: Optional[str] = Field(full_text_search=True, default=None)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    await call(api.module.Migrator([Visit, Note]).run())
    empty_visit = await call(Visit(page="/").save())
    await call(Visit(page="/a", seconds=2.5, day=datetime.date(2024, 1, 2), referrer="search engine").save())
    await call(Note(title="empty").save())
    await call(Note(title="full", rating=3, tags=["a"], body="some words").save())

    visit_info = await call(Visit.index_info())
    note_info = await call(Note.index_info())
    assert visit_info.documents == 2
    assert visit_info.indexing_failures == 0
    assert note_info.documents == 2
    assert note_info.indexing_failures == 0
    assert search(raw, Visit, "ismissing(@seconds)") == {empty_visit.key()}
    assert search(raw, Visit, "ismissing(@referrer_fts)") == {empty_visit.key()}


async def test_int_enum_field_is_numeric(api, key_prefix, raw):
    class Task(api.module.HashModel):
        title: str = Field(index=True)
        priority: Priority = Field(index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    class Ticket(api.module.JsonModel):
        priority: Priority = Field(index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    await call(api.module.Migrator([Task, Ticket]).run())
    urgent = await call(Task(title="fix", priority=Priority.HIGH).save())
    await call(Task(title="tidy", priority=Priority.LOW).save())
    ticket = await call(Ticket(priority=Priority.HIGH).save())

    assert search(raw, Task, "@priority:[2 2]") == {urgent.key()}
    assert search(raw, Ticket, "@priority:[2 +inf]") == {ticket.key()}
    assert (await call(Task.index_info())).attributes["priority"] == "NUMERIC"


async def test_every_field_kind_accepted_by_server(api, key_prefix):
    vector = VectorFieldOptions.hnsw(
        type=VectorFieldOptions.TYPE.FLOAT32, dimension=2, distance_metric=VectorFieldOptions.DISTANCE_METRIC.IP, m=8
    )

    class Part(api.module.EmbeddedJsonModel):
        code: str = Field(index=True, case_sensitive=True)
        weight: float = Field(index=True)

    class Kit(api.module.JsonModel):
        name: str = Field(index=True, full_text_search=True, case_sensitive=True, sortable=True)
        tags: list[str] = Field(index=True, separator=",", case_sensitive=True, sortable=True)
        words: list[str] = Field(full_text_search=True)
        sizes: list[int] = Field(index=True)
        active: bool = Field(index=True, sortable=True)
        where: Optional[Coordinates] = Field(index=True, sortable=True, default=None)
        embedding: Optional[list[float]] = Field(vector_options=vector, default=None)
        main: Optional[Part] = None
        parts: list[Part] = []

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    class Sheet(api.module.HashModel):
        name: str = Field(index=True, full_text_search=True, case_sensitive=True, sortable=True)
        active: Optional[bool] = Field(index=True, sortable=True, case_sensitive=True, default=None)
        embedding: list[float] = Field(vector_options=vector)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    await call(api.module.Migrator([Kit, Sheet]).run())

    kit_info = await call(Kit.index_info())
    sheet_info = await call(Sheet.index_info())
    assert list(kit_info.attributes) == [attribute.name for attribute in schema_for(Kit).attributes]
    assert list(sheet_info.attributes) == [attribute.name for attribute in schema_for(Sheet).attributes]
    assert kit_info.attributes["parts_weight"] == "NUMERIC"
    assert sheet_info.attributes["embedding"] == "VECTOR"


async def test_connection_given_positionally_or_by_keyword(api, key_prefix, raw):
    class Loose(api.module.HashModel):
        name: str = Field(index=True)

        class Meta:
            global_key_prefix = key_prefix

    positional = await call(api.module.Migrator(api.client).plan())
    keyword = await call(api.module.Migrator([Loose], conn=api.client).run())

    assert Loose in [action.model for action in positional]
    assert [action.kind for action in keyword] == [ActionKind.CREATE]
    assert Loose.index_name() in raw.execute_command("FT._LIST")


async def test_models_of_other_flavour_migrated(api, key_prefix, raw, search_url):
    other = redisom_cli.aio if api.module is redisom_cli else redisom_cli
    other_client = other.get_redis_connection(search_url)

    class Foreign(other.HashModel):
        name: str = Field(index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = other_client

    actions = await call(api.module.Migrator([Foreign]).run())

    assert [action.kind for action in actions] == [ActionKind.CREATE]
    assert Foreign.index_name() in raw.execute_command("FT._LIST")


@pytest.fixture(scope="module")
def tcp_url(tmp_path_factory):
    """The URL of a server with Search and JSON that listens on 127.0.0.1, not on a unix socket."""
    with EmbeddedServer(tmp_path_factory.mktemp("tcp_server"), unix_socket=False) as server:
        yield server.url


async def test_other_flavour_over_tcp(api, key_prefix, tcp_url):
    other = redisom_cli.aio if api.module is redisom_cli else redisom_cli
    other_client = other.get_redis_connection(tcp_url, db=0, socket_timeout=5)

    class Remote(other.JsonModel):
        name: str = Field(index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = other_client

    actions = await call(api.module.Migrator([Remote]).run())
    with redis.Redis.from_url(tcp_url, decode_responses=True) as raw:
        index_names = raw.execute_command("FT._LIST")

    assert tcp_url.startswith("redis://127.0.0.1:")
    assert [action.kind for action in actions] == [ActionKind.CREATE]
    assert Remote.index_name() in index_names


# The default Migrator covers every model registered in the process, so these tests run in a
# fresh interpreter whose registry contains only the models of the script.
DEFAULT_MIGRATOR_SCRIPT = """
import asyncio, sys
import redisom_cli, redisom_cli.aio
from redisom_cli import Field

class SyncModel(redisom_cli.HashModel):
    name: str = Field(index=True)
    class Meta:
        global_key_prefix = sys.argv[1]

class AsyncModel(redisom_cli.aio.JsonModel):
    name: str = Field(index=True)
    class Meta:
        global_key_prefix = sys.argv[1]

class Unindexed(redisom_cli.HashModel):
    name: str

if sys.argv[2] == "sync":
    actions = redisom_cli.Migrator().run()
else:
    actions = asyncio.run(redisom_cli.aio.Migrator().run())
for action in actions:
    print(action.model.__name__, action.kind.value)
"""


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_default_covers_sync_and_async_models(flavour, key_prefix, search_url, raw):
    environment = {**os.environ, "REDIS_OM_URL": search_url}

    result = subprocess.run([sys.executable, "-c", DEFAULT_MIGRATOR_SCRIPT, key_prefix, flavour],
                            capture_output=True, text=True, env=environment, timeout=60)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["SyncModel create", "AsyncModel create"]
    assert result.stderr == ""
    assert f"{key_prefix}:__main__.SyncModel:index" in raw.execute_command("FT._LIST")


async def test_unindexed_and_embedded_skipped_quietly(api, key_prefix, caplog):
    class Plain(api.module.HashModel):
        name: str

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    class Inner(api.module.EmbeddedJsonModel):
        city: str = Field(index=True)

    caplog.set_level(logging.INFO, logger="redisom_cli")
    actions = await call(api.module.Migrator([Plain, Inner]).run())

    assert actions == []
    assert caplog.records == []


async def test_server_without_search_raises(plain_api, key_prefix):
    class Person(plain_api.module.HashModel):
        name: str = Field(index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = plain_api.client

    with pytest.raises(ModuleMissingError, match="Person"):
        await call(plain_api.module.Migrator([Person]).run())
