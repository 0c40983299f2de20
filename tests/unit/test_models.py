"""Model definition without a server: keys, Meta inheritance, primary keys and field checks."""

from __future__ import annotations

import abc
import datetime
from typing import Optional

import pytest

import redisom_cli.aio
from redisom_cli import (
    EmbeddedJsonModel,
    Field,
    HashModel,
    InvalidInputError,
    JsonModel,
    ModelDefinitionError,
    model_registry,
)
from redisom_cli.model.fields import FieldKind

ULID_ALPHABET = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


class Customer(HashModel):
    name: str = Field(index=True)


def test_default_key_layout():
    customer = Customer(name="Ann")

    assert Customer.key_prefix() == f":{__name__}.Customer:"
    assert customer.key() == f":{__name__}.Customer:{customer.pk}"
    assert Customer.index_name() == f":{__name__}.Customer:index"


def test_prefixes_are_stripped_of_colons():
    class Order(HashModel):
        total: int

        class Meta:
            global_key_prefix = ":shop:"
            model_key_prefix = ":orders:"

    assert Order.make_primary_key("x") == "shop:orders:x"
    assert Order.index_name() == ":shop:::orders::index"


def test_ulid_primary_key_made_locally():
    first, second = Customer(name="a"), Customer(name="b")

    assert len(first.pk) == 26
    assert set(first.pk) <= ULID_ALPHABET
    assert first.pk != second.pk


def test_meta_inherited_with_own_prefix_and_index():
    class Base(HashModel, abc.ABC):
        class Meta:
            global_key_prefix = "app"
            database = "first-client"

    class Child(Base):
        name: str = Field(index=True)

    assert Child.key_prefix() == f"app:{__name__}.Child:"
    assert Child.index_name() == f"app:{__name__}.Child:index"
    assert Child.Meta.database == "first-client"
    Base.Meta.database = "second-client"
    assert Child.Meta.database == "second-client"
    assert Child.db() == "second-client"


def test_own_meta_settings_kept():
    class Product(JsonModel):
        sku: str

        class Meta:
            model_key_prefix = "product"
            index_name = "products-idx"

    class Special(Product):
        pass

    assert Product.index_name() == "products-idx"
    assert Special.key_prefix() == f":{__name__}.Special:"
    assert Special.index_name() == f":{__name__}.Special:index"


def test_index_flag_accepted_both_ways():
    class Plain(HashModel):
        name: str

    class Flagged(HashModel, index=True):
        name: str

    class ByField(HashModel):
        name: str = Field(index=True)

    assert Plain.is_indexed() is False
    assert Flagged.is_indexed() is True
    assert ByField.is_indexed() is True


def test_abstract_and_embedded_models_not_registered():
    class AbstractBase(HashModel, abc.ABC):
        name: str

    class Part(EmbeddedJsonModel):
        label: str

    names = {cls.__name__ for cls in model_registry.values()}
    assert "Customer" in names
    assert f"{__name__}.test_abstract_and_embedded_models_not_registered.<locals>.AbstractBase" not in model_registry
    assert not any(cls is Part for cls in model_registry.values())
    assert "pk" not in Part.model_fields


def test_definition_opens_no_connection(monkeypatch):
    monkeypatch.setenv("REDIS_OM_URL", "unix:///nonexistent/redis.sock")

    class Offline(redisom_cli.aio.JsonModel):
        name: str = Field(index=True)

    class Inner(redisom_cli.aio.EmbeddedJsonModel):
        city: str

    assert Offline(name="x").pk
    assert Inner(city="y").city == "y"


def test_hash_rejects_list_field():
    with pytest.raises(ModelDefinitionError, match=r"Bad\.tags: .*use JsonModel"):
        class Bad(HashModel):
            tags: list[str]


def test_hash_rejects_nested_model():
    class Address(EmbeddedJsonModel):
        city: str

    with pytest.raises(ModelDefinitionError, match=r"Bad\.address"):
        class Bad(HashModel):
            address: Address


def test_unindexable_type_rejected():
    with pytest.raises(ModelDefinitionError, match=r"Bad\.data: a field of type"):
        class Bad(JsonModel):
            data: dict = Field(index=True)


def test_colliding_attributes_rejected():
    class Inner(EmbeddedJsonModel):
        c: str = Field(index=True)

    class Other(EmbeddedJsonModel):
        b_c: str = Field(index=True)

    with pytest.raises(ModelDefinitionError, match="'a_b_c'"):
        class Bad(JsonModel):
            a_b: Inner
            a: Other


def test_pydantic_field_arguments():
    class Item(HashModel):
        name: str = Field(alias="title", min_length=2)
        count: int = Field(default=1, ge=0)
        tags: str = Field(default_factory=lambda: "none")
        secret: Optional[str] = Field(default=None, exclude=True)

    item = Item(title="ab", secret="s")

    assert (item.name, item.count, item.tags) == ("ab", 1, "none")
    assert "secret" not in item.to_redis()[0]
    with pytest.raises(ValueError):
        Item(title="a")
    with pytest.raises(ValueError):
        Item(title="ab", count=-1)


def test_field_kinds_from_annotations():
    class Address(EmbeddedJsonModel):
        city: str = Field(index=True)

    class Person(JsonModel):
        age: int = Field(index=True)
        born: datetime.date = Field(index=True)
        active: bool = Field(index=True)
        tags: list[str] = Field(index=True)
        address: Address
        bio: str = Field(full_text_search=True)

    specs = {spec.name: spec for spec in Person.specs()}

    assert specs["age"].kind is FieldKind.NUMERIC
    assert specs["born"].kind is FieldKind.NUMERIC
    assert specs["active"].kind is FieldKind.TAG
    assert (specs["tags"].kind, specs["tags"].json_path) == (FieldKind.TAG, "$.tags[*]")
    assert (specs["address.city"].attribute, specs["address.city"].json_path) == ("address_city", "$.address.city")
    assert specs["bio"].indexed and specs["bio"].text_attribute == "bio_fts"


def test_subclass_of_concrete_model_keeps_defaults():
    class Parent(HashModel):
        count: int = 3
        name: str = Field(index=True)

    class Child(Parent):
        extra: str = "e"

    child = Child(name="x")

    assert child.count == 3
    assert child.extra == "e"
    assert len(child.pk) == 26
    assert Child.count.path == ("count",)
    with pytest.raises(ValueError):
        Child()


def test_empty_primary_key_rejected():
    class Account(HashModel):
        email: str = Field(primary_key=True)

    with pytest.raises(ValueError):
        Customer(pk="", name="x")
    with pytest.raises(InvalidInputError, match="primary key must not be empty"):
        Account(email="").key()
