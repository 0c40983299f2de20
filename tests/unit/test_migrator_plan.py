"""The Migrator's decisions and FT.INFO parsing, without a server: state in, actions out."""

from __future__ import annotations

import abc

import redisom_cli.aio
from redisom_cli import EmbeddedJsonModel, Field, HashModel, JsonModel
from redisom_cli.index.migrator import (
    ActionKind,
    IndexAction,
    IndexState,
    SchemaDiff,
    decide,
    diff_schemas,
    parse_index_info,
    select_models,
)
from redisom_cli.index.schema import schema_for


class Person(HashModel):
    name: str = Field(index=True)
    age: int = Field(index=True)

    class Meta:
        model_key_prefix = "plan.Person"


class PersonV2(HashModel):
    name: str = Field(index=True, sortable=True)
    email: str = Field(index=True)

    class Meta:
        model_key_prefix = "plan.Person"


class Unindexed(HashModel):
    name: str


class Address(EmbeddedJsonModel):
    city: str = Field(index=True)


class AbstractBase(JsonModel, abc.ABC):
    name: str = Field(index=True)


class AsyncPerson(redisom_cli.aio.HashModel):
    name: str = Field(index=True)


def test_missing_index_is_created():
    schema = schema_for(Person)

    action = decide(Person, schema, IndexState(exists=False))

    assert action.kind is ActionKind.CREATE
    assert action.diff is None
    assert action.index_name == ":plan.Person:index"


def test_missing_index_created_even_with_stale_keys():
    schema = schema_for(Person)

    action = decide(Person, schema, IndexState(False, "0" * 40, "old text"))

    assert action.kind is ActionKind.CREATE


def test_same_fingerprint_is_unchanged():
    schema = schema_for(Person)

    action = decide(Person, schema, IndexState(True, schema.fingerprint, schema.text))

    assert action.kind is ActionKind.UNCHANGED
    assert action.describe() == f"unchanged :plan.Person:index for {__name__}.Person"


def test_other_fingerprint_is_recreated_with_diff():
    old, new = schema_for(Person), schema_for(PersonV2)

    action = decide(PersonV2, new, IndexState(True, old.fingerprint, old.text))

    assert action.kind is ActionKind.RECREATE
    assert action.diff == SchemaDiff(added=("email",), removed=("age",), changed=("name",))
    assert action.describe().endswith("(added: email; removed: age; changed: name)")


def test_unrecorded_schema_is_recreated_without_diff():
    schema = schema_for(Person)

    action = decide(Person, schema, IndexState(exists=True))

    assert action.kind is ActionKind.RECREATE
    assert action.diff is None
    assert action.describe().endswith("(no recorded schema to compare with)")


def test_requested_rebuild_says_so():
    action = IndexAction(Person, ActionKind.RECREATE, schema_for(Person), requested=True)

    assert action.describe().endswith("(rebuild requested)")


def test_diff_notices_prefix_change():
    old = "ON HASH PREFIX 1 a: SCHEMA name TAG SEPARATOR |"
    new = "ON HASH PREFIX 1 b: SCHEMA name TAG SEPARATOR |"

    diff = diff_schemas(old, new)

    assert diff == SchemaDiff(definition_changed=True)
    assert diff.describe() == "key type or prefix changed"


def test_diff_of_index_missing_is_a_change():
    old = "ON JSON PREFIX 1 a: SCHEMA $.age AS age NUMERIC"
    new = "ON JSON PREFIX 1 a: SCHEMA $.age AS age NUMERIC INDEXMISSING"

    assert diff_schemas(old, new).changed == ("age",)


def test_select_skips_unindexed_embedded_and_abstract():
    registry = {"a": Person, "b": Unindexed, "c": AsyncPerson}

    assert select_models(None, registry) == [Person, AsyncPerson]
    assert select_models([Address, AbstractBase, Unindexed, Person, Person], registry) == [Person]


def test_select_keeps_given_order():
    assert select_models([PersonV2, Person], {}) == [PersonV2, Person]


def test_registry_holds_sync_and_async_models():
    assert redisom_cli.model_registry[f"{__name__}.AsyncPerson"] is AsyncPerson
    assert redisom_cli.model_registry[f"{__name__}.Person"] is Person
    assert f"{__name__}.Address" not in redisom_cli.model_registry


RESP2_INFO = {
    "index_name": "idx",
    "num_docs": "3",
    "hash_indexing_failures": "1",
    "indexing": "1",
    "percent_indexed": "0.5",
    "attributes": [
        ["identifier", "$.age", "attribute", "age", "type", "NUMERIC", "SORTABLE", "UNF", "INDEXMISSING"],
        ["identifier", "$.name", "attribute", "name", "type", "TAG", "SEPARATOR", "|"],
    ],
    "Index Errors": {"indexing failures": 1, "last indexing error": "Invalid numeric value", "last indexing error key": "k"},
}


def test_parse_index_info_resp2_strings():
    info = parse_index_info("idx", RESP2_INFO)

    assert info.documents == 3
    assert info.indexing_failures == 1
    assert info.indexing is True
    assert info.percent_indexed == 0.5
    assert info.attributes == {"age": "NUMERIC", "name": "TAG"}
    assert info.last_error == "Invalid numeric value"


def test_parse_index_info_bytes_and_dicts():
    reply = {
        b"num_docs": b"0",
        b"hash_indexing_failures": b"0",
        b"indexing": 0,
        b"percent_indexed": b"1",
        b"attributes": [{b"identifier": b"pk", b"attribute": b"pk", b"type": b"TAG"}],
        b"Index Errors": {b"indexing failures": 0, b"last indexing error": b"N/A"},
    }

    info = parse_index_info("idx", reply)

    assert info.documents == 0
    assert info.indexing is False
    assert info.percent_indexed == 1.0
    assert info.attributes == {"pk": "TAG"}
    assert info.last_error is None
