"""GIS exports: RFC 7946 GeoJSON, GeoPackage and GeoParquet of every layer.

Layers (one file each in ``geo/``, all of them in ``geo/c5map.gpkg``):

``countries``
    The region's members and every country named in deals or trade, with the
    joined figures as flat columns (one column group per partner and value
    basis, per exporter's latest year: at most :data:`MAX_COLUMN_GROUPS`), and
    every one of them, long, in the table ``country_figures``.
``regions``
    The region dissolved into one outline, with its region-level figures (flat
    columns as for countries, and long in ``region_figures``).
``flows``
    One great-circle line between capitals per origin-destination pair of the
    deals and trade between two countries; every figure is a row of the table
    ``flow_figures`` that names its pair.
``resources``
    Deposits and reserves; country-level figures have no geometry.
``events``
    Summits, meetings, policy moves; those without a city have no geometry.

Tables (no geometry) are written in the GeoPackage as attribute tables and
beside the GeoJSON as CSV (``geo/flow_figures.csv``, :func:`write_table`);
a layer carries its tables (:attr:`ExportLayer.tables`). The CSV is safe to
open in a spreadsheet (:mod:`c5map.spreadsheet`: a text cell such as
``=HYPERLINK(...)`` gets a leading apostrophe); GeoJSON, GeoPackage and
Parquet keep the exact text.

``c5map export`` (:func:`export_command`, :func:`write_export`) writes only
regular files and folders (never a device or FIFO), names the tables it
writes beside a single-layer file after that file (``myflows.geojson`` ->
``myflows.flow_figures.csv``), and never replaces a file it did not write
(:func:`written_by_c5map`).

GeoJSON follows RFC 7946: WGS 84 longitude/latitude with no ``crs`` member,
exterior rings counter-clockwise and holes clockwise, nothing crossing ±180°
(lines and polygons are split there), coordinates rounded to
:data:`COORDINATE_DECIMALS` places, a ``bbox``, a stable ``id`` per feature,
and the same flat properties with the same types in every feature.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from c5map import layers
from c5map.boundaries import load_countries, simplified_coverage
from c5map.errors import DataError, Problem, UsageError, display_path, printable
from c5map.format import format_usd
from c5map.publish import check_target, replace_file
from c5map.schema import table_schemas
from c5map.spreadsheet import spreadsheet_safe_column
from c5map.tables import Tables

#: Decimal places of every exported coordinate (0.001° is about 110 m; 1:10m boundaries are good to ~1 km).
COORDINATE_DECIMALS = 3
#: Boundaries are simplified together as a coverage at this tolerance (degrees) before export.
SIMPLIFY_TOLERANCE_DEG = 0.01
#: Every export layer, in the order it is written, and what it holds in a line (the atlas links them with it).
LAYER_SUMMARIES: dict[str, str] = {
    "countries": "countries with deal and trade figures as columns",
    "regions": "the region's outline with its region-level figures",
    "flows": "great-circle flows between capitals",
    "resources": "deposits and reserves",
    "events": "summits and meetings",
}
LAYER_NAMES: tuple[str, ...] = tuple(LAYER_SUMMARIES)
#: The tables (no geometry) written with a layer, and what each holds in a line.
TABLE_SUMMARIES: dict[str, str] = {
    "country_figures": "every per-partner figure of the countries, one row each",
    "region_figures": "every region-level figure, one row each",
    "flow_figures": "every deal and trade figure of the flows, one row each, naming its pair",
}
#: Most column groups (four columns each) of per-partner figures in the countries and regions layers. A big
#: table has thousands (GeoPackage holds at most 2,000 columns, and no one reads 2,000 in QGIS): the groups
#: with figures in the most places get columns, and every figure is in the layer's long table.
MAX_COLUMN_GROUPS = 50
FORMATS: tuple[str, ...] = ("geojson", "gpkg", "parquet")
#: GeoPackage stamps the time of writing into gpkg_contents; a fixed stamp keeps rebuilds byte-identical.
GPKG_TIMESTAMP = "2000-01-01T00:00:00.000Z"


@dataclass(frozen=True)
class ExportField:
    """A property of an exported layer: name, type (``string``, ``number``, ``integer``, ``boolean``), meaning."""

    name: str
    type: str
    description: str


@dataclass
class ExportTable:
    """A table with no geometry, written with its layer: rows that name a feature of it (``key``)."""

    name: str
    description: str
    frame: pd.DataFrame  # exactly ``fields``
    fields: list[ExportField]
    key: str  # the field naming the layer's feature (its ``id``)


@dataclass
class ExportLayer:
    """One exported layer: features with their id, the documented fields, what the layer is, its tables."""

    name: str
    description: str
    frame: gpd.GeoDataFrame  # an ``id`` column, then exactly ``fields``, then geometry
    fields: list[ExportField]
    tables: list[ExportTable] = field(default_factory=list)


def _slug(code: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


def _none(value: object) -> object:
    """Cell -> JSON-ready value: None for every kind of missing, plain Python numbers."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return str(value)


def _figure_group(prefix: str, what: str) -> list[ExportField]:
    return [
        ExportField(f"{prefix}_usd", "number", f"{what}: sum in US dollars (null: no reported figure, not zero)"),
        ExportField(f"{prefix}_qualifier", "string", "exact, about, nearly, over, under or undisclosed"),
        ExportField(f"{prefix}_text", "string", "the figure as a reader sees it, qualifier kept"),
        ExportField(f"{prefix}_count", "integer", "how many figures were summed (0: none reported)"),
    ]


def _fill_group(row: dict, prefix: str, figure: tuple[float | None, str, int] | None) -> None:
    if figure is None:
        row.update({f"{prefix}_usd": None, f"{prefix}_qualifier": None, f"{prefix}_text": "no reported figure",
                    f"{prefix}_count": 0})  # fmt: skip
        return
    total, qualifier, count = figure
    row.update({f"{prefix}_usd": total, f"{prefix}_qualifier": qualifier,
                f"{prefix}_text": format_usd(total, qualifier), f"{prefix}_count": count})  # fmt: skip


def export_boundaries(iso3: list[str], source: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """Return the countries to export, simplified as a coverage and quantised (see module constants).

    ``source``: boundaries of your own; default Natural Earth 1:10m.
    """
    world = load_countries("10m") if source is None else source
    frame = world[world["iso3"].isin(iso3)].reset_index(drop=True)
    return frame.set_geometry(simplified_coverage(frame.geometry.values, SIMPLIFY_TOLERANCE_DEG, COORDINATE_DECIMALS))


def _country_codes(tables: Tables, region: str) -> list[str]:
    regions = tables.region_members()
    codes = set(regions[region])
    for column in ("partner", "country"):
        codes |= set(tables.deals[column].dropna().unique())
    for column in ("origin", "destination"):
        codes |= set(tables.trade[column].dropna().unique())  # unique first: 2M Arrow scalars took 4 s
    return sorted(str(c) for c in codes - set(regions))


@dataclass(frozen=True)
class _Group:
    """One kind of per-partner figure: a column group of a layer, and a value of its long table's key columns."""

    kind: str  # deals, exports or total_trade
    partner: str
    measure: str  # value basis of deals, or the trade measure
    year: int | None  # trade figures are per year; deals are summed over every date
    prefix: str  # of the group's columns
    what: str  # what the figure is, for the data dictionary


def _column_groups(groups: list[_Group], figures: dict[tuple[_Group, str], tuple]) -> list[_Group]:
    """Choose the groups that get columns: all if they fit in :data:`MAX_COLUMN_GROUPS`, else those in most places."""
    if len(groups) <= MAX_COLUMN_GROUPS:
        return groups
    places: dict[_Group, int] = {}
    for group, _ in figures:
        places[group] = places.get(group, 0) + 1
    order = {g: i for i, g in enumerate(groups)}
    chosen = set(sorted(groups, key=lambda g: (-places.get(g, 0), order[g]))[:MAX_COLUMN_GROUPS])
    return [g for g in groups if g in chosen]


def _figures_table(
    name: str, key: ExportField, groups: list[_Group], columns: list[_Group], figures: dict, places: list[str]
) -> ExportTable:
    """Every figure of ``groups`` in ``places``, one row each (``key`` names the place), columns or not."""
    with_columns = set(columns)
    rows = []
    for place in places:
        for group in groups:
            figure = figures.get((group, place))
            if figure is None:
                continue
            total, qualifier, count = figure
            rows.append({
                key.name: place, "kind": group.kind, "partner": group.partner, "measure": group.measure,
                "year": group.year, "value_usd": total, "value_qualifier": qualifier,
                "value_text": format_usd(total, qualifier), "count": count,
                "column_group": group.prefix if group in with_columns else "",
            })  # fmt: skip
    fields = [
        key,
        ExportField("kind", "string", "deals (announced deals), exports or total_trade (trade.csv measures)"),
        ExportField("partner", "string", "ISO3 or region code of the partner: the dealmaker, or the trade's other end"),
        ExportField("measure", "string", "value_basis of the deals, or measure of the trade figure"),
        ExportField("year", "integer", "year of a trade figure; null for deals (summed over every date)"),
        ExportField("value_usd", "number", "sum in US dollars (null: none of the figures is disclosed)"),
        ExportField("value_qualifier", "string", "exact, about, nearly, over, under or undisclosed"),
        ExportField("value_text", "string", "the figure as a reader sees it, qualifier kept"),
        ExportField("count", "integer", "how many figures were summed"),
        ExportField("column_group", "string", "prefix of this figure's columns in the layer, or empty: no columns"),
    ]
    frame = pd.DataFrame(rows, columns=[f.name for f in fields])
    frame = frame.astype({"year": "Int64", "value_usd": "float64", "count": "int64"})
    return ExportTable(name, TABLE_SUMMARIES[name].capitalize() + ".", frame, fields, key.name)


def _group_note(columns: list[_Group], groups: list[_Group], table: str) -> str:
    if len(columns) == len(groups):
        return f" Every figure is also a row of the table `{table}`."
    return (
        f" Columns for {len(columns)} of its {len(groups)} kinds of figure (partner, basis or measure, year): those "
        f"with figures in the most places (at most {MAX_COLUMN_GROUPS}); every figure is a row of `{table}`."
    )


def countries_layer(tables: Tables, boundaries: gpd.GeoDataFrame, region: str) -> ExportLayer:
    """Countries with deal and trade figures as flat columns; ``region`` is the one the build is about.

    At most :data:`MAX_COLUMN_GROUPS` groups of columns; every figure is also
    a row of the layer's table ``country_figures``.
    """
    member_of = dict.fromkeys(tables.region_members()[region], region)
    deals = tables.deals
    deal_keys = sorted({(str(p), str(b)) for p, b in zip(deals["partner"], deals["value_basis"], strict=True)})
    exports = tables.trade[(tables.trade["measure"] == "exports") & tables.trade["year"].notna()]
    # Each exporter's latest year only: every year of a bilateral table stays in flow_figures, row by row.
    latest = exports.groupby("origin", sort=True)["year"].max()
    exports = exports[exports["year"].to_numpy() == exports["origin"].map(latest).to_numpy()]
    groups = [
        _Group("deals", p, b, None, f"deals_{_slug(p)}_{b}",
               f"deals announced by {p} with this country, value basis '{b}'")
        for p, b in deal_keys
    ] + [
        _Group("exports", str(o), "exports", int(y), f"exports_{_slug(str(o))}_{int(y)}",
               f"exports from {o} to this country in {int(y)}, {o}'s latest year in trade.csv")
        for o, y in latest.items()
    ]  # fmt: skip
    deal_group = {(g.partner, g.measure): g for g in groups if g.kind == "deals"}
    export_group = {g.partner: g for g in groups if g.kind == "exports"}
    # figures looked up by key, not by a boolean mask over the whole table per country and group
    figures = {
        (deal_group[p, b], c): figure
        for (p, b, c), figure in layers.group_figures(deals, ["partner", "value_basis", "country"]).items()
    }
    export_figures = layers.group_figures(exports, ["origin", "destination"])
    figures |= {(export_group[o], d): figure for (o, d), figure in export_figures.items()}
    codes = sorted(boundaries["iso3"])
    figures = {k: v for k, v in figures.items() if k[1] in set(codes)}
    columns = _column_groups(groups, figures)
    fields = [
        ExportField("iso3", "string", "Natural Earth ADM0_A3 (ISO 3166-1 alpha-3 where one exists)"),
        ExportField("name", "string", "Natural Earth NAME"),
        ExportField("region", "string", "the build's region code (regions.csv) for its members, else null"),
        ExportField("role", "string", "member (of a region), partner (courts others), counterpart (only receives)"),
    ]
    for group in columns:
        fields += _figure_group(group.prefix, group.what)
    partners = set(deals["partner"])
    rows = []
    for _, country in boundaries.sort_values("iso3").iterrows():
        iso3 = country["iso3"]
        role = "member" if iso3 in member_of else ("partner" if iso3 in partners else "counterpart")
        row = {"id": iso3, "iso3": iso3, "name": country["name"], "region": member_of.get(iso3), "role": role}
        for group in columns:
            _fill_group(row, group.prefix, figures.get((group, iso3)))
        row["geometry"] = country.geometry
        rows.append(row)
    frame = gpd.GeoDataFrame(rows, columns=["id", *[f.name for f in fields], "geometry"], crs="EPSG:4326")
    key = ExportField("iso3", "string", "the country (countries layer: iso3)")
    return ExportLayer(
        "countries",
        "Countries of the region and every country named in deals or trade, with their figures as flat columns."
        + _group_note(columns, groups, "country_figures"),
        frame,
        fields,
        [_figures_table("country_figures", key, groups, columns, figures, codes)],
    )


def regions_layer(tables: Tables, boundaries: gpd.GeoDataFrame, region: str) -> ExportLayer:
    """Return the build's region dissolved into one outline, with its region-level figures as flat columns.

    At most :data:`MAX_COLUMN_GROUPS` groups of columns; every figure is also
    a row of the layer's table ``region_figures``.
    """
    outlines = layers.region_outlines(tables, boundaries)
    outlines = outlines[outlines["region"] == region]
    deals, trade = tables.deals, tables.trade
    regions = set(outlines["region"])
    region_deals = deals[deals["country"].isin(regions)]
    region_trade = trade[
        (trade["measure"] == "total_trade") & (trade["destination"].isin(regions) | trade["origin"].isin(regions))
    ]
    deal_keys = sorted(
        {(str(p), str(b)) for p, b in zip(region_deals["partner"], region_deals["value_basis"], strict=True)}
    )
    trade_keys = sorted(
        {
            (str(d if o in regions else o), int(y))
            for o, d, y in zip(region_trade["origin"], region_trade["destination"], region_trade["year"], strict=True)
        }
    )
    groups = [
        _Group("deals", p, b, None, f"deals_{_slug(p)}_{b}",
               f"deals {p} announced with the region as a whole (never split between members), value basis '{b}'")
        for p, b in deal_keys
    ] + [
        _Group("total_trade", p, "total_trade", y, f"total_trade_{_slug(p)}_{y}",
               f"total trade between {p} and the region as a whole in {y}")
        for p, y in trade_keys
    ]  # fmt: skip
    deal_group = {(g.partner, g.measure): g for g in groups if g.kind == "deals"}
    trade_group = {(g.partner, g.year): g for g in groups if g.kind == "total_trade"}
    figures = {
        (deal_group[p, b], r): figure
        for (p, b, r), figure in layers.group_figures(region_deals, ["partner", "value_basis", "country"]).items()
    }
    # each figure keyed by (partner, year, region): the region is whichever end is one
    origin_is_region = region_trade["origin"].isin(regions).to_numpy(bool)
    figures |= {
        (trade_group[p, int(y)], r): figure
        for (p, y, r), figure in layers.group_figures(
            region_trade.assign(
                partner=np.where(origin_is_region, region_trade["destination"], region_trade["origin"]),
                region=np.where(origin_is_region, region_trade["origin"], region_trade["destination"]),
            ),
            ["partner", "year", "region"],
        ).items()
    }
    columns = _column_groups(groups, figures)
    fields = [
        ExportField("region", "string", "region code (regions.csv)"),
        ExportField("region_name", "string", "name of the region"),
        ExportField("members", "string", "ISO3 codes of the members, '; '-separated"),
        ExportField("notes", "string", "caveats of its region-level figures ('figure_id: note', '; '-separated)"),
    ]
    for group in columns:
        fields += _figure_group(group.prefix, group.what)
    rows = []
    for _, outline in outlines.sort_values("region").iterrows():
        region = outline["region"]
        notes = [
            f"{key}: {note}"
            for frame, id_column in ((region_deals, "deal_id"), (region_trade, "flow_id"))
            for key, note, where in zip(
                frame[id_column], frame["note"], frame["country"] if id_column == "deal_id" else
                np.where(frame["origin"] == region, frame["origin"], frame["destination"]), strict=True
            )
            if where == region and isinstance(note, str) and note
        ]  # fmt: skip
        row = {"id": region, "region": region, "region_name": outline["region_name"], "members": outline["members"],
               "notes": "; ".join(sorted(notes))}  # fmt: skip
        for group in columns:
            _fill_group(row, group.prefix, figures.get((group, region)))
        row["geometry"] = shapely.make_valid(outline.geometry, method="structure")
        rows.append(row)
    frame = gpd.GeoDataFrame(rows, columns=["id", *[f.name for f in fields], "geometry"], crs="EPSG:4326")
    description = "The region dissolved into one outline, with its region-level figures." + _group_note(
        columns, groups, "region_figures"
    )
    key = ExportField("region", "string", "the region (regions layer: region)")
    table = _figures_table("region_figures", key, groups, columns, figures, sorted(outlines["region"]))
    return ExportLayer("regions", description, frame, fields, [table])


def _described(table: str, names: list[str]) -> list[ExportField]:
    schema = table_schemas()[table]
    kinds = {"number": "number", "integer": "integer"}
    return [ExportField(n, kinds.get(schema.field(n).type, "string"), schema.field(n).description) for n in names]


def flows_layer(tables: Tables) -> ExportLayer:
    """One great-circle line per origin-destination pair (:func:`c5map.layers.flow_pairs`), its figures apart.

    Every deal and trade figure between the two is a row of the layer's table
    ``flow_figures`` (:func:`c5map.layers.flow_figures`), which names its
    pair: a bilateral table repeats each pair once a year, and a line per row
    made gigabytes of the same great circles.
    """
    figures = layers.flow_figures(tables)
    pairs = layers.flow_pairs(tables, figures)
    fields = [
        ExportField("pair_id", "string", "ORIGIN-DESTINATION: the key of this pair's rows in flow_figures"),
        ExportField("origin", "string", "ISO3 of the dealmaking partner or exporter; the line starts at its capital"),
        ExportField("destination", "string", "ISO3 of the counterpart; the line ends at its capital"),
        ExportField("kinds", "string", "deal, trade or 'deal; trade': what flow_figures holds for the pair"),
        ExportField("n_deals", "integer", "deals of the pair (rows of flow_figures)"),
        ExportField("n_trade", "integer", "trade figures of the pair (rows of flow_figures)"),
        ExportField("first_date", "string", "earliest date of its figures (YYYY, YYYY-MM or YYYY-MM-DD)"),
        ExportField("last_date", "string", "latest date of its figures"),
        ExportField("latest_exports_year", "integer", "latest year of exports from origin to destination, or null"),
        ExportField("latest_exports_usd", "number", "those exports in US dollars, summed (null: none, or undisclosed)"),
        ExportField("latest_exports_qualifier", "string", "exact, about, nearly, over, under or undisclosed"),
        ExportField("latest_exports_text", "string", "those exports as a reader sees them, or empty"),
    ]  # fmt: skip
    frame = pairs.assign(id=pairs["pair_id"])
    # rounded as every export (lines need no repair, unlike the boundaries quantise snaps)
    frame["geometry"] = shapely.transform(frame.geometry.values, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    figure_fields = [
        ExportField("figure_id", "string", "deal_id (deals.csv) or flow_id (trade.csv)"),
        ExportField("pair_id", "string", "the pair's feature in the flows layer (its id)"),
        ExportField("kind", "string", "deal or trade"),
        ExportField("origin", "string", "ISO3 of the partner (deals) or exporter (trade)"),
        ExportField("destination", "string", "ISO3 of the counterpart"),
        ExportField("measure", "string", "value_basis of a deal, or measure of a trade figure"),
        ExportField("date", "string", "YYYY, YYYY-MM or YYYY-MM-DD (deals) or YYYY (trade)"),
        ExportField("value_usd", "number", "US dollars; null when undisclosed"),
        ExportField("value_qualifier", "string", "exact, about, nearly, over, under or undisclosed"),
        ExportField("value_text", "string", "the figure as a reader sees it, qualifier kept"),
        ExportField("attributed_to", "string", "who the source attributes the figure to, or empty"),
        ExportField("note", "string", "a caveat to read with the figure (deals.csv / trade.csv note), or empty"),
        ExportField("source_id", "string", "sources.csv id"),
    ]
    table = ExportTable("flow_figures", TABLE_SUMMARIES["flow_figures"].capitalize() + ".", figures, figure_fields,
                        "pair_id")  # fmt: skip
    return ExportLayer(
        "flows",
        "Deals and trade between two countries: one great-circle line between their capitals per origin-destination "
        f"pair, split at ±180°, a point every {pairs.attrs['spacing_km']:g} km. Every figure is a row of the table "
        "`flow_figures`, which names its pair (`pair_id`).",
        frame[["id", *[f.name for f in fields], "geometry"]],
        fields,
        [table],
    )


def resources_layer(tables: Tables) -> ExportLayer:
    """Every resource row; those known only by country have no geometry."""
    fields = _described("resources", [c for c in layers.RESOURCE_COLUMNS if c != "quantity_text"])
    fields.insert(
        layers.RESOURCE_COLUMNS.index("quantity_text"),
        ExportField("quantity_text", "string", "the quantity as a reader sees it, qualifier kept"),
    )
    points = layers.resource_points(tables, include_unlocated=True)
    frame = points.assign(id=points["resource_id"])[["id", *layers.RESOURCE_COLUMNS, "geometry"]]
    return ExportLayer(
        "resources",
        "Deposits, reserves and processing figures; country-level figures have no "
        "geometry, and a region-level deposit sits at its regional centre (see location_precision).",
        frame.sort_values("id").reset_index(drop=True),
        fields,
    )


def events_layer(tables: Tables) -> ExportLayer:
    """Every event; those without a known city have no geometry."""
    fields = _described("events", layers.EVENT_COLUMNS)
    points = layers.event_points(tables, include_unlocated=True)
    frame = points.assign(id=points["event_id"])[["id", *layers.EVENT_COLUMNS, "geometry"]]
    return ExportLayer(
        "events",
        "Summits, meetings and policy moves; only events in a known city have a point.",
        frame.sort_values("id").reset_index(drop=True),
        fields,
    )


def export_layers(
    tables: Tables, countries: gpd.GeoDataFrame | None = None, *, region: str | None = None
) -> dict[str, ExportLayer]:
    """Return every export layer, keyed by name, in :data:`LAYER_NAMES` order.

    ``countries``: boundaries of your own; default Natural Earth 1:10m.
    ``region``: the region the layers are about (default the only one in
    ``regions.csv``; see :func:`c5map.story.choose_region`).
    """
    from c5map.story import choose_region

    region = choose_region(tables, region)
    boundaries = export_boundaries(_country_codes(tables, region), countries)
    builders: dict[str, Callable[[], ExportLayer]] = {
        "countries": lambda: countries_layer(tables, boundaries, region),
        "regions": lambda: regions_layer(tables, boundaries, region),
        "flows": lambda: flows_layer(tables),
        "resources": lambda: resources_layer(tables),
        "events": lambda: events_layer(tables),
    }
    return {name: builders[name]() for name in LAYER_NAMES}


def rfc7946_geometries(geometries: np.ndarray) -> np.ndarray:
    """Orient polygons by the right-hand rule (RFC 7946 §3.1.6) and round coordinates, all at once."""
    present = shapely.is_geometry(geometries)
    out = np.array(geometries, dtype=object)
    oriented = shapely.orient_polygons(geometries[present], exterior_cw=False)  # points and lines unchanged
    out[present] = shapely.transform(oriented, lambda xy: np.round(xy, COORDINATE_DECIMALS))
    return out


def geojson_text(layer: ExportLayer) -> str:
    """Return the layer as RFC 7946 GeoJSON text: one feature a line, stable order, no ``crs``.

    The collection's ``bbox`` spans every feature; because geometries never
    cross ±180°, west <= east always holds. A feature with no known place
    has a null geometry (RFC 7946 §3.2).
    """
    geometries = rfc7946_geometries(layer.frame.geometry.to_numpy())
    # GEOS writes the geometries (in C, the same text as json.dumps of their mapping: shortest round-trip numbers)
    present = shapely.is_geometry(geometries) & ~shapely.is_empty(geometries)
    texts = np.full(len(geometries), "null", dtype=object)
    if present.any():
        texts[present] = shapely.to_geojson(geometries[present])
    columns = {f.name: [_none(v) for v in layer.frame[f.name]] for f in layer.fields}
    lines = []
    for i, (feature_id, geometry) in enumerate(zip(layer.frame["id"], texts, strict=True)):
        properties = json.dumps({name: values[i] for name, values in columns.items()}, ensure_ascii=False,
                                separators=(",", ":"))  # fmt: skip
        head = json.dumps(str(feature_id), ensure_ascii=False)
        lines.append(f'{{"type":"Feature","id":{head},"geometry":{geometry},"properties":{properties}}}')
    header = {"type": "FeatureCollection", "name": layer.name}
    located = [g for g in geometries if g is not None and not g.is_empty]
    if located:
        west, south, east, north = shapely.total_bounds(np.array(located, dtype=object))
        header["bbox"] = [round(float(v), COORDINATE_DECIMALS) for v in (west, south, east, north)]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def _typed(frame: pd.DataFrame, fields: list[ExportField]) -> pd.DataFrame:
    """Return ``frame`` with column types fixed from ``fields`` (GDAL infers nothing from an all-null column)."""
    frame = frame.copy()
    dtypes = {"number": "float64", "integer": "Int64", "boolean": "boolean", "string": "string"}
    for f in fields:
        frame[f.name] = frame[f.name].astype(dtypes[f.type])  # every kind of missing becomes null
    return frame


def _typed_frame(layer: ExportLayer) -> gpd.GeoDataFrame:
    """Return the layer with column types fixed from its fields."""
    frame = _typed(layer.frame, layer.fields)
    frame["id"] = frame["id"].astype("string")
    return frame


def table_csv(table: ExportTable) -> str:
    """Return a table as CSV text (UTF-8, a header line, LF line ends, an empty cell for null), in a stable order.

    Safe to open in a spreadsheet: a text cell that starts as a formula (``=``, ``+``, ``-``, ``@``, tab, CR)
    gets a leading apostrophe (:mod:`c5map.spreadsheet`); numbers stay numbers.
    """
    frame = _typed(table.frame, table.fields)
    for f in table.fields:
        if f.type == "string":
            frame[f.name] = spreadsheet_safe_column(frame[f.name])
    return frame.to_csv(index=False, lineterminator="\n")


def write_geojson(layer: ExportLayer, path: Path) -> None:
    """Write one layer as RFC 7946 GeoJSON (its tables are written apart: :func:`write_table`)."""
    path.write_text(geojson_text(layer), encoding="utf-8")


def write_table(table: ExportTable, path: Path) -> None:
    """Write a table as CSV (:func:`table_csv`) or, for a ``.parquet`` path, as Parquet."""
    if path.suffix == ".parquet":
        frame = _typed(table.frame, table.fields)
        frame.attrs[MARK] = table.name  # c5map's mark (:func:`written_by_c5map`), in the file's pandas metadata
        frame.to_parquet(path, index=False)
    else:
        path.write_text(table_csv(table), encoding="utf-8")


def write_gpkg(layers_: dict[str, ExportLayer], path: Path) -> None:
    """Write layers and their tables into one GeoPackage (one table each), byte-identical for identical input.

    A layer's tables are attribute tables (no geometry), written after it.
    """
    path.unlink(missing_ok=True)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_TIMESTAMP})
    try:
        for name, layer in layers_.items():
            # one geometry type per table, as GIS tools expect (GeoJSON keeps Polygon and MultiPolygon apart)
            pyogrio.write_dataframe(
                _typed_frame(layer),
                path,
                layer=name,
                driver="GPKG",
                promote_to_multi=True,
                append=path.exists(),
                layer_options={"FID": "fid"},
            )
            for table in layer.tables:
                # through Arrow: a million-row table is written in a second, not cell by cell
                pyogrio.write_dataframe(
                    _typed(table.frame, table.fields),
                    path,
                    layer=table.name,
                    driver="GPKG",
                    append=True,
                    layer_options={"FID": "fid"},
                    use_arrow=True,
                )
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_parquet(layer: ExportLayer, path: Path) -> None:
    """Write one layer as GeoParquet 1.0 (with pyarrow, a core dependency); tables: :func:`write_table`."""
    frame = _typed_frame(layer)
    frame.attrs[MARK] = layer.name  # c5map's mark (:func:`written_by_c5map`), in the file's pandas metadata
    frame.to_parquet(path, index=False, schema_version="1.0.0")


def geo_files(layers_: dict[str, ExportLayer]) -> dict[str, bytes]:
    """Return every file of a build's ``geo/`` (name -> bytes).

    GeoJSON per layer, CSV per table, the GeoPackage with all of them, and
    the data dictionary ``README.md``.
    """
    files = {f"{name}.geojson": geojson_text(layer).encode("utf-8") for name, layer in layers_.items()}
    files |= {f"{t.name}.csv": table_csv(t).encode("utf-8") for layer in layers_.values() for t in layer.tables}
    files["README.md"] = data_dictionary(layers_).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="c5map-gpkg-") as folder:
        write_gpkg(layers_, Path(folder) / "c5map.gpkg")
        files["c5map.gpkg"] = (Path(folder) / "c5map.gpkg").read_bytes()
    return files


def data_dictionary(layers_: dict[str, ExportLayer]) -> str:
    """Markdown describing every layer, table and field (written as ``geo/README.md``)."""
    out = [
        "# geo/ — GIS exports",
        "",
        "Generated by `c5map build` from the tables in `data/`; do not edit. Every layer is EPSG:4326 "
        "(WGS 84 longitude/latitude). GeoJSON follows RFC 7946 (no `crs` member, counter-clockwise exterior "
        f"rings, split at ±180°), coordinates rounded to {COORDINATE_DECIMALS} decimal places; boundaries are "
        f"Natural Earth 1:10m simplified as a coverage at {SIMPLIFY_TOLERANCE_DEG}°. `c5map.gpkg` holds every "
        "layer and table with the same fields. Each feature has a stable `id`.",
        "",
        "Tables have no geometry: each is an attribute table in `c5map.gpkg` and a CSV file here "
        "(`<table>.csv`: UTF-8, one header line, an empty cell is null). Each row names a feature of its layer "
        "by the field given; in QGIS, join the table to the layer on that field (Layer Properties → Joins for a "
        "one-to-one view, or a relation for one-to-many), in GDAL/SQL `JOIN ... USING (...)`. A big trade table "
        "keeps each line once: `flows` has one line per pair of countries, `flow_figures` one row per figure.",
        "",
        "Null in a figure column means *no reported figure*, never zero. Made with Natural Earth.",
        "",
    ]
    for layer in layers_.values():
        out += [
            f"## {layer.name}",
            "",
            layer.description,
            "",
            f"{len(layer.frame)} features.",
            "",
            "| field | type | meaning |",
            "|---|---|---|",
        ]
        out += [f"| `{f.name}` | {f.type} | {f.description} |" for f in layer.fields]
        out.append("")
        for table in layer.tables:
            out += [
                f"### {table.name} (table, no geometry)",
                "",
                f"{table.description} Each row names its feature of `{layer.name}` by `{table.key}`. "
                f"`c5map.gpkg` table `{table.name}`, and `{table.name}.csv`.",
                "",
                f"{len(table.frame)} rows.",
                "",
                "| field | type | meaning |",
                "|---|---|---|",
            ]
            out += [f"| `{f.name}` | {f.type} | {f.description} |" for f in table.fields]
            out.append("")
    return "\n".join(out)


# -- c5map export: what it writes, and what it never touches ----------------------------------------------------

#: Key of c5map's mark in the pandas metadata of every Parquet file it writes (the layer's or table's name).
MARK = "c5map"
SUFFIXES = {"geojson": ".geojson", "gpkg": ".gpkg", "parquet": ".parquet"}
#: Names that say "a file": several layers are never written into a folder named like this (issue #25).
FILE_SUFFIXES = (".geojson", ".json", ".gpkg", ".parquet", ".geoparquet", ".csv")
NOT_OURS = "exists and was not written by c5map; move it away or export to another --out"


def default_out(fmt: str, layer: str | None) -> Path:
    """Where ``c5map export`` writes without ``--out``: ``LAYER.EXT``, ``c5map.gpkg`` or the folder ``geo/``."""
    if fmt == "gpkg":
        return Path(f"{layer or 'c5map'}.gpkg")
    return Path(f"{layer}{SUFFIXES[fmt]}") if layer else Path("geo")


def export_out(fmt: str, layer: str | None, out: Path | None) -> Path:
    """Return the path ``c5map export`` writes, refused before any work if it cannot be written.

    A device, a FIFO or a folder named as a file (and a file named as the
    folder of several layers) is refused with :func:`c5map.publish.check_target`.

    Raises
    ------
    c5map.errors.UsageError
        Several layers to a path named like a file (``sahel.geojson``): say
        a folder, one ``--layer``, or ``--format gpkg`` (a ValueError too).
    OSError
        The path (or a part of it) is a device, a FIFO, or a file where a folder is needed.
    """
    target = Path(out) if out is not None else default_out(fmt, layer)
    one_file = fmt == "gpkg" or layer is not None
    if not one_file and target.suffix.lower() in FILE_SUFFIXES and not target.is_dir():
        raise UsageError(
            f"{display_path(target)} names a file, but {len(LAYER_NAMES)} layers go into a folder of one file "
            f"each: give a folder (--out {display_path(target.with_suffix(''))}/), one layer (--layer NAME), "
            "or every layer in one file (--format gpkg)"
        )
    check_target(target, "file" if one_file else "folder")
    return target


def beside(target: Path, table: ExportTable, fmt: str) -> Path:
    """Where a single-layer export writes one of its tables: named after ``target``.

    ``exp/myflows.geojson`` -> ``exp/myflows.flow_figures.csv`` (CSV beside
    GeoJSON, Parquet beside Parquet), so that no file of yours beside it that is
    called ``flow_figures.csv`` is ever in the way.
    """
    extension = ".csv" if fmt == "geojson" else SUFFIXES[fmt]
    return target.with_name(f"{target.stem}.{table.name}{extension}")


def written_by_c5map(path: Path, name: str, columns: list[str]) -> bool:
    """Whether the file at ``path`` is one c5map wrote for the layer or table ``name`` (whose fields are ``columns``).

    Recognised by what c5map writes at its start, so that no extra file (a
    manifest) is needed beside an export, and exports of earlier versions are
    recognised too: a CSV whose first line is the table's header; a GeoJSON
    that starts ``{"type":"FeatureCollection","name":"NAME"`` (c5map's compact
    form; GDAL and geopandas write spaces and new lines); a Parquet file with
    c5map's mark (:data:`MARK`) in its pandas metadata, or exactly the columns
    c5map writes. A file of yours that merely has the same name is none of these.
    """
    try:
        if path.suffix == ".parquet":
            import pyarrow.parquet

            schema = pyarrow.parquet.read_schema(path)
            attrs = json.loads((schema.metadata or {}).get(b"PANDAS_ATTRS", b"{}"))
            return (isinstance(attrs, dict) and attrs.get(MARK) == name) or schema.names == columns
        with open(path, "rb") as file:
            head = file.read(64 * 1024)
    except Exception:  # unreadable, or not a Parquet file: not recognisably c5map's
        return False
    if path.suffix == ".csv":
        return head.split(b"\n", 1)[0] == ",".join(columns).encode("utf-8")
    prefix = f'{{"type":"FeatureCollection","name":{json.dumps(name, ensure_ascii=False)}'.encode()
    return head.startswith(prefix) and head[len(prefix) : len(prefix) + 1] in (b",", b"}")


def _writes(layers_: dict[str, ExportLayer], fmt: str, out: Path) -> list[tuple[Path, Callable[[Path], None], tuple]]:
    """Every file an export writes: (path, writer of a draft, what it must be if it exists: None or (name, columns)).

    The file ``--out`` names is written as asked; every other one (a table
    beside it, each file in a folder) must be absent or c5map's.
    """
    if fmt == "gpkg":
        return [(out, lambda draft: _gpkg_draft(layers_, draft), None)]
    writer = write_geojson if fmt == "geojson" else write_parquet
    extension = ".csv" if fmt == "geojson" else SUFFIXES[fmt]
    writes = []
    for name, layer in layers_.items():
        columns = ["id", *[f.name for f in layer.fields], "geometry"]
        if len(layers_) == 1:
            path, expected = out, None  # named by the user
        else:
            path, expected = out / f"{name}{SUFFIXES[fmt]}", (name, columns)
        writes.append((path, lambda draft, layer=layer: writer(layer, draft), expected))
        for table in layer.tables:
            beside_it = beside(out, table, fmt) if len(layers_) == 1 else out / f"{table.name}{extension}"
            expected = (table.name, [f.name for f in table.fields])
            writes.append((beside_it, lambda draft, table=table: write_table(table, draft), expected))
    return writes


def write_export(layers_: dict[str, ExportLayer], fmt: str, out: Path) -> list[Path]:
    """Write layers in one format as ``c5map export`` does; return every file written, in order.

    One layer (or ``gpkg``): the file ``out``, with the layer's tables beside it
    named after it (:func:`beside`). Several layers: the folder ``out``, one file
    per layer and table. Each file is written aside and renamed over the
    previous one when complete (:func:`c5map.publish.replace_file`).

    Raises
    ------
    OSError
        A path is a device, a FIFO, a folder where a file goes (or a file where
        a folder goes); nothing was written. Or writing failed: the file
        named, and it is as it was.
    c5map.errors.DataError
        A file c5map did not write is where it would write one (a table beside
        ``out``, a file in the folder): every such file named, nothing written.
    """
    out = Path(out)
    folder = len(layers_) > 1 and fmt != "gpkg"
    check_target(out, "folder" if folder else "file")
    writes = _writes(layers_, fmt, out)
    for path, _, _ in writes:
        check_target(path, "file")
    problems = [
        Problem(display_path(path), 0, "", NOT_OURS)
        for path, _, expected in writes
        if expected is not None and path.exists() and not written_by_c5map(path, *expected)
    ]
    if problems:
        raise DataError(problems)
    if folder:
        out.mkdir(parents=True, exist_ok=True)
    for path, write, _ in writes:
        replace_file(path, write)
    return [path for path, _, _ in writes]


def _gpkg_draft(layers_: dict[str, ExportLayer], draft: Path) -> None:
    """Write the GeoPackage draft; GDAL's "Failed to commit transaction" (said of a full disk) names the folder."""
    import pyogrio.errors

    try:
        write_gpkg(layers_, draft)
    except pyogrio.errors.DataSourceError as exc:
        message = f"GDAL could not write a GeoPackage draft here ({exc}); if this disk is full, set TMPDIR elsewhere"
        raise OSError(None, message, str(draft.parent)) from exc


def export_command(args: argparse.Namespace) -> int:
    """Run ``c5map export`` (parsed by :func:`c5map.cli.build_parser`); return its exit status.

    The target is checked before the data is read; every file written is
    listed on stderr, escaped for the terminal (:func:`c5map.errors.printable`).
    A usage mistake (:class:`c5map.errors.UsageError`), a device or FIFO
    target (OSError), or a file c5map did not write in the way
    (:class:`c5map.errors.DataError`) raises: ``c5map.cli`` prints it in its
    words, exit status 2, and nothing was written.
    """
    from c5map.validate import load_inputs

    out = export_out(args.format, args.layer, args.out)
    tables, countries = load_inputs(args.data, args.boundaries)
    for warning in tables.warnings:  # a repaired boundary polygon: said, not fatal
        print(printable(f"warning: {warning}"), file=sys.stderr)
    exported = export_layers(tables, countries, region=args.region)
    names = [args.layer] if args.layer else list(LAYER_NAMES)
    for path in write_export({name: exported[name] for name in names}, args.format, out):
        print(printable(f"wrote {display_path(path)}"), file=sys.stderr)
    return 0
