"""Field declarations and the field kinds that RediSearch indexes them as.

`Field()` takes every pydantic argument plus the Redis OM options. A model class turns its
fields into `FieldSpec` objects (see `model.specs`), which the schema builder, the query
compiler and the scan engine all read.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from pydantic import Field as PydanticField
from pydantic import GetCoreSchemaHandler
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, core_schema

TAG_SEPARATOR = "|"


class FieldKind(str, enum.Enum):
    """The RediSearch attribute type that a field is indexed as."""

    TAG = "TAG"
    TEXT = "TEXT"
    NUMERIC = "NUMERIC"
    GEO = "GEO"
    VECTOR = "VECTOR"


@dataclasses.dataclass(frozen=True)
class VectorFieldOptions:
    """Options of a VECTOR attribute, named as in FT.CREATE and in Redis OM Python."""

    class ALGORITHM(enum.Enum):
        FLAT = "FLAT"
        HNSW = "HNSW"

    class TYPE(enum.Enum):
        FLOAT32 = "FLOAT32"
        FLOAT64 = "FLOAT64"

    class DISTANCE_METRIC(enum.Enum):
        L2 = "L2"
        IP = "IP"
        COSINE = "COSINE"

    algorithm: ALGORITHM
    type: TYPE
    dimension: int
    distance_metric: DISTANCE_METRIC
    initial_cap: int | None = None
    block_size: int | None = None
    m: int | None = None
    ef_construction: int | None = None
    ef_runtime: int | None = None
    epsilon: float | None = None

    @staticmethod
    def flat(type: TYPE, dimension: int, distance_metric: DISTANCE_METRIC,
             initial_cap: int | None = None, block_size: int | None = None) -> VectorFieldOptions:
        """Build the options of a brute-force (FLAT) vector index."""
        return VectorFieldOptions(VectorFieldOptions.ALGORITHM.FLAT, type, dimension, distance_metric,
                                  initial_cap=initial_cap, block_size=block_size)

    @staticmethod
    def hnsw(type: TYPE, dimension: int, distance_metric: DISTANCE_METRIC,
             initial_cap: int | None = None, m: int | None = None, ef_construction: int | None = None,
             ef_runtime: int | None = None, epsilon: float | None = None) -> VectorFieldOptions:
        """Build the options of an approximate (HNSW) vector index."""
        return VectorFieldOptions(VectorFieldOptions.ALGORITHM.HNSW, type, dimension, distance_metric,
                                  initial_cap=initial_cap, m=m, ef_construction=ef_construction,
                                  ef_runtime=ef_runtime, epsilon=epsilon)

    @property
    def schema(self) -> str:
        """The attribute definition after the field name, as Redis OM Python writes it."""
        pairs: list[str] = []
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if item.name == "algorithm" or value is None:
                continue
            pairs.append("DIM" if item.name == "dimension" else item.name.upper())
            pairs.append(value.name if isinstance(value, enum.Enum) else str(value))
        return " ".join([f"VECTOR {self.algorithm.name} {len(pairs)}", *pairs])

    @property
    def numpy_dtype(self) -> str:
        """The struct format letter of one vector element."""
        return "f" if self.type is VectorFieldOptions.TYPE.FLOAT32 else "d"


@dataclasses.dataclass(frozen=True)
class FieldOptions:
    """The Redis OM options of one field; `index=None` means not set."""

    index: bool | None = None
    primary_key: bool = False
    full_text_search: bool = False
    sortable: bool = False
    case_sensitive: bool = False
    separator: str = TAG_SEPARATOR
    vector_options: VectorFieldOptions | None = None

    @property
    def indexed(self) -> bool:
        """Whether the field gets an index attribute.

        As in Redis OM Python, full-text, sortable and vector fields are indexed even
        without `index=True`.
        """
        if self.index:
            return True
        return bool(self.full_text_search or self.sortable or self.vector_options)


DEFAULT_OPTIONS = FieldOptions()


class RedisFieldInfo(FieldInfo):
    """A pydantic FieldInfo that also carries the Redis OM options."""

    __slots__ = ("om_options",)

    def __init__(self, *, om_options: FieldOptions, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.om_options = om_options


def Field(  # noqa: N802 - named like pydantic.Field on purpose
    default: Any = PydanticUndefined,
    *,
    index: bool | None = None,
    primary_key: bool = False,
    full_text_search: bool = False,
    sortable: bool = False,
    case_sensitive: bool = False,
    separator: str = TAG_SEPARATOR,
    vector_options: VectorFieldOptions | None = None,
    **kwargs: Any,
) -> Any:
    """Declare a model field: pydantic's arguments plus the Redis OM index options."""
    options = FieldOptions(
        index=index,
        primary_key=primary_key,
        full_text_search=full_text_search,
        sortable=sortable,
        case_sensitive=case_sensitive,
        separator=separator,
        vector_options=vector_options,
    )
    # pydantic.Field fills in the alias variants; its constraints (gt, max_length, ...) are
    # kept as metadata, which FieldInfo's constructor turns into validators again.
    plain = PydanticField(default, **kwargs)
    attributes = dict(plain._attributes_set)
    for constraint in plain.metadata:
        attributes.update(_constraint_arguments(constraint))
    return RedisFieldInfo(om_options=options, **attributes)


def _constraint_arguments(constraint: Any) -> dict[str, Any]:
    if dataclasses.is_dataclass(constraint):
        return {item.name: getattr(constraint, item.name) for item in dataclasses.fields(constraint)}
    return dict(getattr(constraint, "__dict__", {}))


class Coordinates:
    """A point on Earth: latitude and longitude in degrees, indexed as GEO.

    Stored as `"longitude,latitude"`, the order that RediSearch GEO attributes and Redis OM
    Python use. Accepts a Coordinates, a `(latitude, longitude)` pair, a mapping with both keys,
    or that stored text.
    """

    __slots__ = ("latitude", "longitude")

    def __init__(self, latitude: float, longitude: float) -> None:
        latitude, longitude = float(latitude), float(longitude)
        if not -90.0 <= latitude <= 90.0:
            raise ValueError(f"latitude must be between -90 and 90, not {latitude}")
        if not -180.0 <= longitude <= 180.0:
            raise ValueError(f"longitude must be between -180 and 180, not {longitude}")
        self.latitude = latitude
        self.longitude = longitude

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Coordinates):
            return NotImplemented
        return (self.latitude, self.longitude) == (other.latitude, other.longitude)

    def __hash__(self) -> int:
        return hash((self.latitude, self.longitude))

    def __repr__(self) -> str:
        return f"Coordinates(latitude={self.latitude}, longitude={self.longitude})"

    def to_redis(self) -> str:
        """Return the stored form, `"longitude,latitude"`."""
        return f"{_format_number(self.longitude)},{_format_number(self.latitude)}"

    @classmethod
    def parse(cls, value: Any) -> Coordinates:
        """Build Coordinates from any accepted form; raise ValueError otherwise."""
        if isinstance(value, Coordinates):
            return value
        if isinstance(value, str):
            parts = value.split(",")
            if len(parts) != 2:
                raise ValueError(f"expected 'longitude,latitude', not {value!r}")
            return cls(latitude=parts[1], longitude=parts[0])
        if isinstance(value, dict):
            return cls(value["latitude"], value["longitude"])
        if isinstance(value, (tuple, list)) and len(value) == 2:
            return cls(value[0], value[1])
        raise ValueError(f"expected coordinates as (latitude, longitude), not {value!r}")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda value: value.to_redis(), when_used="always"
            ),
            json_schema_input_schema=core_schema.str_schema(),
        )


def _format_number(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text
