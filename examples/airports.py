"""Airports of the `airportsdata` package (its airports.csv, about 28,000 rows).

    om migrate --yes
    om import Airport airports          # "airports" is the data set named in OM_DATASETS
    om find Airport 'country==KR and elevation>100' --sort -elevation --limit 10

The CSV columns are the field names. `om import` leaves empty cells out, so an airport
without an IATA code, city or subdivision gets None there. `location` is built from `lat` and
`lon` for GEO queries, except beyond the latitudes that Redis GEO accepts (the South Pole
station is at -90), where it stays None so that the record is still indexed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

from pydantic import model_validator

from redisom_cli import Coordinates, Field, HashModel

# Redis GEO (and RediSearch GEO attributes) accept latitudes up to this value, in degrees.
MAX_GEO_LATITUDE = 85.05112878


class Airport(HashModel, index=True):
    """One airport, keyed by its ICAO code (`:airport:RKSI`)."""

    icao: str = Field(primary_key=True, index=True, min_length=4, max_length=4)
    iata: Optional[str] = Field(default=None, index=True, max_length=3)
    name: str = Field(index=True, full_text_search=True)
    city: Optional[str] = Field(default=None, index=True)
    subd: Optional[str] = Field(default=None, index=True, description="state, province or region")
    country: str = Field(index=True, min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code")
    elevation: float = Field(index=True, sortable=True, description="feet above mean sea level")
    lat: float = Field(index=True, sortable=True, ge=-90, le=90)
    lon: float = Field(index=True, sortable=True, ge=-180, le=180)
    location: Optional[Coordinates] = Field(default=None, index=True)
    tz: str = Field(index=True, description="IANA time zone name")
    lid: Optional[str] = Field(default=None, index=True, description="FAA location identifier (US only)")

    class Meta:
        model_key_prefix = "airport"

    @model_validator(mode="before")
    @classmethod
    def _locate(cls, values: Any) -> Any:
        """Fill `location` from `lat` and `lon` when it is not given."""
        if isinstance(values, dict) and values.get("location") is None:
            lat, lon = values.get("lat"), values.get("lon")
            try:
                point = Coordinates(latitude=lat, longitude=lon)
            except (TypeError, ValueError):
                return values  # the lat and lon validators report a missing or bad value
            if abs(point.latitude) <= MAX_GEO_LATITUDE:
                values = {**values, "location": point}
        return values


def airports_csv() -> Path:
    """Return the path of airports.csv inside the installed airportsdata package."""
    from importlib.resources import files

    from redisom_cli import ConfigurationError

    try:
        return Path(str(files("airportsdata").joinpath("airports.csv")))
    except ModuleNotFoundError as error:
        raise ConfigurationError(
            "the airports data set comes from the airportsdata package, which is not installed; "
            "install it with: pip install airportsdata"
        ) from error


# Data files that `om import MODEL NAME` accepts by name.
OM_DATASETS = {"airports": airports_csv}
