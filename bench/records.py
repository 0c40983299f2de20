"""Record cases: save, get and add against raw redis-py sending the same commands.

Each raw side gets the same values under a key prefix of its own and does what a careful
hand-written program would: HSET with a mapping, HGETALL plus converting the numeric fields,
JSON.SET of `json.dumps` text, JSON.GET plus `json.loads`. Model instances are built before
the clock starts, so `save()` is timed from a ready model to the server's reply and `get()`
from a primary key to a validated model.
"""

from __future__ import annotations

import json
from typing import Any

from redisom_cli import get_redis_connection

from bench.context import Context
from bench.harness import THROUGHPUT, Case, Side, throughput
from bench.models import Customer, Person, customer_fields, person_fields

RAW_PERSON_PREFIX = ":bench.raw.Person:"
RAW_CUSTOMER_PREFIX = ":bench.raw.Customer:"
RAW_BATCH_SIZE = 1000  # the batch size of Model.add(), so both sides send the same pipelines


def use_server(context: Context) -> None:
    """Point the benchmark's models at the Search server of this run."""
    client = get_redis_connection(context.search_url)
    Person.Meta.database = client
    Customer.Meta.database = client


def people(count: int) -> tuple[list[Person], list[tuple[str, dict[str, Any]]]]:
    """Return `count` Person models and, for the raw side, their keys and hash mappings."""
    fields = person_fields(count)
    models = [Person(**values) for values in fields]
    raw = [(RAW_PERSON_PREFIX + model.pk, {"pk": model.pk, **values}) for model, values in zip(models, fields)]
    return models, raw


def typed_person(mapping: dict[str, str]) -> dict[str, Any]:
    """Convert an HGETALL reply of a person to the values its model holds."""
    return {**mapping, "age": int(mapping["age"]), "score": float(mapping["score"])}


def prepare_save(context: Context) -> tuple[Side, Side]:
    use_server(context)
    count = context.sizes.single_operations
    models, raw_records = people(count)
    raw = context.raw_client()

    def save_models() -> None:
        for model in models:
            model.save()

    def save_raw() -> None:
        for key, mapping in raw_records:
            raw.hset(key, mapping=mapping)

    return (lambda: throughput(count, save_models)), (lambda: throughput(count, save_raw))


def prepare_get(context: Context) -> tuple[Side, Side]:
    use_server(context)
    count = context.sizes.single_operations
    models, raw_records = people(count)
    Person.add(models)
    raw = context.raw_client()
    for key, mapping in raw_records:
        raw.hset(key, mapping=mapping)
    pks = [model.pk for model in models]
    keys = [key for key, _ in raw_records]

    def get_models() -> None:
        for pk in pks:
            Person.get(pk)

    def get_raw() -> None:
        for key in keys:
            typed_person(raw.hgetall(key))

    return (lambda: throughput(count, get_models)), (lambda: throughput(count, get_raw))


def prepare_add(context: Context) -> tuple[Side, Side]:
    use_server(context)
    count = context.sizes.bulk_records
    models, raw_records = people(count)
    raw = context.raw_client()

    def add_raw() -> None:
        for start in range(0, count, RAW_BATCH_SIZE):
            pipeline = raw.pipeline(transaction=False)
            for key, mapping in raw_records[start:start + RAW_BATCH_SIZE]:
                pipeline.hset(key, mapping=mapping)
            pipeline.execute()

    return (lambda: throughput(count, lambda: Person.add(models))), (lambda: throughput(count, add_raw))


def customers(count: int) -> tuple[list[Customer], list[tuple[str, dict[str, Any]]]]:
    """Return `count` Customer models and, for the raw side, their keys and documents."""
    fields = customer_fields(count)
    models = [Customer(**values) for values in fields]
    raw = [(RAW_CUSTOMER_PREFIX + model.pk, {"pk": model.pk, **values}) for model, values in zip(models, fields)]
    return models, raw


def prepare_json_save(context: Context) -> tuple[Side, Side]:
    use_server(context)
    count = context.sizes.single_operations
    models, raw_records = customers(count)
    raw = context.raw_client()

    def save_models() -> None:
        for model in models:
            model.save()

    def save_raw() -> None:
        for key, document in raw_records:
            raw.execute_command("JSON.SET", key, "$", json.dumps(document, ensure_ascii=False))

    return (lambda: throughput(count, save_models)), (lambda: throughput(count, save_raw))


def prepare_json_get(context: Context) -> tuple[Side, Side]:
    use_server(context)
    count = context.sizes.single_operations
    models, raw_records = customers(count)
    Customer.add(models)
    raw = context.raw_client()
    for key, document in raw_records:
        raw.execute_command("JSON.SET", key, "$", json.dumps(document))
    pks = [model.pk for model in models]
    keys = [key for key, _ in raw_records]

    def get_models() -> None:
        for pk in pks:
            Customer.get(pk)

    def get_raw() -> None:
        for key in keys:
            json.loads(raw.execute_command("JSON.GET", key))

    return (lambda: throughput(count, get_models)), (lambda: throughput(count, get_raw))


CASES = [
    Case("save() one at a time, 6-field HashModel", "redis-py HSET", THROUGHPUT, 0.90, prepare_save),
    Case("get() one at a time, 6-field HashModel", "redis-py HGETALL + typed dict", THROUGHPUT, 0.90, prepare_get),
    Case("add() of {bulk_records:,} models", "redis-py pipelined HSET", THROUGHPUT, 0.70, prepare_add),
    Case("save() one at a time, 6-field JsonModel", "redis-py JSON.SET", THROUGHPUT, 0.90, prepare_json_save),
    Case("get() one at a time, 6-field JsonModel", "redis-py JSON.GET + json.loads", THROUGHPUT, 0.90,
         prepare_json_get),
]
