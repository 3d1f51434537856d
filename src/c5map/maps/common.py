"""Helpers the story maps share that need the tables: names, sources, tooltips of figures."""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from c5map.format import localised_date
from c5map.i18n import country_names_in, gettext, isolated, locale_in_use
from c5map.tables import Tables, parse_partial_date


def text(value: object) -> str:
    """Return a cell as text; empty for missing values."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def date_words(date: str) -> str:
    """Write a partial date as people write it.

    Examples
    --------
    >>> date_words("2015"), date_words("2025-09"), date_words("2025-11-06")
    ('2015', 'September 2025', '6 November 2025')
    """
    parsed = parse_partial_date(str(date))
    if parsed is None:
        return str(date)
    year, month, day = parsed
    if month is None:
        return str(year)
    if locale_in_use() != "en":
        return localised_date(year, month, day)
    return f"{MONTHS[month - 1]} {year}" if day is None else f"{day} {MONTHS[month - 1]} {year}"


def place_words(event, names: dict[str, str]) -> str:
    """Say where an event happened, as precisely as known.

    Examples
    --------
    >>> names = {"MLI": "Mali", "UZB": "Uzbekistan"}
    >>> place_words({"place": "", "country": "MLI", "location_precision": "country"}, names)
    'Mali, no city given'
    >>> place_words({"place": "Samarkand", "country": "UZB", "location_precision": "city"}, names)
    'Samarkand, Uzbekistan'
    >>> place_words({"place": "", "country": "", "location_precision": "unknown"}, names)
    'place not given'
    """
    place, country = text(event["place"]), text(event["country"])
    precision = text(event["location_precision"]) if "location_precision" in event else ""
    country_name = names.get(country, country)
    if precision == "country" or (not place and country and precision != "unknown"):
        place = place or country_name  # the source's own name of the country ("South Korea"), not Natural Earth's
        return gettext("{place}, no city given").format(place=place) if place else gettext("place not given")
    if place and country_name and country_name not in place:
        return f"{place}, {country_name}"
    return place or gettext("place not given")


def display_names(tables: Tables) -> dict[str, str]:
    """Name to show for every country and region code.

    A country's is its short name in the locale in use (:func:`c5map.i18n.country_names_in`: Natural Earth's
    NAME in English); a region's is the data's own region_name, in every locale.
    """
    out = country_names_in(locale_in_use())
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
        date = f" ({date_words(text(row['date']))})" if text(row["date"]) else ""
        parts.append(isolated(f"{text(row['publisher'])}, {text(row['title'])}{date}"))  # whole in right to left
    parts = list(dict.fromkeys(parts))  # two sources that read the same are named once
    label = gettext("Sources: {sources}") if len(parts) > 1 else gettext("Source: {sources}")
    return label.format(sources="; ".join(parts)) if parts else ""


def source_label(tables: Tables, source_id: str, attributed_to: object = None) -> str:
    """'Al Jazeera (citing US Department of Commerce)' for one figure."""
    sources = tables.sources.set_index("source_id")
    publisher = text(sources.loc[source_id, "publisher"]) if source_id in sources.index else source_id
    cited = text(attributed_to)
    return gettext("{publisher}, citing {cited}").format(publisher=publisher, cited=cited) if cited else publisher


def partner_palette_of(tables: Tables) -> dict[str, str]:
    """One colour for everyone a map colours by (deal partners, exporters, partners of a region's trade).

    The same on every map of a build. Countries that are only counterparts (a deal's country, an export's
    destination) take the colour of whoever courts them, so they take none of the palette's few distinct
    colours; nor do members of a region dealing within it (their deals are drawn in the "within" colour).
    With more partners than colours, colours repeat (the legends and labels still name each partner).
    """
    from c5map.maps.style import partner_palette

    members = tables.region_members()
    regions = set(members)
    inside = {m for codes in members.values() for m in codes}
    trade = tables.trade
    exporters = set(trade["origin"].dropna().unique())
    codes = set(tables.deals["partner"].dropna().unique()) | exporters
    codes |= set(trade.loc[trade["origin"].isin(regions), "destination"].dropna().unique())  # a region's partner
    codes -= inside - exporters
    return partner_palette(str(c) for c in codes if c not in regions)


def _main_parts(geometry, share: float = 0.05) -> list:
    """Return the polygons that frame a country: overseas specks (< ``share`` of the largest) left out."""
    parts = list(shapely.get_parts(geometry))
    if not parts:
        return []
    largest = max(p.area for p in parts)
    return [p for p in parts if p.area >= share * largest]


def region_view(countries: gpd.GeoDataFrame, iso3: Iterable[str], pad: float = 2.0) -> tuple[float, ...]:
    """(west, south, east, north) that frames the given countries, padded by ``pad`` degrees.

    Across the antimeridian (Russia, Fiji) the frame may run east of 180°
    (Leaflet accepts it), so it spans the countries, not the whole globe.
    Overseas specks of a country do not stretch its frame.

    Examples
    --------
    >>> from c5map.boundaries import load_countries
    >>> west, south, east, north = region_view(load_countries("110m"), ["FJI"], pad=0)
    >>> 170 < west < 180 < east < 185
    True
    """
    parts = [p for g in countries.loc[countries["iso3"].isin(list(iso3)), "geometry"] for p in _main_parts(g)]
    if not parts:
        return (-180.0, -60.0, 180.0, 80.0)
    xy = shapely.get_coordinates(parts)
    south, north = float(xy[:, 1].min()), float(xy[:, 1].max())
    # the narrowest of the two readings of longitude: -180..180, or 0..360
    west, east = float(xy[:, 0].min()), float(xy[:, 0].max())
    shifted = np.where(xy[:, 0] < 0, xy[:, 0] + 360, xy[:, 0])
    if shifted.max() - shifted.min() < east - west:
        west, east = float(shifted.min()), float(shifted.max())
        if west >= 180:
            west, east = west - 360, east - 360
    return (west - pad, max(south - pad, -85.0), east + pad, min(north + pad, 85.0))


def page_view(countries: gpd.GeoDataFrame, iso3: Iterable[str], pad: float = 2.0) -> tuple[tuple[float, ...], float]:
    """Return the opening view of a page about ``iso3`` (:func:`region_view`) and its seam meridian.

    Every shape, line and point of the page is placed in the world copy that
    starts at the seam (:func:`c5map.maps.shapes.page_seam`).
    """
    from c5map.maps.shapes import page_seam

    view = region_view(countries, iso3, pad)
    return view, page_seam(float(round((view[0] + view[2]) / 2)))
