"""GIS exports: RFC 7946 GeoJSON, GeoPackage and GeoParquet of every layer.

Layers (one file each in ``geo/``, all of them in ``geo/c5map.gpkg``):

``countries``
    The region's members and every country named in deals or trade, with the
    joined figures as flat columns (one column group per partner and value
    basis, per exporter and year).
``regions``
    The region dissolved into one outline, with its region-level figures.
``flows``
    Deals and trade between two countries as great-circle lines between capitals.
``resources``
    Deposits and reserves; country-level figures have no geometry.
``events``
    Summits, meetings, policy moves; those without a city have no geometry.

GeoJSON follows RFC 7946: WGS 84 longitude/latitude with no ``crs`` member,
exterior rings counter-clockwise and holes clockwise, nothing crossing ±180°
(lines and polygons are split there), coordinates rounded to
:data:`COORDINATE_DECIMALS` places, a ``bbox``, a stable ``id`` per feature,
and the same flat properties with the same types in every feature.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from c5map import layers
from c5map.boundaries import load_countries, quantise, simplified_coverage
from c5map.format import format_usd
from c5map.schema import table_schemas
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
class ExportLayer:
    """One exported layer: features with their id, the documented fields and what the layer is."""

    name: str
    description: str
    frame: gpd.GeoDataFrame  # an ``id`` column, then exactly ``fields``, then geometry
    fields: list[ExportField]


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
        codes |= set(tables.deals[column].dropna())
    for column in ("origin", "destination"):
        codes |= set(tables.trade[column].dropna())
    return sorted(str(c) for c in codes - set(regions))


def countries_layer(tables: Tables, boundaries: gpd.GeoDataFrame, region: str) -> ExportLayer:
    """Countries with deal and trade figures as flat columns; ``region`` is the one the build is about."""
    member_of = dict.fromkeys(tables.region_members()[region], region)
    deals = tables.deals
    groups = sorted({(str(p), str(b)) for p, b in zip(deals["partner"], deals["value_basis"], strict=True)})
    exports = tables.trade[(tables.trade["measure"] == "exports") & tables.trade["year"].notna()]
    # Each exporter's latest year only: one column group per (origin, year) of a bilateral table would make
    # thousands of columns (GeoPackage holds at most 2,000); every year stays in the flows layer, row by row.
    latest = exports.groupby("origin", sort=True)["year"].max()
    exports = exports[exports["year"].to_numpy() == exports["origin"].map(latest).to_numpy()]
    export_groups = [(str(origin), int(year)) for origin, year in latest.items()]
    # figures looked up by key, not by a boolean mask over the whole table per country and group
    deal_figures = layers.group_figures(deals, ["partner", "value_basis", "country"])
    export_figures = layers.group_figures(exports, ["origin", "destination"])
    fields = [
        ExportField("iso3", "string", "Natural Earth ADM0_A3 (ISO 3166-1 alpha-3 where one exists)"),
        ExportField("name", "string", "Natural Earth NAME"),
        ExportField("region", "string", "the build's region code (regions.csv) for its members, else null"),
        ExportField("role", "string", "member (of a region), partner (courts others), counterpart (only receives)"),
    ]
    for partner, basis in groups:
        fields += _figure_group(
            f"deals_{_slug(partner)}_{basis}", f"deals announced by {partner} with this country, value basis '{basis}'"
        )
    for origin, year in export_groups:
        fields += _figure_group(
            f"exports_{_slug(origin)}_{year}",
            f"exports from {origin} to this country in {year}, {origin}'s latest year in trade.csv",
        )
    partners = set(deals["partner"])
    rows = []
    for _, country in boundaries.sort_values("iso3").iterrows():
        iso3 = country["iso3"]
        role = "member" if iso3 in member_of else ("partner" if iso3 in partners else "counterpart")
        row = {"id": iso3, "iso3": iso3, "name": country["name"], "region": member_of.get(iso3), "role": role}
        for partner, basis in groups:
            _fill_group(row, f"deals_{_slug(partner)}_{basis}", deal_figures.get((partner, basis, iso3)))
        for origin, year in export_groups:
            _fill_group(row, f"exports_{_slug(origin)}_{year}", export_figures.get((origin, iso3)))
        row["geometry"] = country.geometry
        rows.append(row)
    frame = gpd.GeoDataFrame(rows, columns=["id", *[f.name for f in fields], "geometry"], crs="EPSG:4326")
    return ExportLayer(
        "countries",
        "Countries of the region and every country named in deals or trade, with their figures as flat columns.",
        frame,
        fields,
    )


def regions_layer(tables: Tables, boundaries: gpd.GeoDataFrame, region: str) -> ExportLayer:
    """Return the build's region dissolved into one outline, with its region-level figures as flat columns."""
    outlines = layers.region_outlines(tables, boundaries)
    outlines = outlines[outlines["region"] == region]
    deals, trade = tables.deals, tables.trade
    regions = set(outlines["region"])
    region_deals = deals[deals["country"].isin(regions)]
    region_trade = trade[
        (trade["measure"] == "total_trade") & (trade["destination"].isin(regions) | trade["origin"].isin(regions))
    ]
    deal_groups = sorted(
        {(str(p), str(b)) for p, b in zip(region_deals["partner"], region_deals["value_basis"], strict=True)}
    )
    trade_groups = sorted(
        {
            (str(d if o in regions else o), int(y))
            for o, d, y in zip(region_trade["origin"], region_trade["destination"], region_trade["year"], strict=True)
        }
    )
    fields = [
        ExportField("region", "string", "region code (regions.csv)"),
        ExportField("region_name", "string", "name of the region"),
        ExportField("members", "string", "ISO3 codes of the members, '; '-separated"),
        ExportField("notes", "string", "caveats of its region-level figures ('figure_id: note', '; '-separated)"),
    ]
    for partner, basis in deal_groups:
        fields += _figure_group(
            f"deals_{_slug(partner)}_{basis}",
            f"deals {partner} announced with the region as a whole (never split between members)",
        )
    for partner, year in trade_groups:
        fields += _figure_group(
            f"total_trade_{_slug(partner)}_{year}", f"total trade between {partner} and the region as a whole in {year}"
        )
    deal_figures = layers.group_figures(region_deals, ["partner", "value_basis", "country"])
    # each figure keyed by (partner, year, region): the region is whichever end is one
    origin_is_region = region_trade["origin"].isin(regions).to_numpy(bool)
    trade_figures = layers.group_figures(
        region_trade.assign(
            partner=np.where(origin_is_region, region_trade["destination"], region_trade["origin"]),
            region=np.where(origin_is_region, region_trade["origin"], region_trade["destination"]),
        ),
        ["partner", "year", "region"],
    )
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
        for partner, basis in deal_groups:
            _fill_group(row, f"deals_{_slug(partner)}_{basis}", deal_figures.get((partner, basis, region)))
        for partner, year in trade_groups:
            _fill_group(row, f"total_trade_{_slug(partner)}_{year}", trade_figures.get((partner, year, region)))
        row["geometry"] = shapely.make_valid(outline.geometry, method="structure")
        rows.append(row)
    frame = gpd.GeoDataFrame(rows, columns=["id", *[f.name for f in fields], "geometry"], crs="EPSG:4326")
    description = "The region dissolved into one outline, with its region-level figures."
    return ExportLayer("regions", description, frame, fields)


def _described(table: str, names: list[str]) -> list[ExportField]:
    schema = table_schemas()[table]
    kinds = {"number": "number", "integer": "integer"}
    return [ExportField(n, kinds.get(schema.field(n).type, "string"), schema.field(n).description) for n in names]


def flows_layer(tables: Tables) -> ExportLayer:
    """Great-circle flows between capitals (see :func:`c5map.layers.flows`)."""
    flows = layers.flows(tables)
    fields = [
        ExportField("flow_id", "string", "deal_id (deals.csv) or flow_id (trade.csv)"),
        ExportField("kind", "string", "deal or trade"),
        ExportField(
            "origin", "string", "ISO3 of the partner (deals) or exporter (trade); the line starts at its capital"
        ),
        ExportField("destination", "string", "ISO3 of the counterpart; the line ends at its capital"),
        ExportField("measure", "string", "value_basis of a deal, or measure of a trade figure"),
        ExportField("date", "string", "YYYY, YYYY-MM or YYYY-MM-DD (deals) or YYYY (trade)"),
        ExportField("value_usd", "number", "US dollars; null when undisclosed"),
        ExportField("value_qualifier", "string", "exact, about, nearly, over, under or undisclosed"),
        ExportField("value_text", "string", "the figure as a reader sees it, qualifier kept"),
        ExportField("attributed_to", "string", "who the source attributes the figure to, or empty"),
        ExportField("note", "string", "a caveat to read with the figure (deals.csv / trade.csv note), or empty"),
        ExportField("source_id", "string", "sources.csv id"),
    ]
    frame = flows.assign(id=flows["flow_id"])
    frame["geometry"] = quantise(frame.geometry.values, COORDINATE_DECIMALS)
    return ExportLayer(
        "flows",
        "Deals and trade between two countries as great-circle lines between their capitals, split at ±180°.",
        frame[["id", *[f.name for f in fields], "geometry"]],
        fields,
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
    columns = {f.name: [_none(v) for v in layer.frame[f.name]] for f in layer.fields}
    lines = []
    for i, (feature_id, geometry) in enumerate(zip(layer.frame["id"], geometries, strict=True)):
        mapped = None if geometry is None or geometry.is_empty else shapely.geometry.mapping(geometry)
        properties = {name: values[i] for name, values in columns.items()}
        feature = {"type": "Feature", "id": str(feature_id), "geometry": mapped, "properties": properties}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    header = {"type": "FeatureCollection", "name": layer.name}
    located = [g for g in geometries if g is not None and not g.is_empty]
    if located:
        west, south, east, north = shapely.total_bounds(np.array(located, dtype=object))
        header["bbox"] = [round(float(v), COORDINATE_DECIMALS) for v in (west, south, east, north)]
    head = json.dumps(header, ensure_ascii=False, separators=(",", ":"))[:-1]
    return head + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def _typed_frame(layer: ExportLayer) -> gpd.GeoDataFrame:
    """Return the layer with column types fixed from its fields (GDAL infers nothing from an all-null column)."""
    frame = layer.frame.copy()
    dtypes = {"number": "float64", "integer": "Int64", "boolean": "boolean", "string": "string"}
    for f in layer.fields:
        frame[f.name] = (
            frame[f.name].astype(dtypes[f.type])
            if f.type != "string"
            else pd.array([_none(v) for v in frame[f.name]], dtype="string")
        )
    frame["id"] = frame["id"].astype("string")
    return frame


def write_geojson(layer: ExportLayer, path: Path) -> None:
    """Write one layer as RFC 7946 GeoJSON."""
    path.write_text(geojson_text(layer), encoding="utf-8")


def write_gpkg(layers_: dict[str, ExportLayer], path: Path) -> None:
    """Write layers into one GeoPackage (one table each), byte-identical for identical input."""
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
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})


def write_parquet(layer: ExportLayer, path: Path) -> None:
    """Write one layer as GeoParquet 1.0 (with pyarrow, a core dependency)."""
    _typed_frame(layer).to_parquet(path, index=False, schema_version="1.0.0")


def data_dictionary(layers_: dict[str, ExportLayer]) -> str:
    """Markdown describing every layer and field (written as ``geo/README.md``)."""
    out = [
        "# geo/ — GIS exports",
        "",
        "Generated by `c5map build` from the tables in `data/`; do not edit. Every layer is EPSG:4326 "
        "(WGS 84 longitude/latitude). GeoJSON follows RFC 7946 (no `crs` member, counter-clockwise exterior "
        f"rings, split at ±180°), coordinates rounded to {COORDINATE_DECIMALS} decimal places; boundaries are "
        f"Natural Earth 1:10m simplified as a coverage at {SIMPLIFY_TOLERANCE_DEG}°. `c5map.gpkg` holds every "
        "layer with the same fields. Each feature has a stable `id`.",
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
    return "\n".join(out)
