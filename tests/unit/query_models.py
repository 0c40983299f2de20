"""Models shared by the query unit tests; nothing here talks to a server."""

from __future__ import annotations

import datetime
import decimal
import enum
import uuid
from typing import Literal, Optional

from redisom_cli import Coordinates, EmbeddedJsonModel, Field, HashModel, JsonModel, VectorFieldOptions


class Status(enum.Enum):
    ACTIVE = "active"
    RETIRED = "retired"


class Level(enum.Enum):
    LOW = 1
    HIGH = 2


class Member(HashModel, index=True):
    first_name: str = Field(index=True)
    last_name: str = Field(index=True, full_text_search=True)
    email: Optional[str] = Field(default=None, index=True, case_sensitive=True)
    age: int = Field(index=True, sortable=True)
    score: float = Field(default=0.0, index=True)
    balance: decimal.Decimal = Field(default=decimal.Decimal("0"), index=True)
    joined: datetime.date = Field(default=datetime.date(2020, 1, 1), index=True)
    seen: Optional[datetime.datetime] = Field(default=None, index=True)
    active: bool = Field(default=True, index=True)
    status: Status = Field(default=Status.ACTIVE, index=True)
    level: Level = Field(default=Level.LOW, index=True)
    token: Optional[uuid.UUID] = Field(default=None, index=True)
    kind: Literal["a", "b"] = Field(default="a", index=True)
    path: str = Field(default="", index=True, separator=";")
    location: Optional[Coordinates] = Field(default=None, index=True)
    notes: str = ""

    class Meta:
        global_key_prefix = "unit"
        model_key_prefix = "Member"


class Address(EmbeddedJsonModel):
    city: str = Field(index=True)
    postal_code: Optional[int] = Field(default=None, index=True)


class Order(EmbeddedJsonModel):
    amount: float = Field(index=True)


class Customer(JsonModel, index=True):
    name: str = Field(index=True)
    active: bool = Field(default=True, index=True)
    tags: list[str] = Field(default_factory=list, index=True)
    address: Address
    orders: list[Order] = Field(default_factory=list)
    embedding: Optional[list[float]] = Field(
        default=None,
        vector_options=VectorFieldOptions.flat(
            VectorFieldOptions.TYPE.FLOAT32, 2, VectorFieldOptions.DISTANCE_METRIC.L2
        ),
    )
    distance: Optional[float] = Field(default=None, index=True)

    class Meta:
        global_key_prefix = "unit"
        model_key_prefix = "Customer"
