"""Resources: deposits placed only as precisely as known, reserves on one scale, the deals in them.

Deposits are drawn as what they are (estimates), country reserves on the
same scale, with the deals and programmes of the resource sectors.
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd

from c5map import layers
from c5map.boundaries import CONTEXT_ZOOM, MAX_ZOOM, web_countries
from c5map.format import format_quantity, format_usd
from c5map.maps.arcs import add_arc
from c5map.maps.common import (
    date_words,
    display_names,
    page_view,
    partner_palette_of,
    source_label,
    source_line,
    text,
)
from c5map.maps.figures import add_data_table, page_figures
from c5map.maps.labels import add_labels
from c5map.maps.legend import LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, PageText, new_map
from c5map.maps.safety import layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import ShapeLayer, SharedShapes, wrap_lon
from c5map.maps.style import INK, RESOURCE_COLOUR, line_weight, size_key_values, symbol_radius
from c5map.story import BASIS_WORDS, Story, humanise, story_for, word_list
from c5map.tables import Tables

#: Deal sectors the resources page shows, besides any sector named like a commodity of ``resources.csv``.
RESOURCE_SECTORS = ("critical_minerals", "minerals", "mining", "energy_resources", "oil_and_gas")
#: Radius of the area drawn around a point known only to its admin region: a circle of about the area
#: of Kazakhstan's Karagandy region (~240,000 km²), a display choice, not a measured extent.
UNCERTAINTY_KM = {"region": 275.0, "approximate": 50.0, "exact": 0.0}
#: Radius (px) of a located resource whose quantity is not on the tonnage scale (other unit, or undisclosed).
OFF_SCALE_PX = 5.0
#: Tonnage rings stay smaller than a region's uncertainty area at the zooms the page opens on.
LARGEST_SYMBOL_PX = 30.0
#: Most located resources drawn one by one (the largest tonnages first); the rest are counted per country.
MAX_POINTS = 200


def points_to_draw(resources):
    """Split the located resources into those drawn one by one and the rest, which the page counts per country.

    At most :data:`MAX_POINTS` are drawn: the largest tonnages first, then by id.
    """
    located = resources[resources["lon"].notna() & resources["lat"].notna()]
    if len(located) <= MAX_POINTS:
        return located, located.iloc[:0]
    tonnes = located["quantity"].where((located["unit"] == "tonnes").fillna(False).to_numpy(bool))
    order = located.assign(_tonnes=tonnes.astype("float64")).sort_values(
        ["_tonnes", "resource_id"], ascending=[False, True], na_position="last"
    )
    shown = order.index[:MAX_POINTS]
    return located.loc[located.index.isin(shown)], located.loc[~located.index.isin(shown)]


def _positive(value: object) -> bool:
    try:
        return math.isfinite(float(value)) and float(value) > 0
    except (TypeError, ValueError):
        return False


def resource_deals(tables: Tables):
    """Deals in a resource sector: :data:`RESOURCE_SECTORS`, or a sector named like a commodity in the data."""
    sectors = set(RESOURCE_SECTORS) | {str(c) for c in tables.resources["commodity"].dropna()}
    return tables.deals[tables.deals["sector"].isin(sorted(sectors)).to_numpy(bool)]


def resources_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the resources map.

    * Deposits with a point are drawn as an uncertainty area sized by
      ``location_precision`` (a region-level estimate is a wide dashed circle
      around the regional centre, not a pin), with elements, tonnage, status.
    * Tonnages (deposits and country reserves) share one proportional-circle
      scale; country-level figures sit on their country and say so.
    * Deals in a resource sector (:func:`resource_deals`) are arcs between
      capitals (split at ±180°), or outline the country for domestic programmes.

    The page opens on the region and the countries with resources.

    Returns
    -------
    folium.Map
        An ordinary folium map.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    names = display_names(tables)
    palette = partner_palette_of(tables)
    resources = tables.resources
    minerals = resource_deals(tables)
    countries_needed = sorted(
        set(members) | set(resources["country"]) | set(minerals["country"]) - set(tables.region_members())
    )
    countries = web_countries(
        [c for c in countries_needed if c in set(members) | set(resources["country"])],
        max_zoom=CONTEXT_ZOOM,
        source=countries,
        detail=members,
        detail_zoom=MAX_ZOOM,
    )
    caps = layers.capitals(tables)
    tonnes = resources[resources["unit"] == "tonnes"]
    biggest = float(tonnes["quantity"].max()) if len(tonnes) else 0.0
    commodities = [humanise(c) for c in sorted(set(resources["commodity"].dropna()))]
    sentences = []
    if commodities:
        sentences.append(f"{word_list(commodities).capitalize()}: deposits and reserves, tonnages on one scale.")
    if len(minerals):
        sentences.append("With the deals and programmes in them.")
    title, subtitle = story.words(
        "resources",
        f"Resources in and around {story.region_name}",
        " ".join(sentences) or "No resource in the data.",
    )
    page = PageText(
        title=title,
        subtitle=subtitle,
        source=source_line(tables, list(resources["source_id"]) + list(minerals["source_id"])),
        byline=story.byline,
    )
    focus = [c for c in set(members) | set(resources["country"]) if c in set(countries["iso3"])]
    view, seam = page_view(countries, focus, pad=2.0)
    with stable_ids(f"resources:{region}"):
        m = new_map(page, view, tiles, max_zoom=MAX_ZOOM, seam=seam)
        shapes = SharedShapes(countries, seam=seam)
        m.add_child(shapes)
        context = {
            iso3: {"fill": False, "color": "#6b6b6b", "weight": 1, "interactive": False} for iso3 in countries["iso3"]
        }
        m.add_child(ShapeLayer(shapes, context, {}))
        sections = []

        # Minerals deals and programmes, first: the deposits are drawn (and hovered) above them.
        name = "Deals and programmes"
        group = folium.FeatureGroup(name=layer_key(name), show=True)
        entries = []
        largest = float(minerals["value_usd"].max()) if minerals["value_usd"].notna().any() else 0.0
        styles, tips = {}, {}
        pairs = set(zip(minerals["partner"], minerals["country"], strict=True))
        for (partner, country), deals in minerals.groupby(["partner", "country"], sort=True):
            rows = []
            for _, deal in deals.sort_values("deal_id").iterrows():
                rows.append(
                    (
                        f"{date_words(text(deal['date']))} · "
                        f"{BASIS_WORDS.get(deal['value_basis'], deal['value_basis'])}",
                        f"{format_usd(deal['value_usd'], deal['value_qualifier'])}: {text(deal['description'])}",
                    )
                )
            rows.append(
                (
                    "Source",
                    "; ".join(
                        sorted({source_label(tables, d["source_id"], d["attributed_to"]) for _, d in deals.iterrows()})
                    ),
                )
            )
            colour = palette.get(partner, INK)
            if partner == country:
                styles[country] = {
                    "fill": True,
                    "fillColor": colour,
                    "fillOpacity": 0.25,
                    "color": colour,
                    "weight": 3,
                }
                tips[country] = tooltip_html(f"{names.get(country, country)}: domestic programme", rows)
                entries.append(
                    LegendEntry(f"{names.get(country, country)}: domestic programme", fill=colour, edge=colour)
                )
                continue
            if partner not in caps or country not in caps:
                continue
            add_arc(
                group,
                m,
                layers.great_circle(*caps[partner], *caps[country]),
                seam,
                colour=colour,
                weight=line_weight(deals["value_usd"].max(), largest),
                dashed=not deals["value_usd"].notna().any(),
                both_ways=(country, partner) in pairs,
                tooltip=tooltip_html(f"{names.get(partner, partner)} → {names.get(country, country)}", rows),
            )
            entries.append(
                LegendEntry(
                    f"{names.get(partner, partner)} → {names.get(country, country)}"
                    + ("" if deals["value_usd"].notna().any() else " (value undisclosed)"),
                    edge=colour,
                    shape="line" if deals["value_usd"].notna().any() else "dashed-line",
                    size=4,
                )
            )
        if styles:
            group.add_child(ShapeLayer(shapes, styles, tips))
        if entries:  # a layer and a legend only for what is drawn
            group.add_to(m)
            sections.append(LegendSection(name, tuple(entries), layer=name))
        # Deposits and reserves, one scale of tonnes.
        name = "Deposits and reserves"
        group = folium.FeatureGroup(name=layer_key(name), show=True)
        entries = []
        uncertain_drawn = other_drawn = scaled_drawn = False
        shown, not_shown = points_to_draw(resources)
        for _, row in shown.iterrows():
            if not text(row["lon"]):
                continue
            on_scale = row["unit"] == "tonnes" and _positive(row["quantity"]) and biggest > 0
            precision = row["location_precision"]
            details = [
                ("Estimated quantity", format_quantity(row["quantity"], row["unit"], row["value_qualifier"])),
                ("Elements", text(row["elements"])),
                ("Status", text(row["status"])),
                ("Reported", date_words(text(row["date"]))),
                (
                    "Location",
                    f"known to the {precision} only" if precision in ("region", "country") else precision,
                ),
                ("Source", source_label(tables, row["source_id"], row["attributed_to"])),
            ]
            tip = tooltip_html(row["name"], [d for d in details if d[1]], note=text(row["note"]))
            radius_km = UNCERTAINTY_KM.get(precision, 0.0)
            if radius_km:
                uncertain_drawn = True
                folium.Circle(
                    location=(row["lat"], wrap_lon(row["lon"], seam)),
                    radius=radius_km * 1000,
                    color=RESOURCE_COLOUR,
                    weight=1,  # an area, not a symbol: a thin dotted edge, so it never reads as a tonnage circle
                    dash_array="2 4",
                    fill=True,
                    fill_color=RESOURCE_COLOUR,
                    fill_opacity=0.1,
                    tooltip=folium.Tooltip(tip),
                ).add_to(group)
            folium.CircleMarker(
                location=(row["lat"], wrap_lon(row["lon"], seam)),
                radius=symbol_radius(row["quantity"], biggest, LARGEST_SYMBOL_PX) if on_scale else OFF_SCALE_PX,
                color=RESOURCE_COLOUR,
                weight=3 if on_scale else 2,
                fill=True,
                fill_color=RESOURCE_COLOUR,
                fill_opacity=0.15 if on_scale else 0.6,
                tooltip=folium.Tooltip(tip),
            ).add_to(group)
            if on_scale:
                scaled_drawn = True
            else:
                other_drawn = True
        if scaled_drawn:
            entries.append(
                LegendEntry(
                    "deposit estimate: circle area by tonnes (hover for the figure)",
                    fill="#fbe8c2",
                    edge=RESOURCE_COLOUR,
                    shape="circle",
                    size=14,
                )  # fmt: skip
            )
        if other_drawn:
            entries.append(
                LegendEntry(
                    "site with a figure not in tonnes, or undisclosed (hover)",
                    fill=RESOURCE_COLOUR,
                    edge=RESOURCE_COLOUR,
                    shape="circle",
                    size=2 * OFF_SCALE_PX,
                )
            )
        if uncertain_drawn:
            entries.append(
                LegendEntry(
                    "area where a deposit known only by its region may lie (not a site)",
                    fill="#ffffff",
                    edge=RESOURCE_COLOUR,
                    shape="dashed-circle",
                    size=14,
                )
            )
        if len(not_shown):  # a page stays light whatever the row count: the rest are counted, and said so
            counts = not_shown.groupby("country").size().sort_values(ascending=False, kind="stable")
            where = word_list([f"{names.get(c, c)} {n:,}" for c, n in counts.items()])
            entries.append(LegendEntry(
                f"{len(not_shown):,} smaller deposits not drawn one by one ({where}); all are in geo/resources",
                fill="#ffffff", edge="#ffffff",
            ))  # fmt: skip
        country_level = resources[resources["lon"].isna()]
        country_drawn = False
        for iso3, group_rows in country_level.groupby("country"):
            if iso3 not in set(countries["iso3"]):
                continue
            anchor = countries.loc[countries["iso3"] == iso3].geometry.iloc[0].representative_point()
            rows = [
                (r["name"], format_quantity(r["quantity"], r["unit"], r["value_qualifier"]))
                for _, r in group_rows.iterrows()
            ]
            rows += [("Source", source_label(tables, sid)) for sid in sorted(set(group_rows["source_id"]))]
            tip = tooltip_html(
                f"{names.get(iso3, iso3)} (country-level figures)",
                rows,
                note="Country totals, placed on the country: no site is implied.",
            )
            reserve = group_rows[(group_rows["unit"] == "tonnes") & group_rows["quantity"].map(_positive)]
            value = float(reserve["quantity"].max()) if len(reserve) else 0.0
            folium.CircleMarker(
                location=(anchor.y, wrap_lon(anchor.x, seam)),
                radius=max(symbol_radius(value, biggest, LARGEST_SYMBOL_PX), 8),
                color=INK,
                weight=1,
                dash_array="3 3",
                fill=True,
                fill_color="#ffffff",
                fill_opacity=0.7,
                tooltip=folium.Tooltip(tip),
            ).add_to(group)
            country_drawn = True
            scaled_drawn = scaled_drawn or bool(len(reserve))
        if country_drawn:
            entries.append(
                LegendEntry(
                    "country total, no site implied (area by tonnes where given; hover)",
                    fill="#ffffff",
                    edge=INK,
                    shape="dashed-circle",
                    size=16,
                )  # fmt: skip
            )
        if scaled_drawn:  # a size key at the map's own scale: the circles are drawn as large as on the map
            entries += [
                LegendEntry(
                    format_quantity(value, "tonnes", "exact"),
                    fill="#fbe8c2",
                    edge=RESOURCE_COLOUR,
                    shape="circle",
                    size=2 * symbol_radius(value, biggest, LARGEST_SYMBOL_PX),
                )
                for value in size_key_values(biggest)
            ]
        if entries:
            group.add_to(m)
            sections.append(LegendSection(f"{name} (circle area = tonnes, one scale)", tuple(entries), layer=name))

        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections[::-1])  # deposits first, as on the map
        add_labels(m, tables, members, set(resources["country"]) | set(minerals["partner"]), seam=seam)
        add_data_table(
            m,
            page_figures(tables, deals=minerals, resources=resources),
            "Resources and the deals for them.",
            among=("resources", "deals"),
        )
    return m
