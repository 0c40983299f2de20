"""Every query operator on real servers: RediSearch and the scan engine, hash and JSON, sync and async."""

from __future__ import annotations

import datetime
import enum
from typing import Optional

import pytest

import redisom_cli
import redisom_cli.aio
from redisom_cli import Coordinates, Field
from redisom_cli.query.expressions import GeoFilter
from tests.integration.conftest import Api, call

LONDON = Coordinates(latitude=51.5072, longitude=-0.1276)
PARIS = Coordinates(latitude=48.8566, longitude=2.3522)


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


RECORDS = {
    "ann": dict(name="Ann", age=30, active=True, level=Level.HIGH, color=Color.RED, nickname="annie",
                place=LONDON, bio="likes running and 50% discounts"),
    "pipe": dict(name="pipe|char", age=41, active=False, level=Level.LOW, color=Color.BLUE, nickname=None,
                 place=PARIS, bio="a-b testing at a@b.com"),
    "mark": dict(name="q?mark`tick", age=None, active=True, level=Level.LOW, color=Color.RED, nickname="mark",
                 place=None, bio="nothing here"),
    "tab": dict(name="tab\there", age=5, active=False, level=Level.HIGH, color=Color.BLUE, nickname="t",
                place=None, bio="tabs"),
    "unicode": dict(name="Ärger 東京", age=30, active=True, level=Level.LOW, color=Color.RED, nickname=None,
                    place=LONDON, bio="unicode"),
    "spaced": dict(name="  spaced out  ", age=99, active=True, level=Level.HIGH, color=Color.RED, nickname="sp",
                   place=None, bio="spaces"),
}
ALL = set(RECORDS)

CASES = [
    ("tag equal", lambda M: M.name == "Ann", {"ann"}),
    ("tag equal lower case", lambda M: M.name == "ann", {"ann"}),
    ("tag with question mark and backtick", lambda M: M.name == "q?mark`tick", {"mark"}),
    ("tag with tab", lambda M: M.name == "tab\there", {"tab"}),
    ("tag with separator", lambda M: M.name == "pipe|char", {"pipe"}),
    ("tag non-ascii", lambda M: M.name == "Ärger 東京", {"unicode"}),
    ("tag with outer spaces", lambda M: M.name == "  spaced out  ", {"spaced"}),
    ("tag not equal", lambda M: M.name != "Ann", ALL - {"ann"}),
    ("tag in", lambda M: M.name << ["Ann", "tab\there"], {"ann", "tab"}),
    ("tag in named", lambda M: M.name.in_(["pipe|char", "nobody"]), {"pipe"}),
    ("tag not in", lambda M: M.name >> ["Ann", "tab\there"], ALL - {"ann", "tab"}),
    ("tag startswith", lambda M: M.name.startswith("an"), {"ann"}),
    ("tag endswith", lambda M: M.name.endswith("ick"), {"mark"}),
    ("tag contains", lambda M: M.name.contains("ark`"), {"mark"}),
    ("numeric equal", lambda M: M.age == 30, {"ann", "unicode"}),
    ("numeric not equal", lambda M: M.age != 30, ALL - {"ann", "unicode"}),
    ("numeric less", lambda M: M.age < 30, {"tab"}),
    ("numeric less or equal", lambda M: M.age <= 30, {"tab", "ann", "unicode"}),
    ("numeric greater", lambda M: M.age > 30, {"pipe", "spaced"}),
    ("numeric greater or equal", lambda M: M.age >= 41, {"pipe", "spaced"}),
    ("numeric between", lambda M: M.age.between(5, 30), {"tab", "ann", "unicode"}),
    ("numeric in", lambda M: M.age << [5, 41], {"tab", "pipe"}),
    ("numeric not in", lambda M: M.age >> [5, 41], ALL - {"tab", "pipe"}),
    ("numeric missing", lambda M: M.age == None, {"mark"}),  # noqa: E711
    ("numeric exists", lambda M: M.age.exists(), ALL - {"mark"}),
    ("bool equal", lambda M: M.active == False, {"pipe", "tab"}),  # noqa: E712
    ("bool not equal", lambda M: M.active != True, {"pipe", "tab"}),  # noqa: E712
    ("int enum equal", lambda M: M.level == Level.HIGH, {"ann", "tab", "spaced"}),
    ("int enum in", lambda M: M.level << [1], {"pipe", "mark", "unicode"}),
    ("str enum equal", lambda M: M.color == Color.BLUE, {"pipe", "tab"}),
    ("geo radius", lambda M: M.place == GeoFilter.from_coordinates(LONDON, 50, "km"), {"ann", "unicode"}),
    ("geo radius wide", lambda M: M.place.within(GeoFilter(2.0, 50.0, 500, "km")), {"ann", "unicode", "pipe"}),
    ("geo missing", lambda M: M.place.missing(), {"mark", "tab", "spaced"}),
    ("full text word", lambda M: M.bio % "running", {"ann"}),
    ("full text hyphen", lambda M: M.bio % "a-b", {"pipe"}),
    ("full text email", lambda M: M.bio % "a@b.com", {"pipe"}),
    ("full text percent", lambda M: M.bio.match("50%"), {"ann"}),
    ("not full text", lambda M: ~(M.bio % "running"), ALL - {"ann"}),
    ("and or not", lambda M: ((M.age > 20) & ~(M.active == True)) | (M.name == "tab\there"), {"pipe", "tab"}),  # noqa: E712
    ("text syntax", lambda M: "age:..30 and active == false", {"tab"}),
    ("text syntax in", lambda M: "name in ['pipe|char', Ann] or level == HIGH", {"pipe", "ann", "tab", "spaced"}),
    ("text syntax missing", lambda M: "age missing or place exists and age >= 41", {"mark", "pipe"}),
]

TARGETS = [
    ("search", "hash", "sync"), ("search", "hash", "async"), ("search", "json", "sync"), ("search", "json", "async"),
    ("scan", "hash", "sync"), ("scan", "hash", "async"), ("scan", "json", "sync"), ("scan", "json", "async"),
]


class Target:
    """A model class with the records of RECORDS saved, and the engine to query it with."""

    def __init__(self, api: Api, model: type, engine: str, pks: dict[str, str]) -> None:
        self.api = api
        self.model = model
        self.engine = engine
        self.pks = pks
        self.names = {pk: name for name, pk in pks.items()}

    def find(self, *expressions, **options):
        return self.model.find(*expressions, engine=self.engine, **options)

    async def names_of(self, query) -> set[str]:
        return {self.names[record.pk] for record in await call(query.all())}


def build_model(api: Api, storage: str, key_prefix: str) -> type:
    base = api.module.HashModel if storage == "hash" else api.module.JsonModel

    class Person(base, index=True):
        name: str = Field(index=True)
        bio: str = Field(default="", full_text_search=True)
        age: Optional[int] = Field(default=None, index=True, sortable=True)
        active: bool = Field(default=True, index=True)
        level: Level = Field(default=Level.LOW, index=True)
        color: Color = Field(default=Color.RED, index=True)
        nickname: Optional[str] = Field(default=None, index=True)
        place: Optional[Coordinates] = Field(default=None, index=True)
        created: datetime.datetime = Field(default=datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
                                           index=True)

        class Meta:
            global_key_prefix = key_prefix
            database = api.client

    return Person


@pytest.fixture(params=TARGETS, ids=["-".join(target) for target in TARGETS])
async def target(request, search_url, plain_url, key_prefix) -> Target:
    engine, storage, flavour = request.param
    module = redisom_cli if flavour == "sync" else redisom_cli.aio
    # The plain server has no JSON module, so JSON models try the scan engine on the Search server.
    url = plain_url if engine == "scan" and storage == "hash" else search_url
    api = Api(module, url)
    model = build_model(api, storage, key_prefix)
    if engine == "search":
        await call(module.Migrator([model]).run(wait=True))
    pks = {}
    for name, values in RECORDS.items():
        record = await call(model(**values).save())
        pks[name] = record.pk
    if engine == "search":
        await call(module.Migrator([model]).run(wait=True))
    return Target(api, model, "scan" if engine == "scan" else "auto", pks)


@pytest.mark.parametrize(("case", "build", "expected"), CASES, ids=[case[0] for case in CASES])
async def test_operator(target, case, build, expected):
    query = target.find(build(target.model))

    assert await target.names_of(query) == expected
    assert await call(query.count()) == len(expected)


async def test_sort_by_several_fields(target):
    query = target.find(target.model.age.exists()).sort_by("-age", "name")

    names = [target.names[record.pk] for record in await call(query.all())]

    assert names == ["spaced", "pipe", "ann", "unicode", "tab"]


async def test_sort_by_one_field(target):
    ages = [record.age for record in await call(target.find().sort_by("age").all()) if record.age is not None]

    assert ages == [5, 30, 30, 41, 99]


async def test_first_page_and_count(target):
    query = target.find(target.model.age >= 5).sort_by("-age")

    assert (await call(query.first())).name == "  spaced out  "
    assert [record.age for record in await call(query.page(1, 2))] == [41, 30]
    assert await call(query.page(10, 5)) == []
    assert await call(query.count()) == 5


async def test_first_on_no_match_raises_not_found(target):
    with pytest.raises(redisom_cli.NotFoundError):
        await call(target.find(target.model.age > 1000).first())


async def test_all_pages_in_small_batches(target):
    records = await call(target.find().all(batch_size=2))

    assert {record.pk for record in records} == set(target.pks.values())


async def test_values_and_only(target):
    query = target.find(target.model.name == "Ann")

    assert await call(query.values("name", "age").all()) == [{"name": "Ann", "age": 30}]
    full = await call(query.values().all())
    assert full[0]["nickname"] == "annie"
    partial = await call(query.only("name").all())
    assert partial[0].name == "Ann"
    assert "age" not in partial[0].model_fields_set


async def test_update_and_delete(target):
    updated = await call(target.find(target.model.active == False).update(nickname="off"))  # noqa: E712

    assert updated == 2
    assert await target.names_of(target.find(target.model.nickname == "off")) == {"pipe", "tab"}
    deleted = await call(target.find(target.model.level == Level.HIGH).delete())
    assert deleted == 3
    assert await target.names_of(target.find()) == {"pipe", "mark", "unicode"}


async def test_update_validates_before_writing(target):
    import pydantic

    with pytest.raises(pydantic.ValidationError):
        await call(target.find(target.model.age > 1).update(age="not a number"))
    assert await call(target.find(target.model.age == 30).count()) == 2


async def test_iteration(target):
    if target.api.is_async:
        pks = {record.pk async for record in target.find(target.model.age == 30)}
    else:
        pks = {record.pk for record in target.find(target.model.age == 30)}

    assert pks == {target.pks["ann"], target.pks["unicode"]}


async def test_explain_returns_the_command(target):
    command = await call(target.find(target.model.age > 30).explain())

    if target.engine == "scan":
        assert command[0] == "SCAN"
    else:
        assert command[:3] == ["FT.SEARCH", target.model.index_name(), "@age:[(30 +inf]"]
        assert command[-2:] == ["DIALECT", "2"]
