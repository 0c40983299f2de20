"""Value conversions between Python and the stored form, shared by hashes and JSON.

Stored forms (compatible with Redis OM Python 1.x):
datetime → POSIX seconds as a float, a naive datetime taken as UTC; date → the POSIX seconds of
its UTC midnight; bool → "1"/"0" in hashes and true/false in JSON; Enum → its value;
bytes → base64 text; Decimal → its exact text in hashes and a number in JSON; UUID → text;
Coordinates → "longitude,latitude"; hash vectors → raw float32 (or float64) bytes.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import enum
import struct
import uuid
from typing import Any, Callable

from redisom_cli.model.fields import Coordinates, VectorFieldOptions

UTC = datetime.timezone.utc

Encoder = Callable[[Any], Any]


def datetime_to_redis(value: datetime.datetime) -> float:
    """Return POSIX seconds; a naive datetime is taken as UTC, never as local time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def date_to_redis(value: datetime.date) -> float:
    """Return the POSIX seconds of the date's UTC midnight."""
    return datetime.datetime.combine(value, datetime.time.min, tzinfo=UTC).timestamp()


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)


def datetime_from_redis(value: Any) -> Any:
    """Turn stored POSIX seconds into an aware UTC datetime; other values pass through.

    pydantic reads numbers above 2e10 as milliseconds, which would move dates after the
    year 2603 (and before 1336) by a factor of 1000, so stored seconds are converted here.
    """
    seconds = _number(value)
    if seconds is None:
        return value
    try:
        return EPOCH + datetime.timedelta(seconds=seconds)
    except OverflowError:
        return value


def date_from_redis(value: Any) -> Any:
    """Turn the stored POSIX seconds of a UTC midnight into a date; other values pass through."""
    moment = datetime_from_redis(value)
    if isinstance(moment, datetime.datetime) and moment.time() == datetime.time.min:
        return moment.date()
    return moment


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def bytes_to_redis(value: bytes) -> str:
    """Return the base64 text of `value`."""
    return base64.b64encode(value).decode("ascii")


def bytes_from_redis(value: Any) -> Any:
    """Decode base64 text back to bytes; other values pass through for pydantic to judge."""
    if isinstance(value, str):
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            return value
    return value


def vector_to_bytes(value: list[float], options: VectorFieldOptions) -> bytes:
    """Pack a vector as the raw little-endian floats that RediSearch reads from a hash."""
    return struct.pack(f"<{len(value)}{options.numpy_dtype}", *value)


def vector_from_bytes(value: Any, options: VectorFieldOptions) -> Any:
    """Unpack raw vector bytes; other values pass through."""
    if isinstance(value, str):
        value = value.encode("latin-1")
    if isinstance(value, bytes):
        size = struct.calcsize(options.numpy_dtype)
        return list(struct.unpack(f"<{len(value) // size}{options.numpy_dtype}", value))
    return value


# Integral doubles below this bound are sent as JSON integers, which RedisJSON keeps exactly.
# RedisJSON 2.8 misreads some such doubles written with a fraction: "1801439850948199.0"
# comes back as 1801439850948199.2.
EXACT_INTEGER_BOUND = 2**53


def scalar_to_json(value: Any) -> Any:
    """Convert one Python value to its JSON-document form."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < EXACT_INTEGER_BOUND else value
    if value is None or isinstance(value, (str, bool, int)):
        return value
    converter = _JSON_CONVERTERS.get(type(value))
    if converter is not None:
        return converter(value)
    return _convert_by_isinstance(value)


def scalar_to_hash(value: Any) -> str:
    """Convert one Python value to the text stored in a hash field."""
    exact_type = type(value)
    if exact_type is int:
        return str(value)
    if exact_type is float:
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, decimal.Decimal):
        return str(value)
    converted = scalar_to_json(value)
    if isinstance(converted, float):
        return repr(converted)
    return str(converted)


def _convert_by_isinstance(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return scalar_to_json(value.value)
    if isinstance(value, datetime.datetime):
        return datetime_to_redis(value)
    if isinstance(value, datetime.date):
        return date_to_redis(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (bytes, bytearray)):
        return bytes_to_redis(bytes(value))
    if isinstance(value, Coordinates):
        return value.to_redis()
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(value)


_JSON_CONVERTERS: dict[type, Encoder] = {
    datetime.datetime: datetime_to_redis,
    datetime.date: date_to_redis,
    decimal.Decimal: float,
    bytes: bytes_to_redis,
    uuid.UUID: str,
    Coordinates: Coordinates.to_redis,
}


def to_json_tree(value: Any) -> Any:
    """Convert a dumped model (dicts, lists and scalars) to its JSON-document form."""
    if isinstance(value, dict):
        return {key: to_json_tree(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_json_tree(item) for item in value]
    return scalar_to_json(value)
