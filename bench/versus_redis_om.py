"""The record cases again, with Redis OM Python 1.x on twin models as the reference.

These ratios are reported without a target. Redis OM Python's `add()` sends all its
records in one pipeline, while ours sends batches of 1,000.
"""

from __future__ import annotations

from typing import Any

from bench.context import Context
from bench.harness import THROUGHPUT, Case, Side, Unavailable, throughput
from bench.models import Customer, Person, customer_fields, person_fields
from bench.records import use_server
from bench.reference import REFERENCE_DIR, reference_dir


def reference_models() -> Any:
    """Import the Redis OM Python twins, or raise Unavailable if redis-om cannot be installed or imported."""
    reference_dir()
    try:
        from bench import reference_models
    except ImportError as error:
        raise Unavailable(f"Redis OM Python failed to import ({error}); delete {REFERENCE_DIR} to install it again") \
            from error
    return reference_models


def saving(ours_type: type, reference_type: type, fields: list[dict[str, Any]]) -> tuple[Side, Side]:
    ours = [ours_type(**values) for values in fields]
    reference = [reference_type(**values) for values in fields]

    def save_all(models: list[Any]) -> None:
        for model in models:
            model.save()

    return (lambda: throughput(len(ours), lambda: save_all(ours))), \
        (lambda: throughput(len(reference), lambda: save_all(reference)))


def getting(ours_type: type, reference_type: type, fields: list[dict[str, Any]]) -> tuple[Side, Side]:
    ours = ours_type.add([ours_type(**values) for values in fields])
    reference = reference_type.add([reference_type(**values) for values in fields])
    ours_pks = [model.pk for model in ours]
    reference_pks = [model.pk for model in reference]

    def get_all(model_type: type, pks: list[str]) -> None:
        for pk in pks:
            model_type.get(pk)

    return (lambda: throughput(len(ours_pks), lambda: get_all(ours_type, ours_pks))), \
        (lambda: throughput(len(reference_pks), lambda: get_all(reference_type, reference_pks)))


def prepare_save(context: Context) -> tuple[Side, Side]:
    twins = reference_models()
    use_server(context)
    return saving(Person, twins.Person, person_fields(context.sizes.single_operations))


def prepare_get(context: Context) -> tuple[Side, Side]:
    twins = reference_models()
    use_server(context)
    return getting(Person, twins.Person, person_fields(context.sizes.single_operations))


def prepare_add(context: Context) -> tuple[Side, Side]:
    twins = reference_models()
    use_server(context)
    fields = person_fields(context.sizes.bulk_records)
    ours = [Person(**values) for values in fields]
    reference = [twins.Person(**values) for values in fields]
    return (lambda: throughput(len(ours), lambda: Person.add(ours))), \
        (lambda: throughput(len(reference), lambda: twins.Person.add(reference)))


def prepare_json_save(context: Context) -> tuple[Side, Side]:
    twins = reference_models()
    use_server(context)
    return saving(Customer, twins.Customer, customer_fields(context.sizes.single_operations))


def prepare_json_get(context: Context) -> tuple[Side, Side]:
    twins = reference_models()
    use_server(context)
    return getting(Customer, twins.Customer, customer_fields(context.sizes.single_operations))


REDIS_OM = "Redis OM Python 1.x"

CASES = [
    Case("save() one at a time, HashModel", REDIS_OM, THROUGHPUT, None, prepare_save),
    Case("get() one at a time, HashModel", REDIS_OM, THROUGHPUT, None, prepare_get),
    Case("add() of {bulk_records:,} models", REDIS_OM, THROUGHPUT, None, prepare_add, heavy=True),
    Case("save() one at a time, JsonModel", REDIS_OM, THROUGHPUT, None, prepare_json_save),
    Case("get() one at a time, JsonModel", REDIS_OM, THROUGHPUT, None, prepare_json_get),
]
