"""The benchmark's models in redisom-cli, and the sample data they are filled with.

The Redis OM Python twins of these models live in `bench.reference_models`, which is
imported only once REDIS_OM_URL points at the benchmark server.
"""

from __future__ import annotations

import random
from typing import Any

from redisom_cli import EmbeddedJsonModel, Field, HashModel, JsonModel

CITIES = ["Lyon", "Porto", "Osaka", "Quito", "Tartu", "Accra", "Perth", "Cusco", "Split", "Hanoi"]
FIRST_NAMES = ["Ada", "Grace", "Linus", "Barbara", "Ken", "Edsger", "Frances", "Niklaus", "Radia", "Guido"]
LAST_NAMES = ["Lovelace", "Hopper", "Torvalds", "Liskov", "Thompson", "Dijkstra", "Allen", "Wirth", "Perlman"]


class Person(HashModel, index=True):
    """A 6-field hash model (7 hash fields with `pk`)."""

    first_name: str = Field(index=True)
    last_name: str = Field(index=True)
    email: str
    city: str = Field(index=True)
    age: int = Field(index=True, sortable=True)
    score: float = Field(index=True)

    class Meta:
        model_key_prefix = "bench.Person"


class Address(EmbeddedJsonModel):
    """The embedded part of Customer."""

    city: str = Field(index=True)
    postal_code: str


class Customer(JsonModel, index=True):
    """A 6-field JSON model, one of them an embedded model."""

    first_name: str = Field(index=True)
    last_name: str = Field(index=True)
    email: str
    age: int = Field(index=True, sortable=True)
    score: float = Field(index=True)
    address: Address

    class Meta:
        model_key_prefix = "bench.Customer"


def person_fields(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """Return the field values of `count` people; the same seed gives the same people."""
    pick = random.Random(seed)
    people = []
    for number in range(count):
        first, last = pick.choice(FIRST_NAMES), pick.choice(LAST_NAMES)
        people.append({
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}.{last.lower()}{number}@example.com",
            "city": CITIES[number % len(CITIES)],
            "age": pick.randint(18, 90),
            "score": round(pick.uniform(0, 100), 3),
        })
    return people


def customer_fields(count: int, seed: int = 2) -> list[dict[str, Any]]:
    """Return the field values of `count` customers, each with a nested address."""
    customers = []
    for person in person_fields(count, seed):
        city = person.pop("city")
        customers.append({**person, "address": {"city": city, "postal_code": f"{len(city) * 1111:05d}"}})
    return customers


class ExportPerson(HashModel):
    """The fields of Person, unindexed, for the `om export` memory case."""

    first_name: str
    last_name: str
    email: str
    city: str
    age: int
    score: float

    class Meta:
        model_key_prefix = "bench.ExportPerson"
