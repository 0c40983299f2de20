"""Property tests: every value a field type admits survives save and get, hash and JSON."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import math
import string
from typing import Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import redisom_cli
from redisom_cli import Field

INT64 = 2**63 - 1
# RedisJSON stores numbers as 64-bit integers or doubles.
JSON_INTEGERS = st.integers(min_value=-INT64 - 1, max_value=INT64)
TEXT = st.text(alphabet=st.sampled_from(string.punctuation + " \t\n") | st.characters(codec="utf-8"), max_size=40)
TIME_ZONES = st.sampled_from([None, datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                              datetime.timezone(datetime.timedelta(hours=-11))])
# POSIX seconds are stored as a double, which resolves a microsecond only within a few
# centuries of 1970, so the datetimes stay in that range.
DATETIMES = st.datetimes(min_value=datetime.datetime(1700, 1, 1), max_value=datetime.datetime(2200, 1, 1),
                         timezones=TIME_ZONES)
DATES = st.dates(min_value=datetime.date(1, 1, 2), max_value=datetime.date(9999, 12, 30))
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
DECIMALS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) < 300)

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


class Mood(enum.Enum):
    HAPPY = "happy | yes"
    SAD = "sad?"


class Rank(enum.IntEnum):
    LOW = -1
    HIGH = 10**12


def models(client, key_prefix):
    class HashRecord(redisom_cli.HashModel):
        text: str = Field(index=True)
        number: int
        ratio: float
        flag: bool
        moment: datetime.datetime
        day: datetime.date
        amount: decimal.Decimal
        blob: bytes
        mood: Mood
        rank: Rank
        maybe: Optional[str] = None

        class Meta:
            global_key_prefix = key_prefix
            database = client

    class JsonRecord(redisom_cli.JsonModel):
        text: str = Field(index=True)
        number: int
        ratio: float
        flag: bool
        moment: datetime.datetime
        day: datetime.date
        blob: bytes
        mood: Mood
        rank: Rank
        words: list[str] = []
        maybe: Optional[str] = None

        class Meta:
            global_key_prefix = key_prefix
            database = client

    return HashRecord, JsonRecord


@pytest.fixture(scope="module")
def record_models(search_url):
    client = redisom_cli.get_redis_connection(search_url)
    return models(client, "t_codec_properties")


def same_instant(first: datetime.datetime, second: datetime.datetime) -> bool:
    if first.tzinfo is None:
        first = first.replace(tzinfo=datetime.timezone.utc)
    return first == second


@PROPERTY_SETTINGS
@given(text=TEXT, number=st.integers(min_value=-10**30, max_value=10**30), ratio=st.floats(allow_nan=False),
       flag=st.booleans(), moment=DATETIMES, day=DATES, amount=DECIMALS, blob=st.binary(max_size=64),
       mood=st.sampled_from(Mood), rank=st.sampled_from(Rank), maybe=st.none() | TEXT)
def test_hash_values_round_trip(record_models, text, number, ratio, flag, moment, day, amount, blob, mood, rank, maybe):
    HashRecord, _ = record_models
    record = HashRecord(text=text, number=number, ratio=ratio, flag=flag, moment=moment, day=day, amount=amount,
                        blob=blob, mood=mood, rank=rank, maybe=maybe).save()

    loaded = HashRecord.get(record.pk)

    assert same_instant(moment, loaded.moment)
    assert loaded.model_dump(exclude={"moment"}) == record.model_dump(exclude={"moment"})


@PROPERTY_SETTINGS
@given(text=TEXT, number=JSON_INTEGERS, ratio=FLOATS, flag=st.booleans(), moment=DATETIMES, day=DATES,
       blob=st.binary(max_size=64), mood=st.sampled_from(Mood), rank=st.sampled_from(Rank),
       words=st.lists(TEXT, max_size=5), maybe=st.none() | TEXT)
def test_json_values_round_trip(record_models, text, number, ratio, flag, moment, day, blob, mood, rank, words, maybe):
    _, JsonRecord = record_models
    record = JsonRecord(text=text, number=number, ratio=ratio, flag=flag, moment=moment, day=day, blob=blob,
                        mood=mood, rank=rank, words=words, maybe=maybe).save()

    loaded = JsonRecord.get(record.pk)

    assert same_instant(moment, loaded.moment)
    # RedisJSON 2.8 parses some doubles to a neighbouring double (one unit in the last place).
    assert math.isclose(loaded.ratio, ratio, rel_tol=2**-51)
    assert loaded.model_dump(exclude={"moment", "ratio"}) == record.model_dump(exclude={"moment", "ratio"})


def test_huge_values(record_models):
    HashRecord, JsonRecord = record_models
    big_text = "x" * (10 * 1024 * 1024)
    common = dict(number=1, ratio=1.0, flag=True, moment=datetime.datetime(2024, 1, 1), day=datetime.date(2024, 1, 1),
                  blob=b"", mood=Mood.SAD, rank=Rank.LOW)

    saved_hash = HashRecord(text=big_text, amount=decimal.Decimal(1), **common).save()
    saved_json = JsonRecord(text="many", words=[str(i) for i in range(100_000)], **common).save()

    assert HashRecord.get(saved_hash.pk).text == big_text
    assert len(JsonRecord.get(saved_json.pk).words) == 100_000


class Place(redisom_cli.EmbeddedJsonModel):
    name: str
    height: Optional[float] = None


class NativeRecord(redisom_cli.JsonModel):
    """Fields of JSON types only, which save() serializes with pydantic when no float is integral."""

    text: str
    number: int
    ratio: float
    flag: bool
    words: list[str] = []
    place: Optional[Place] = None

    class Meta:
        global_key_prefix = "t_codec_native"


@PROPERTY_SETTINGS
@given(text=TEXT, number=JSON_INTEGERS, ratio=st.floats(), flag=st.booleans(), words=st.lists(TEXT, max_size=5),
       place=st.none() | st.builds(Place, name=TEXT, height=st.none() | st.floats()))
def test_native_json_document_matches_python_path(search_url, text, number, ratio, flag, words, place):
    from redisom_cli.model.json import _json_text, _serialized_json

    NativeRecord.Meta.database = redisom_cli.get_redis_connection(search_url)
    record = NativeRecord(text=text, number=number, ratio=ratio, flag=flag, words=words, place=place)
    expected = json.loads(_json_text(record.to_redis()))
    serialized = _serialized_json(record)
    floats = [ratio] + ([place.height] if place is not None and place.height is not None else [])
    needs_python = any(not math.isfinite(value) or (value.is_integer() and abs(value) < 2**53) for value in floats)

    assert (serialized is None) == needs_python
    if serialized is not None:
        assert json.loads(serialized) == expected
    if all(math.isfinite(value) for value in floats):
        record.save()
        stored = json.loads(NativeRecord.db().execute_command("JSON.GET", record.key()))
        assert stored["text"] == expected["text"]
        assert stored["number"] == expected["number"]
        assert stored["words"] == expected["words"]
        assert type(stored["ratio"]) is type(expected["ratio"])
        assert math.isclose(stored["ratio"], expected["ratio"], rel_tol=2**-51)
