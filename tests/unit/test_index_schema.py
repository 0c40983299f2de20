"""Golden FT.CREATE arguments and schema fingerprints, without a server.

The expected texts without INDEXMISSING are the ones Redis OM Python 1.2's
`redisearch_schema()` returns for the same models, except where a test comment names the difference.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import uuid
from typing import Literal, Optional

import pytest

from redisom_cli import (
    Coordinates,
    EmbeddedJsonModel,
    Field,
    HashModel,
    JsonModel,
    ModelDefinitionError,
    VectorFieldOptions,
)
from redisom_cli.index.schema import (
    Attribute,
    fingerprint,
    parse_schema_text,
    schema_for,
    schema_hash_key,
    schema_header,
    schema_text_key,
)


class Color(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Size(enum.Enum):
    SMALL = 1
    LARGE = 2


FLAT = VectorFieldOptions.flat(
    type=VectorFieldOptions.TYPE.FLOAT32, dimension=3, distance_metric=VectorFieldOptions.DISTANCE_METRIC.COSINE
)
HNSW = VectorFieldOptions.hnsw(
    type=VectorFieldOptions.TYPE.FLOAT64, dimension=2, distance_metric=VectorFieldOptions.DISTANCE_METRIC.L2,
    m=16, ef_construction=200,
)


class Everything(HashModel):
    name: str = Field(index=True)
    code: str = Field(index=True, separator=",")
    bio: str = Field(full_text_search=True)
    summary: str = Field(full_text_search=True, sortable=True)
    nick: str = Field(index=True, case_sensitive=True)
    title: str = Field(index=True, sortable=True)
    age: int = Field(index=True, sortable=True)
    score: float = Field(index=True)
    price: decimal.Decimal = Field(index=True)
    born: datetime.date = Field(index=True)
    seen: datetime.datetime = Field(index=True)
    active: bool = Field(index=True)
    starred: bool = Field(index=True, sortable=True)
    color: Color = Field(index=True)
    level: Level = Field(index=True)
    size: Size = Field(index=True)
    ident: uuid.UUID = Field(index=True)
    kind: Literal["a", "b"] = Field(index=True)
    location: Coordinates = Field(index=True)
    embedding: list[float] = Field(vector_options=FLAT)
    embedding2: list[float] = Field(vector_options=HNSW)
    note: str = "not indexed"

    class Meta:
        global_key_prefix = "golden"
        model_key_prefix = "Everything"


HASH_SCHEMA = (
    "ON HASH PREFIX 1 golden:Everything: SCHEMA pk TAG SEPARATOR | name TAG SEPARATOR | code TAG SEPARATOR , "
    "bio TAG SEPARATOR | bio AS bio_fts TEXT summary TAG SEPARATOR | summary AS summary_fts TEXT SORTABLE "
    "nick TAG SEPARATOR | CASESENSITIVE title TAG SEPARATOR | SORTABLE age NUMERIC SORTABLE score NUMERIC "
    "price NUMERIC born NUMERIC seen NUMERIC active TAG starred TAG SORTABLE color TAG SEPARATOR | "
    "level NUMERIC size NUMERIC ident TAG SEPARATOR | kind TAG SEPARATOR | location GEO "
    "embedding VECTOR FLAT 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC COSINE "
    "embedding2 VECTOR HNSW 10 TYPE FLOAT64 DIM 2 DISTANCE_METRIC L2 M 16 EF_CONSTRUCTION 200"
)


def test_hash_schema_text_every_kind():
    # The one difference: Redis OM Python 1.2 writes `size TAG SEPARATOR |` for an Enum of ints.
    assert schema_for(Everything).text == HASH_SCHEMA


def test_hash_create_command_arguments():
    command = schema_for(Everything).create_command

    assert command[:9] == ["FT.CREATE", "golden:Everything:index", "ON", "HASH", "PREFIX", "1",
                           "golden:Everything:", "SCHEMA", "pk"]
    assert command[-14:] == ["embedding2", "VECTOR", "HNSW", "10", "TYPE", "FLOAT64", "DIM", "2",
                             "DISTANCE_METRIC", "L2", "M", "16", "EF_CONSTRUCTION", "200"]
    assert " ".join(command[2:]) == HASH_SCHEMA


def test_hash_attribute_arguments_per_kind():
    attributes = {attribute.name: attribute for attribute in schema_for(Everything).attributes}

    assert attributes["code"].arguments == ["code", "TAG", "SEPARATOR", ","]
    assert attributes["bio_fts"].arguments == ["bio", "AS", "bio_fts", "TEXT"]
    assert attributes["summary_fts"].arguments == ["summary", "AS", "summary_fts", "TEXT", "SORTABLE"]
    assert attributes["summary"].arguments == ["summary", "TAG", "SEPARATOR", "|"]
    assert attributes["active"].arguments == ["active", "TAG"]
    assert attributes["level"].arguments == ["level", "NUMERIC"]
    assert attributes["size"].arguments == ["size", "NUMERIC"]
    assert attributes["location"].arguments == ["location", "GEO"]
    assert attributes["embedding"].arguments == [
        "embedding", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "3", "DISTANCE_METRIC", "COSINE"
    ]
    assert "note" not in attributes


def test_hash_fingerprint_is_sha1_of_text():
    schema = schema_for(Everything)

    assert schema.fingerprint == hashlib.sha1(HASH_SCHEMA.encode()).hexdigest()
    assert schema.fingerprint == fingerprint(HASH_SCHEMA)


def test_hash_fingerprint_matches_redis_om():
    class Person(HashModel):
        name: str = Field(index=True)

        class Meta:
            model_key_prefix = "app.Person"

    schema = schema_for(Person)

    # Text and digest that Redis OM Python 1.2 computes for the same model.
    assert schema.text == "ON HASH PREFIX 1 :app.Person: SCHEMA pk TAG SEPARATOR | name TAG SEPARATOR |"
    assert schema.fingerprint == "809bed5db0f2b68be85b47e5215f202c535aad89"


def test_json_fingerprint_matches_redis_om():
    class Place(EmbeddedJsonModel):
        city: str = Field(index=True)

    class Shopper(JsonModel):
        name: str = Field(index=True, full_text_search=True)
        age: int = Field(index=True, sortable=True)
        address: Place
        note: str = ""

        class Meta:
            model_key_prefix = "app.Shopper"

    schema = schema_for(Shopper)

    # Text and digest that Redis OM Python 1.2 computes for the same model.
    assert schema.text == (
        "ON JSON PREFIX 1 :app.Shopper: SCHEMA $.pk AS pk TAG SEPARATOR | $.name AS name TAG SEPARATOR | "
        "$.name AS name_fts TEXT $.age AS age NUMERIC SORTABLE $.address.city AS address_city TAG SEPARATOR | "
    )
    assert schema.fingerprint == "be2ffd0f5eef09aa73e5169ab36a08b4dce27654"


def test_bookkeeping_keys():
    assert schema_hash_key("golden:Everything:index") == "golden:Everything:index:hash"
    assert schema_text_key("golden:Everything:index") == "golden:Everything:index:schema"


class Address(EmbeddedJsonModel):
    city: str = Field(index=True)
    street: str
    postal_code: str = Field(index=True, sortable=True)


class Order(EmbeddedJsonModel):
    sku: str = Field(index=True)
    total: float = Field(index=True)
    note: str


class Parcel(EmbeddedJsonModel):
    address: Address


class Customer(JsonModel):
    name: str = Field(index=True)
    bio: str = Field(full_text_search=True, sortable=True)
    nick: str = Field(index=True, case_sensitive=True, separator=";")
    age: int = Field(index=True, sortable=True)
    born: datetime.date = Field(index=True)
    active: bool = Field(index=True)
    color: Color = Field(index=True)
    level: Level = Field(index=True)
    size: Size = Field(index=True)
    ident: uuid.UUID = Field(index=True)
    kind: Literal["a", "b"] = Field(index=True)
    location: Coordinates = Field(index=True)
    tags: list[str] = Field(index=True)
    embedding: list[float] = Field(vector_options=FLAT)
    address: Address
    orders: list[Order]
    parcel: Parcel
    notes: list[str] = []

    class Meta:
        global_key_prefix = "golden"
        model_key_prefix = "Customer"


JSON_SCHEMA = (
    "ON JSON PREFIX 1 golden:Customer: SCHEMA $.pk AS pk TAG SEPARATOR | $.name AS name TAG SEPARATOR | "
    "$.bio AS bio TAG SEPARATOR | $.bio AS bio_fts TEXT SORTABLE $.nick AS nick TAG SEPARATOR ; CASESENSITIVE "
    "$.age AS age NUMERIC SORTABLE $.born AS born NUMERIC $.active AS active TAG "
    "$.color AS color TAG SEPARATOR | $.level AS level NUMERIC $.size AS size NUMERIC "
    "$.ident AS ident TAG SEPARATOR | $.kind AS kind TAG SEPARATOR | $.location AS location GEO "
    "$.tags[*] AS tags TAG SEPARATOR | "
    "$.embedding AS embedding VECTOR FLAT 6 TYPE FLOAT32 DIM 3 DISTANCE_METRIC COSINE "
    "$.address.city AS address_city TAG SEPARATOR | $.address.postal_code AS address_postal_code TAG SEPARATOR | SORTABLE "
    "$.orders[*].sku AS orders_sku TAG SEPARATOR | $.orders[*].total AS orders_total NUMERIC "
    "$.parcel.address.city AS parcel_address_city TAG SEPARATOR | "
    "$.parcel.address.postal_code AS parcel_address_postal_code TAG SEPARATOR | SORTABLE "
)


def test_json_schema_text_every_kind():
    # Differences from Redis OM Python 1.2: `size` (an Enum of ints) is NUMERIC, not TAG, and
    # `orders_total` exists (Redis OM Python rejects a number inside a list of models).
    # The trailing space is the empty part of the unindexed `notes`, as Redis OM Python writes it.
    assert schema_for(Customer).text == JSON_SCHEMA


def test_json_arguments_have_no_empty_parts():
    arguments = schema_for(Customer).arguments

    assert "" not in arguments
    assert arguments[:6] == ["ON", "JSON", "PREFIX", "1", "golden:Customer:", "SCHEMA"]
    assert arguments[-5:] == ["parcel_address_postal_code", "TAG", "SEPARATOR", "|", "SORTABLE"]


def test_json_unindexed_fields_leave_empty_parts():
    class Sparse(JsonModel):
        a: str = "x"
        b: Optional[dict[str, int]] = None
        name: str = Field(index=True)
        c: int = 0

        class Meta:
            model_key_prefix = "Sparse"

    # Redis OM Python 1.2 returns exactly this text, double spaces and trailing space included.
    expected = "ON JSON PREFIX 1 :Sparse: SCHEMA $.pk AS pk TAG SEPARATOR |   $.name AS name TAG SEPARATOR | "
    assert schema_for(Sparse).text == expected


def test_json_attribute_paths():
    attributes = {attribute.name: attribute for attribute in schema_for(Customer).attributes}

    assert attributes["tags"].identifier == "$.tags[*]"
    assert attributes["address_city"].identifier == "$.address.city"
    assert attributes["orders_sku"].identifier == "$.orders[*].sku"
    assert attributes["parcel_address_city"].identifier == "$.parcel.address.city"
    assert attributes["bio_fts"].arguments == ["$.bio", "AS", "bio_fts", "TEXT", "SORTABLE"]
    assert "notes" not in attributes
    assert "address_street" not in attributes


def test_custom_primary_key_and_pattern():
    class Account(HashModel):
        email: str = Field(primary_key=True, sortable=True)
        balance: int = Field(index=True)

        class Meta:
            model_key_prefix = "Account"
            primary_key_pattern = "user-{pk}"

    # Redis OM Python writes a str primary key as a bare TAG, without its SORTABLE.
    expected = "ON HASH PREFIX 1 :Account:user- SCHEMA email TAG SEPARATOR | balance NUMERIC"
    assert schema_for(Account).text == expected
    assert schema_for(Account).index_name == ":Account:index"


def test_default_prefix_and_index_name():
    class Person(HashModel):
        name: str = Field(index=True)

    schema = schema_for(Person)

    assert schema.prefix == f":{__name__}.Person:"
    assert schema.index_name == f":{__name__}.Person:index"


def test_list_of_str_options():
    class Tagged(JsonModel):
        tags: list[str] = Field(index=True, separator=",", case_sensitive=True, sortable=True)
        words: list[str] = Field(full_text_search=True)
        scores: list[int] = Field(index=True)

        class Meta:
            model_key_prefix = "Tagged"

    attributes = {attribute.name: attribute.definition for attribute in schema_for(Tagged).attributes}

    # CASESENSITIVE comes before SORTABLE: RediSearch 2.10 rejects it after SORTABLE,
    # which Redis OM Python 1.2 writes.
    assert attributes["tags"] == "$.tags[*] AS tags TAG SEPARATOR , CASESENSITIVE SORTABLE"
    assert attributes["words_fts"] == "$.words[*] AS words_fts TEXT"
    assert attributes["scores"] == "$.scores[*] AS scores NUMERIC"


def test_case_sensitive_full_text_goes_on_tag():
    class Note(HashModel):
        body: str = Field(full_text_search=True, case_sensitive=True, sortable=True)

        class Meta:
            model_key_prefix = "Note"

    text = schema_for(Note).text

    assert text.endswith("SCHEMA pk TAG SEPARATOR | body TAG SEPARATOR | CASESENSITIVE body AS body_fts TEXT SORTABLE")


class Profile(EmbeddedJsonModel):
    city: str = Field(index=True)


class Member(JsonModel):
    name: str = Field(index=True)
    nickname: Optional[str] = Field(index=True, default=None)
    age: Optional[int] = Field(index=True, sortable=True, default=None)
    joined: Optional[datetime.date] = Field(index=True, default=None)
    home: Optional[Coordinates] = Field(index=True, default=None)
    vip: Optional[bool] = Field(index=True, default=None)
    bio: Optional[str] = Field(full_text_search=True, default=None)
    tags: Optional[list[str]] = Field(index=True, default=None)
    profile: Optional[Profile] = None
    embedding: Optional[list[float]] = Field(vector_options=FLAT, default=None)

    class Meta:
        model_key_prefix = "Member"


def test_optional_fields_get_index_missing():
    attributes = {attribute.name: attribute.definition for attribute in schema_for(Member).attributes}

    assert attributes["pk"] == "$.pk AS pk TAG SEPARATOR |"
    assert attributes["name"] == "$.name AS name TAG SEPARATOR |"
    assert attributes["nickname"] == "$.nickname AS nickname TAG SEPARATOR | INDEXMISSING"
    assert attributes["age"] == "$.age AS age NUMERIC INDEXMISSING SORTABLE"
    assert attributes["joined"] == "$.joined AS joined NUMERIC INDEXMISSING"
    assert attributes["home"] == "$.home AS home GEO INDEXMISSING"
    assert attributes["vip"] == "$.vip AS vip TAG INDEXMISSING"
    assert attributes["bio"] == "$.bio AS bio TAG SEPARATOR | INDEXMISSING"
    assert attributes["bio_fts"] == "$.bio AS bio_fts TEXT INDEXMISSING"
    assert attributes["tags"] == "$.tags[*] AS tags TAG SEPARATOR | INDEXMISSING"
    assert attributes["profile_city"] == "$.profile.city AS profile_city TAG SEPARATOR | INDEXMISSING"
    assert attributes["embedding"].endswith("DISTANCE_METRIC COSINE INDEXMISSING")


def test_index_missing_can_be_left_out():
    text = schema_for(Member, index_missing=False).text

    assert "INDEXMISSING" not in text
    assert "$.age AS age NUMERIC SORTABLE" in text


def test_optional_hash_field_gets_index_missing():
    class Visit(HashModel):
        page: str = Field(index=True)
        duration: Optional[float] = Field(index=True, default=None)

        class Meta:
            model_key_prefix = "Visit"

    expected = "ON HASH PREFIX 1 :Visit: SCHEMA pk TAG SEPARATOR | page TAG SEPARATOR | duration NUMERIC INDEXMISSING"
    assert schema_for(Visit).text == expected


def test_parse_schema_text_round_trip():
    for model in (Everything, Customer, Member):
        schema = schema_for(model)

        parsed = parse_schema_text(schema.text)

        assert parsed == {attribute.name: attribute.definition for attribute in schema.attributes}


def test_parse_schema_text_vector_and_separator():
    text = ("ON HASH PREFIX 1 p: SCHEMA v VECTOR HNSW 4 TYPE FLOAT32 DIM 2 a TAG SEPARATOR , "
            "b AS c TEXT WEIGHT 2 SORTABLE n NUMERIC")

    assert parse_schema_text(text) == {
        "v": "v VECTOR HNSW 4 TYPE FLOAT32 DIM 2",
        "a": "a TAG SEPARATOR ,",
        "c": "b AS c TEXT WEIGHT 2 SORTABLE",
        "n": "n NUMERIC",
    }
    assert schema_header(text) == "ON HASH PREFIX 1 p:"


def test_attribute_writes_as_only_when_renamed():
    assert Attribute("age", "age", "NUMERIC").definition == "age NUMERIC"
    assert Attribute("$.age", "age", "NUMERIC", ("SORTABLE",)).definition == "$.age AS age NUMERIC SORTABLE"


def test_colliding_attribute_names_rejected():
    class Inner(EmbeddedJsonModel):
        c: str = Field(index=True)

    class Other(EmbeddedJsonModel):
        b_c: str = Field(index=True)

    with pytest.raises(ModelDefinitionError, match="a_b_c"):
        class Clash(JsonModel):
            a_b: Inner
            a: Other


def test_colliding_text_attribute_rejected():
    with pytest.raises(ModelDefinitionError, match="name_fts"):
        class Clash(HashModel):
            name: str = Field(full_text_search=True)
            name_fts: str = Field(index=True)


@pytest.mark.parametrize(
    ("annotation", "options", "message"),
    [
        (dict, {"index": True}, "cannot be indexed"),
        (bytes, {"index": True}, "cannot be indexed"),
        (int, {"full_text_search": True}, "full_text_search=True needs a str field"),
        (bool, {"full_text_search": True}, "full_text_search=True needs a str field"),
        (float, {"index": True, "case_sensitive": True}, "case_sensitive=True applies to TAG fields"),
        (list[float], {"vector_options": FLAT, "sortable": True}, "sortable=True does not apply to a vector"),
        (str, {"index": True, "separator": "||"}, "separator must be one character"),
        (str, {"index": True, "separator": " "}, "separator must be one character"),
    ],
)
def test_unindexable_declarations_rejected(annotation, options, message):
    with pytest.raises(ModelDefinitionError, match=message):
        type("Broken", (JsonModel,), {"__annotations__": {"value": annotation}, "value": Field(**options)})


def test_list_of_coordinates_rejected():
    with pytest.raises(ModelDefinitionError, match="cannot be indexed"):
        class Route(JsonModel):
            stops: list[Coordinates] = Field(index=True)
