"""Deals and trade between two countries as great-circle lines between their capitals."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from c5map.format import format_usd, format_usd_many
from c5map.geodesic import arc_points
from c5map.layers.places import CRS, capitals
from c5map.layers.totals import group_figures
from c5map.tables import Tables

#: Columns of :func:`flow_figures`, in order.
FLOW_FIGURE_COLUMNS = [
    "figure_id", "pair_id", "kind", "origin", "destination", "measure", "date", "value_usd", "value_qualifier",
    "value_text", "attributed_to", "note", "source_id",
]  # fmt: skip
#: Columns of :func:`flow_pairs`, in order (geometry last).
FLOW_PAIR_COLUMNS = [
    "pair_id", "origin", "destination", "kinds", "n_deals", "n_trade", "first_date", "last_date",
    "latest_exports_year", "latest_exports_usd", "latest_exports_qualifier", "latest_exports_text",
]  # fmt: skip


#: Spacing of the points along flow lines, and the most points all of a layer's lines may hold: beyond, the
#: spacing grows (40,000 pairs of capitals at 50 km made 8 million points and a 107 MB GeoJSON). At 150 km a
#: line strays at most about 0.5 km from the true great circle.
FLOW_SPACING_KM = 50.0
FLOW_MAX_POINTS = 2_000_000


def flow_spacing_km(ends: np.ndarray) -> float:
    """Return the spacing (km) of the points of these lines.

    :data:`FLOW_SPACING_KM`, or more (in steps of 10 km) to keep within :data:`FLOW_MAX_POINTS` points in all.
    """
    from c5map.geodesic import _geod

    ends = np.asarray(ends, dtype=float).reshape(-1, 4)
    if not len(ends):
        return FLOW_SPACING_KM
    _, _, distance = _geod().inv(*ends.T)
    total_km = float(np.sum(distance)) / 1000.0
    return max(FLOW_SPACING_KM, math.ceil(total_km / FLOW_MAX_POINTS / 10) * 10)


def great_circles(ends: np.ndarray, spacing_km: float = 50.0) -> list:
    """Return :func:`~c5map.geodesic.great_circle` of every row of ``ends`` (lon1, lat1, lon2, lat2), together.

    The points of every arc come from one vectorised call to pyproj (a
    bilateral table has tens of thousands of pairs, and a Python loop over
    their points took a minute); the few arcs that cross ±180° are split by
    :func:`~c5map.geodesic.great_circle` itself.
    """
    ends = np.asarray(ends, dtype=float).reshape(-1, 4)
    if len(ends) > 2000:  # in chunks: a few hundred points per arc, and memory stays small
        return [line for k in range(0, len(ends), 2000) for line in great_circles(ends[k : k + 2000], spacing_km)]
    if not len(ends):
        return []
    from c5map.geodesic import _geod

    lon1, lat1, lon2, lat2 = ends.T
    geod = _geod()
    azimuth, _, distance = geod.inv(lon1, lat1, lon2, lat2)
    counts = np.maximum((distance / (spacing_km * 1000.0)).astype(int) - 1, 0) + 2  # as arc_points spaces them
    which = np.repeat(np.arange(len(ends)), counts)
    starts = np.cumsum(counts) - counts
    step = np.arange(counts.sum()) - starts[which]
    x, y, _ = geod.fwd(lon1[which], lat1[which], azimuth[which], distance[which] * step / (counts - 1)[which])
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    first, last = step == 0, step == (counts - 1)[which]
    x[first], y[first], x[last], y[last] = lon1, lat1, lon2, lat2
    jump = (np.diff(x, prepend=x[0]) + 180.0) % 360.0 - 180.0  # unwrapped: no step of more than 180°
    jump[first] = 0.0
    run = np.cumsum(jump)
    x = (x[first] - run[first])[which] + run
    crosses = np.zeros(len(ends), dtype=bool)
    np.logical_or.at(crosses, which, np.abs(x) > 180.0)
    x[first], x[last] = lon1, lon2  # the ends as given, free of rounding
    lines = np.array(shapely.linestrings(np.column_stack([x, y]), indices=which), dtype=object)
    for index in np.flatnonzero(crosses):
        lines[index] = _split_great_circle(*ends[index], spacing_km=spacing_km)
    return list(lines)


def _split_great_circle(lon1: float, lat1: float, lon2: float, lat2: float, spacing_km: float):
    """:func:`~c5map.geodesic.great_circle` of an arc that crosses ±180°, the same to the bit, cut by numpy.

    ``great_circle`` walks the points one by one in Python; here each run of points between two cuts is shifted
    at once, and the few cuts are computed with the same operations in the same order.
    """
    coords = arc_points(lon1, lat1, lon2, lat2, spacing_km)
    x, y = coords[:, 0], coords[:, 1]
    parts, run, shift, start = [], [], 0.0, 0
    while True:
        local = x[start + 1 :] - shift  # where each segment from point `start` on ends, in the current part
        beyond = np.flatnonzero((local > 180.0) | (local < -180.0))
        if not len(beyond):  # each segment's first point, shifted back into range; the last point comes below
            run.append(np.column_stack([x[start:-1] - shift, y[start:-1]]))
            break
        stop = start + int(beyond[0])  # the segment that leaves the range
        run.append(np.column_stack([x[start : stop + 1] - shift, y[start : stop + 1]]))
        edge = 1.0 if x[stop + 1] - shift > 180.0 else -1.0
        t = (180.0 * edge + shift - x[stop]) / (x[stop + 1] - x[stop])
        cut = y[stop] + t * (y[stop + 1] - y[stop])
        parts.append(np.concatenate([*run, [[180.0 * edge, cut]]]))
        run, shift, start = [np.array([[-180.0 * edge, cut]])], shift + 360.0 * edge, stop + 1
    end = x[-1] - shift
    parts.append(np.concatenate([*run, [[lon2 if abs(end - lon2) < 1e-9 else end, lat2]]]))
    parts = [part for part in parts if len(part) >= 2]
    return shapely.LineString(parts[0]) if len(parts) == 1 else shapely.MultiLineString(parts)


def flow_figures(tables: Tables) -> pd.DataFrame:
    """Every deal and trade figure between two countries with known capitals: one row each, no geometry.

    The rows :func:`flow_pairs` draws, each referencing its pair by
    ``pair_id``. Region-level figures are not flows (see
    :func:`region_figures`); a row whose ends lack a capital (see
    :func:`capitals`), or whose ends are one country, is left out.

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_FIGURE_COLUMNS`: ``figure_id`` (deal_id or flow_id),
        ``pair_id`` (``"ORIGIN-DESTINATION"``), ``kind`` (``deal`` or ``trade``), ``origin, destination,
        measure`` (value_basis for deals), ``date`` (a trade figure's year as
        text), ``value_usd, value_qualifier, value_text, attributed_to, note,
        source_id``; sorted by figure_id.
    """
    caps = capitals(tables)
    deals, trade = tables.deals, tables.trade
    candidates = pd.concat(
        [
            pd.DataFrame({
                "figure_id": deals["deal_id"], "kind": "deal", "origin": deals["partner"],
                "destination": deals["country"], "measure": deals["value_basis"], "date": deals["date"],
                "value_usd": deals["value_usd"], "value_qualifier": deals["value_qualifier"],
                "attributed_to": deals["attributed_to"], "note": deals["note"], "source_id": deals["source_id"],
            }),
            pd.DataFrame({
                "figure_id": trade["flow_id"], "kind": "trade", "origin": trade["origin"],
                "destination": trade["destination"], "measure": trade["measure"], "date": trade["year"].astype(str),
                "value_usd": trade["value_usd"], "value_qualifier": trade["value_qualifier"],
                "attributed_to": trade["attributed_to"], "note": trade["note"], "source_id": trade["source_id"],
            }),
        ],
        ignore_index=True,
    )  # fmt: skip
    drawable = (
        candidates["origin"].isin(caps)
        & candidates["destination"].isin(caps)
        & (candidates["origin"] != candidates["destination"])
    )
    # sorted by figure_id as the rows are picked: one take of every column of a million rows, not two
    order = candidates["figure_id"][drawable.to_numpy(dtype=bool)].sort_values(kind="stable").index
    frame = candidates.take(order).reset_index(drop=True)
    frame["value_usd"] = frame["value_usd"].astype("float64")
    frame["value_text"] = format_usd_many(frame["value_usd"], frame["value_qualifier"])
    for column in ("attributed_to", "note"):
        frame[column] = frame[column].fillna("")
    frame["pair_id"] = frame["origin"].astype(str) + "-" + frame["destination"].astype(str)
    return frame[FLOW_FIGURE_COLUMNS]


def flow_pairs(tables: Tables, figures: pd.DataFrame | None = None) -> gpd.GeoDataFrame:
    """One great-circle line per origin-destination pair of :func:`flow_figures`, drawn once however many rows.

    A pair is directed: exports from A to B and from B to A are two pairs
    (on one line, drawn in each direction). A bilateral trade table repeats
    each pair once a year; the figures stay in :func:`flow_figures`.

    Parameters
    ----------
    figures : pandas.DataFrame, optional
        :func:`flow_figures` of ``tables``, if already computed.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`FLOW_PAIR_COLUMNS`: ``pair_id, origin, destination, kinds``
        (``deal``, ``trade`` or ``deal; trade``), ``n_deals, n_trade`` (rows
        in flow_figures), ``first_date, last_date``, and the exports from
        origin to destination in their latest year (``latest_exports_year,
        latest_exports_usd`` (the sum; NaN when none), ``_qualifier, _text``);
        LineString or MultiLineString (split at ±180°), sorted by pair_id; a
        point every :data:`FLOW_SPACING_KM`, or coarser for very many pairs
        (:func:`flow_spacing_km`; ``frame.attrs["spacing_km"]``).
    """
    figures = flow_figures(tables) if figures is None else figures
    caps = capitals(tables)
    grouped = figures.groupby("pair_id", sort=True)
    pairs = grouped[["origin", "destination"]].first()
    kinds = figures.groupby(["pair_id", "kind"], sort=True).size().unstack(fill_value=0)
    pairs["n_deals"] = kinds["deal"].astype("int64") if "deal" in kinds else 0
    pairs["n_trade"] = kinds["trade"].astype("int64") if "trade" in kinds else 0
    pairs["kinds"] = [
        "; ".join(k for k, n in (("deal", d), ("trade", t)) if n) for d, t in zip(pairs["n_deals"], pairs["n_trade"],
                                                                                   strict=True)
    ]  # fmt: skip
    pairs["first_date"] = grouped["date"].min()
    pairs["last_date"] = grouped["date"].max()
    # the four columns the sums need, not the thirteen of a million figures
    exports = figures[["pair_id", "date", "value_usd", "value_qualifier"]][
        ((figures["kind"] == "trade") & (figures["measure"] == "exports")).to_numpy(bool)
    ]
    exports = exports[exports["date"] == exports.groupby("pair_id")["date"].transform("max")]
    latest = group_figures(exports, ["pair_id", "date"])
    year, usd, qualifier, words = [], [], [], []
    latest_of = {key[0]: (int(key[1]), figure) for key, figure in latest.items()}
    for pair in pairs.index:
        if pair in latest_of:
            when, (total, how, _) = latest_of[pair]
            year.append(when)
            usd.append(float("nan") if total is None else total)
            qualifier.append(how)
            words.append(format_usd(total, how))
        else:
            year.append(None)
            usd.append(float("nan"))
            qualifier.append(None)
            words.append("")
    pairs["latest_exports_year"] = pd.array(year, dtype="Int64")
    pairs["latest_exports_usd"] = pd.array(usd, dtype="float64")
    pairs["latest_exports_qualifier"] = pd.array(qualifier, dtype="string")
    pairs["latest_exports_text"] = words
    pairs = pairs.reset_index()
    ends = np.array([(*caps[o], *caps[d]) for o, d in zip(pairs["origin"], pairs["destination"], strict=True)])
    spacing = flow_spacing_km(ends)
    frame = gpd.GeoDataFrame(pairs[FLOW_PAIR_COLUMNS], geometry=great_circles(ends, spacing), crs=CRS)
    frame.attrs["spacing_km"] = spacing  # said in the export's data dictionary
    return frame


def flows(tables: Tables) -> gpd.GeoDataFrame:
    """Deals and trade between two countries as great-circle lines between their capitals, one row per figure.

    The rows of :func:`flow_figures` with their pair's line (one shared
    geometry object per pair, so a bilateral table costs one geodesic per
    pair). GIS exports write the pairs (:func:`flow_pairs`) and the figures
    apart instead: repeating a line per row makes gigabytes of a big table.

    Returns
    -------
    geopandas.GeoDataFrame
        ``flow_id, kind`` (``deal`` or ``trade``), ``origin, destination,
        measure`` (value_basis for deals), ``date, value_usd,
        value_qualifier, value_text, attributed_to, note, source_id``;
        LineString or MultiLineString (split at ±180°), sorted by flow_id.
    """
    figures = flow_figures(tables)
    caps = capitals(tables)
    ends = figures[["pair_id", "origin", "destination"]].drop_duplicates("pair_id")
    lines = dict(zip(ends["pair_id"], great_circles([(*caps[o], *caps[d]) for o, d in
                                                     zip(ends["origin"], ends["destination"], strict=True)]),
                     strict=True))  # fmt: skip
    geometry = [lines[p] for p in figures["pair_id"]]
    frame = figures.drop(columns="pair_id").rename(columns={"figure_id": "flow_id"})
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=CRS)
