"""Helpers the story maps share that need the tables: names, sources, tooltips of figures."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import pandas as pd

from c5map.boundaries import country_names
from c5map.tables import Tables


def text(value: object) -> str:
    """Return a cell as text; empty for missing values."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def display_names(tables: Tables) -> dict[str, str]:
    """Name to show for every country and region code (Natural Earth NAME, region_name)."""
    names = country_names("10m")
    out = {str(c): str(n) for c, n in zip(names["iso3"], names["NAME"], strict=True)}
    for region, name in zip(tables.regions["region"], tables.regions["region_name"], strict=True):
        out[str(region)] = str(name)
    return out


def source_line(tables: Tables, source_ids: Iterable[str]) -> str:
    """'Source: Publisher, Title (date); ...' for the given source ids, sorted."""
    sources = tables.sources.set_index("source_id")
    parts = []
    # distinct ids through pandas: a million-row column is not walked cell by cell in Python
    ids = source_ids if isinstance(source_ids, pd.Series) else pd.Series(list(source_ids), dtype=object)
    for sid in sorted(ids.dropna().unique()):
        if sid not in sources.index:
            continue
        row = sources.loc[sid]
        date = f" ({text(row['date'])})" if text(row["date"]) else ""
        parts.append(f"{text(row['publisher'])}, {text(row['title'])}{date}")
    label = "Sources" if len(parts) > 1 else "Source"
    return f"{label}: " + "; ".join(parts) if parts else ""


def source_label(tables: Tables, source_id: str, attributed_to: object = None) -> str:
    """'Al Jazeera (citing US Department of Commerce)' for one figure."""
    sources = tables.sources.set_index("source_id")
    publisher = text(sources.loc[source_id, "publisher"]) if source_id in sources.index else source_id
    cited = text(attributed_to)
    return f"{publisher}, citing {cited}" if cited else publisher


def members_bounds(countries: gpd.GeoDataFrame, iso3: Iterable[str], pad: float = 2.0) -> tuple[float, ...]:
    """(west, south, east, north) around the given countries, padded by ``pad`` degrees."""
    west, south, east, north = countries[countries["iso3"].isin(list(iso3))].total_bounds
    return (float(west - pad), float(south - pad), float(east + pad), float(north + pad))
