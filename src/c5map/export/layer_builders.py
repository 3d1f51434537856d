"""The export layers made from the tables: countries, regions, flows, resources and events.

The countries and regions layers carry per-partner figures as flat column
groups (at most :data:`~c5map.export.model.MAX_COLUMN_GROUPS`), and every
figure, long, in their tables ``country_figures`` and ``region_figures``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from c5map import layers
from c5map.boundaries import load_countries, simplified_coverage
from c5map.export.model import (
    COORDINATE_DECIMALS,
    LAYER_NAMES,
    MAX_COLUMN_GROUPS,
    SIMPLIFY_TOLERANCE_DEG,
    TABLE_SUMMARIES,
    ExportField,
    ExportLayer,
    ExportTable,
)
from c5map.format import format_usd, format_usd_many
from c5map.schema import table_schemas
from c5map.tables import Tables


def _slug(code: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")


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
                "year": group.year, "value_usd": total, "value_qualifier": qualifier, "count": count,
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
    if len(frame):  # (an empty table keeps its column of text, with no rows)
        frame["value_text"] = format_usd_many(frame["value_usd"], frame["value_qualifier"])  # every row at once
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
    trade = tables.trade[["origin", "destination", "year", "value_usd", "value_qualifier"]]  # what the sums need
    exports = trade[((tables.trade["measure"] == "exports") & tables.trade["year"].notna()).to_numpy(bool)]
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
    known = set(codes)  # once, not once per figure (tens of thousands in a bilateral table)
    figures = {k: v for k, v in figures.items() if k[1] in known}
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
