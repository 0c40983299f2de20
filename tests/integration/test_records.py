"""Record methods on a real server, each test run through the sync and the async API."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import sys
import uuid
from typing import Optional

import pydantic
import pytest
from pydantic import EmailStr

from redisom_cli import Coordinates, Field, InvalidInputError, ModuleMissingError, NotFoundError
from tests.integration.conftest import call, collect

ULID_LENGTH = 26


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


def hash_model(api, key_prefix):
    class Member(api.module.HashModel):
        name: str = Field(index=True)
        age: int = Field(index=True, sortable=True)
        score: float = 0.5
        active: bool = True
        joined: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        birthday: datetime.date = datetime.date(1990, 5, 17)
        color: Color = Color.RED
        level: Level = Level.HIGH
        price: decimal.Decimal = decimal.Decimal("12.30")
        token: bytes = b"\x00\xffraw"
        ident: uuid.UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")
        place: Coordinates = Coordinates(latitude=51.5, longitude=-0.125)
        nickname: Optional[str] = None

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    return Member


def json_models(api, key_prefix):
    class Address(api.module.EmbeddedJsonModel):
        city: str = Field(index=True)
        postal_code: Optional[str] = None

    class Order(api.module.EmbeddedJsonModel):
        item: str
        amount: float

    class Customer(api.module.JsonModel):
        first_name: str = Field(index=True)
        joined: datetime.date = datetime.date(2024, 2, 29)
        active: bool = True
        address: Address
        orders: list[Order] = []
        tags: list[str] = Field(default_factory=list, index=True)
        note: Optional[str] = None

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    return Customer, Address, Order


async def test_hash_stored_form_is_pinned(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    member = await call(Member(name="Ann", age=41).save())

    assert len(member.pk) == ULID_LENGTH
    assert member.key() == f"{key_prefix}:{Member.__module__}.Member:{member.pk}"
    assert raw.hgetall(member.key()) == {
        "pk": member.pk,
        "name": "Ann",
        "age": "41",
        "score": "0.5",
        "active": "1",
        "joined": "1704164645.0",
        "birthday": "642902400.0",
        "color": "red",
        "level": "2",
        "price": "12.30",
        "token": "AP9yYXc=",
        "ident": "12345678-1234-5678-1234-567812345678",
        "place": "-0.125,51.5",
    }


async def test_hash_round_trip(api, key_prefix):
    Member = hash_model(api, key_prefix)
    member = await call(Member(name="Ann", age=41, nickname="annie").save())

    loaded = await call(Member.get(member.pk))

    assert loaded == member


async def test_hash_reads_raw_data(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    key = Member.make_primary_key("01HZX3M6PH661HCNNRC884H6K3")
    raw.hset(key, mapping={"pk": "01HZX3M6PH661HCNNRC884H6K3", "name": "Bo", "age": "7", "active": "0",
                           "joined": "1700000000.5", "level": "1", "price": "0.1", "place": "2.5,48.75"})

    loaded = await call(Member.get("01HZX3M6PH661HCNNRC884H6K3"))

    assert loaded.active is False
    assert loaded.joined == datetime.datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=datetime.timezone.utc)
    assert loaded.level is Level.LOW
    assert loaded.price == decimal.Decimal("0.1")
    assert loaded.place == Coordinates(latitude=48.75, longitude=2.5)


async def test_naive_datetime_is_utc(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    member = await call(Member(name="Ann", age=1, joined=datetime.datetime(2024, 1, 1)).save())

    assert raw.hget(member.key(), "joined") == "1704067200.0"
    loaded = await call(Member.get(member.pk))
    assert loaded.joined == datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)


async def test_none_clears_field(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    member = await call(Member(name="Ann", age=3, nickname="annie").save())
    assert raw.hget(member.key(), "nickname") == "annie"

    member.nickname = None
    await call(member.save())

    assert raw.hexists(member.key(), "nickname") is False
    assert (await call(Member.get(member.pk))).nickname is None


async def test_save_nx_and_xx(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    fresh = Member(name="Ann", age=3)

    assert await call(fresh.save(xx=True)) is None
    assert raw.exists(fresh.key()) == 0
    assert await call(fresh.save(nx=True)) is fresh

    fresh.name = "Changed"
    assert await call(fresh.save(nx=True)) is None
    assert raw.hget(fresh.key(), "name") == "Ann"
    assert await call(fresh.save(xx=True)) is fresh
    assert raw.hget(fresh.key(), "name") == "Changed"
    with pytest.raises(InvalidInputError):
        await call(fresh.save(nx=True, xx=True))


async def test_json_save_nx_xx_and_ttl(api, key_prefix, raw):
    Customer, Address, _ = json_models(api, key_prefix)
    customer = Customer(first_name="Ann", address=Address(city="Oslo"))

    assert await call(customer.save(xx=True)) is None
    assert await call(customer.save(nx=True, ttl=100)) is customer
    assert 0 < raw.ttl(customer.key()) <= 100
    raw.persist(customer.key())
    assert await call(customer.save(nx=True, ttl=100)) is None
    assert raw.ttl(customer.key()) == -1


async def test_save_with_ttl(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    member = await call(Member(name="Ann", age=3).save(ttl=50))

    assert 0 < raw.ttl(member.key()) <= 50
    assert 0 < await call(member.ttl()) <= 50
    assert await call(member.expire(500)) is True
    assert 50 < raw.ttl(member.key()) <= 500


async def test_get_missing_raises_not_found(api, key_prefix):
    Member = hash_model(api, key_prefix)

    with pytest.raises(NotFoundError) as caught:
        await call(Member.get("nope"))

    assert caught.value.model == "Member"
    assert caught.value.key == Member.make_primary_key("nope")
    assert "Member" in str(caught.value)
    assert Member.make_primary_key("nope") in str(caught.value)


async def test_get_many_in_order(api, key_prefix):
    Member = hash_model(api, key_prefix)
    first = await call(Member(name="A", age=1).save())
    second = await call(Member(name="B", age=2).save())

    found = await call(Member.get_many([second.pk, "missing", first.pk]))

    assert found == [second, None, first]


async def test_add_delete_and_delete_many(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    members = await call(Member.add(Member(name=f"m{i}", age=i) for i in range(2500)))

    assert len(members) == 2500
    assert raw.hget(members[2499].key(), "name") == "m2499"
    assert await call(Member.delete(members[0].pk)) == 1
    assert await call(members[1].delete()) == 1
    assert await call(Member.delete(members[0].pk)) == 0
    assert await call(Member.delete_many([members[2], members[3].pk, "missing"])) == 2
    assert len(await collect(Member.all_pks())) == 2496


async def test_all_pks_skips_bookkeeping_keys(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    saved = {(await call(Member(name=str(i), age=i).save())).pk for i in range(5)}
    raw.set(f"{Member.index_name()}:hash", "abc")
    raw.set(f"{Member.index_name()}:schema", "ON HASH")

    assert set(await collect(Member.all_pks())) == saved


async def test_custom_pk_pattern_and_colons(api, key_prefix, raw):
    class Session(api.module.HashModel):
        user: str

        class Meta:
            global_key_prefix = key_prefix
            model_key_prefix = "sessions"
            primary_key_pattern = "s-{pk}-v1"
            database = api.client

    session = await call(Session(pk="tenant:42", user="ann").save())

    assert session.key() == f"{key_prefix}:sessions:s-tenant:42-v1"
    assert raw.hget(session.key(), "user") == "ann"
    assert (await call(Session.get("tenant:42"))).user == "ann"
    assert await collect(Session.all_pks()) == ["tenant:42"]


async def test_custom_primary_key_field(api, key_prefix, raw):
    class Account(api.module.HashModel):
        email: EmailStr = Field(primary_key=True)
        name: str

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    account = await call(Account(email="ann@example.com", name="Ann").save())

    assert account.pk == "ann@example.com"
    assert "pk" not in Account.model_fields
    assert raw.hgetall(account.key()) == {"email": "ann@example.com", "name": "Ann"}
    assert (await call(Account.get("ann@example.com"))).name == "Ann"
    with pytest.raises(pydantic.ValidationError):
        Account(email="not an address", name="x")


async def test_custom_creator_receives_data(api, key_prefix):
    class NameKey:
        def create_pk(self, **data):
            return f"{data['name'].lower()}-key"

    class Pet(api.module.HashModel):
        name: str

        class Meta:
            global_key_prefix = key_prefix
            primary_key_creator_cls = NameKey
            database = api.client

    pet = await call(Pet(name="Rex").save())

    assert pet.pk == "rex-key"
    assert (await call(Pet.get("rex-key"))).name == "Rex"


async def test_update_writes_only_named_fields(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    member = await call(Member(name="Ann", age=3, nickname="a").save())
    raw.hset(member.key(), "score", "9.5")  # a concurrent writer

    await call(member.update(age=4, nickname=None))

    stored = raw.hgetall(member.key())
    assert stored["age"] == "4"
    assert "nickname" not in stored
    assert stored["score"] == "9.5"
    assert member.age == 4


async def test_update_validates_before_writing(api, key_prefix, raw):
    Member = hash_model(api, key_prefix)
    member = await call(Member(name="Ann", age=3).save())

    with pytest.raises(pydantic.ValidationError):
        await call(member.update(name="Bo", age="not a number"))
    with pytest.raises(InvalidInputError, match="did you mean 'age'"):
        await call(member.update(agee=5))

    assert raw.hget(member.key(), "name") == "Ann"
    assert member.age == 3


async def test_json_round_trip_with_embedded_and_lists(api, key_prefix, raw):
    Customer, Address, Order = json_models(api, key_prefix)
    customer = Customer(first_name="Ann", address=Address(city="Oslo"),
                        orders=[Order(item="tea", amount=2.5)], tags=["a|b", "c"])
    await call(customer.save())

    assert json.loads(raw.execute_command("JSON.GET", customer.key())) == {
        "pk": customer.pk,
        "first_name": "Ann",
        "joined": 1709164800.0,
        "active": True,
        "address": {"city": "Oslo", "postal_code": None},
        "orders": [{"item": "tea", "amount": 2.5}],
        "tags": ["a|b", "c"],
        "note": None,
    }
    assert await call(Customer.get(customer.pk)) == customer


async def test_json_nested_update(api, key_prefix, raw):
    Customer, Address, _ = json_models(api, key_prefix)
    customer = await call(Customer(first_name="Ann", address=Address(city="Oslo")).save())
    raw.execute_command("JSON.SET", customer.key(), "$.first_name", '"Concurrent"')

    await call(customer.update(address__city="Bergen", note="moved"))

    stored = json.loads(raw.execute_command("JSON.GET", customer.key()))
    assert stored["address"]["city"] == "Bergen"
    assert stored["note"] == "moved"
    assert stored["first_name"] == "Concurrent"
    assert customer.address.city == "Bergen"


async def test_json_model_without_json_module(plain_api, key_prefix):
    class Note(plain_api.module.JsonModel):
        text: str

        class Meta:
            global_key_prefix = key_prefix
            database = plain_api.client

    with pytest.raises(ModuleMissingError, match="Note: the server has no JSON module"):
        await call(Note(text="x").save())


def test_shop_models_key_layout(tmp_path, monkeypatch, search_url):
    package = tmp_path / "shop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(
        "from redisom_cli import HashModel, Field\n"
        "class Customer(HashModel):\n"
        "    name: str = Field(index=True)\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("REDIS_OM_URL", search_url)
    from shop.models import Customer

    try:
        customer = Customer(name="Ann").save()
        assert customer.key() == f":shop.models.Customer:{customer.pk}"
        assert Customer.index_name() == ":shop.models.Customer:index"
        assert Customer.get(customer.pk).name == "Ann"
        Customer.delete(customer.pk)
    finally:
        for name in ("shop.models", "shop"):
            sys.modules.pop(name, None)


async def test_hash_vector_round_trip(api, key_prefix, raw):
    from redisom_cli import VectorFieldOptions

    options = VectorFieldOptions.flat(VectorFieldOptions.TYPE.FLOAT32, 3, VectorFieldOptions.DISTANCE_METRIC.COSINE)

    class Photo(api.module.HashModel):
        title: str = Field(index=True)
        embedding: list[float] = Field(vector_options=options)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    photo = await call(Photo(title="sea", embedding=[0.5, -1.25, 2.0]).save())

    assert len(raw.execute_command("HGET", photo.key(), "embedding", NEVER_DECODE=True)) == 12
    assert (await call(Photo.get(photo.pk))).embedding == [0.5, -1.25, 2.0]
    [loaded, missing] = await call(Photo.get_many([photo.pk, "missing"]))
    assert loaded.title == "sea"
    assert loaded.embedding == [0.5, -1.25, 2.0]
    assert missing is None
