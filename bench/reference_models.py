"""Redis OM Python (PyPI `redis-om`) twins of `bench.models`, under their own key prefixes.

Redis OM Python reads REDIS_OM_URL when it is first imported, so import this module only
after `bench.context.bench_context` has set it.
"""

from __future__ import annotations

from redis_om import EmbeddedJsonModel, Field, HashModel, JsonModel, get_redis_connection

DATABASE = get_redis_connection()


class Person(HashModel, index=True):
    """The twin of `bench.models.Person`."""

    first_name: str = Field(index=True)
    last_name: str = Field(index=True)
    email: str
    city: str = Field(index=True)
    age: int = Field(index=True, sortable=True)
    score: float = Field(index=True)

    class Meta:
        model_key_prefix = "bench.rom.Person"
        database = DATABASE


class Address(EmbeddedJsonModel):
    """The twin of `bench.models.Address`."""

    city: str = Field(index=True)
    postal_code: str


class Customer(JsonModel, index=True):
    """The twin of `bench.models.Customer`."""

    first_name: str = Field(index=True)
    last_name: str = Field(index=True)
    email: str
    age: int = Field(index=True, sortable=True)
    score: float = Field(index=True)
    address: Address

    class Meta:
        model_key_prefix = "bench.rom.Customer"
        database = DATABASE
