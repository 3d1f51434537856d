"""Critical minerals: deposits placed only as precisely as known, reserves on one scale, minerals deals.

Deposits are drawn as what they are (estimates), country reserves on the
same scale, with the minerals deals and programmes.
"""

from __future__ import annotations

import folium
import geopandas as gpd

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_quantity, format_usd
from c5map.maps.common import display_names, members_bounds, source_label, source_line, text
from c5map.maps.frame import (
    DEFAULT_TILES,
    INK,
    LegendEntry,
    LegendSection,
    PageText,
    ShapeLayer,
    SharedShapes,
    add_legend,
    latlon_parts,
    layer_key,
    line_weight,
    new_map,
    partner_colour,
    stable_ids,
    symbol_radius,
    tooltip_html,
)
from c5map.tables import Tables

MINERALS_SECTOR = "critical_minerals"
RESOURCE_COLOUR = "#E69F00"
#: Radius of the area drawn around a point known only to its admin region: a circle of about the area
#: of Kazakhstan's Karagandy region (~240,000 km²), a display choice, not a measured extent.
UNCERTAINTY_KM = {"region": 275.0, "approximate": 50.0, "exact": 0.0}
#: Tonnage rings stay smaller than a region's uncertainty area at the zooms the page opens on.
LARGEST_SYMBOL_PX = 30.0


def resources_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str = "C5",
    countries: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Build the critical-minerals map.

    * Deposits with a point are drawn as an uncertainty area sized by
      ``location_precision`` (a region-level estimate is a wide dashed circle
      around the regional centre, not a pin), with elements, tonnage, status.
    * Tonnages (deposits and country reserves) share one proportional-circle
      scale; country-level figures sit on their country and say so.
    * Deals in the critical-minerals sector are arcs between capitals (split
      at ±180°), or outline the country for domestic programmes.

    Returns
    -------
    folium.Map
    """
    members = tables.region_members().get(region, [])
    names = display_names(tables)
    resources = tables.resources
    minerals = tables.deals[tables.deals["sector"] == MINERALS_SECTOR]
    countries_needed = sorted(
        set(members) | set(resources["country"]) | set(minerals["country"]) - set(tables.region_members())
    )
    countries = web_countries(
        [c for c in countries_needed if c in set(members) | set(resources["country"])], max_zoom=5, source=countries
    )
    caps = layers.capitals(tables)
    tonnes = resources[resources["unit"] == "tonnes"]
    biggest = float(tonnes["quantity"].max()) if len(tonnes) else 0.0
    page = PageText(
        title=f"Critical minerals in and around {names.get(region, region)}",
        subtitle="Rare-earth deposits and reserves on one scale, with the minerals deals and programmes.",
        source=source_line(tables, list(resources["source_id"]) + list(minerals["source_id"])),
    )
    focus = [c for c in set(members) | set(resources["country"]) if c in set(countries["iso3"])]
    with stable_ids(f"resources:{region}"):
        m = new_map(page, members_bounds(countries, focus, pad=2.0), tiles, max_zoom=5)
        shapes = SharedShapes(countries)
        m.add_child(shapes)
        context = {
            iso3: {"fill": False, "color": "#6b6b6b", "weight": 1, "interactive": False} for iso3 in countries["iso3"]
        }
        m.add_child(ShapeLayer(shapes, context, {}))
        sections = []

        # Minerals deals and programmes, first: the deposits are drawn (and hovered) above them.
        name = "Critical-minerals deals and programmes"
        group = folium.FeatureGroup(name=layer_key(name), show=True)
        entries = []
        largest = float(minerals["value_usd"].max()) if minerals["value_usd"].notna().any() else 0.0
        styles, tips = {}, {}
        for (partner, country), deals in minerals.groupby(["partner", "country"], sort=True):
            rows = []
            for _, deal in deals.sort_values("deal_id").iterrows():
                rows.append(
                    (
                        f"{deal['date']} · {deal['value_basis']}",
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
            colour = partner_colour(partner)
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
            arc = layers.great_circle(*caps[partner], *caps[country])
            total = deals["value_usd"].max()
            folium.PolyLine(
                latlon_parts(arc),
                color=colour,
                opacity=0.85,
                weight=line_weight(total, largest),
                dash_array=None if deals["value_usd"].notna().any() else "2 6",
                tooltip=folium.Tooltip(
                    tooltip_html(f"{names.get(partner, partner)} → {names.get(country, country)}", rows)
                ),
            ).add_to(group)
            entries.append(
                LegendEntry(
                    f"{names.get(partner, partner)} → {names.get(country, country)}",
                    edge=colour,
                    shape="line",
                    size=4,
                )
            )
        if styles:
            group.add_child(ShapeLayer(shapes, styles, tips))
        group.add_to(m)
        sections.append(LegendSection(name, tuple(entries), layer=name))
        # Deposits and reserves, one scale of tonnes.
        name = "Rare-earth deposits and reserves"
        group = folium.FeatureGroup(name=layer_key(name), show=True)
        entries = []
        for _, row in resources.iterrows():
            if not (row["unit"] == "tonnes" and text(row["lon"])):
                continue
            precision = row["location_precision"]
            details = [
                ("Estimated quantity", format_quantity(row["quantity"], row["unit"], row["value_qualifier"])),
                ("Elements", text(row["elements"])),
                ("Status", text(row["status"])),
                ("Reported", text(row["date"])),
                (
                    "Location",
                    f"known to the {precision} only" if precision in ("region", "country") else precision,
                ),
                ("Source", source_label(tables, row["source_id"], row["attributed_to"])),
            ]
            tip = tooltip_html(row["name"], [d for d in details if d[1]], note=text(row["note"]))
            radius_km = UNCERTAINTY_KM.get(precision, 0.0)
            if radius_km:
                folium.Circle(
                    location=(row["lat"], row["lon"]),
                    radius=radius_km * 1000,
                    color=RESOURCE_COLOUR,
                    weight=2,
                    dash_array="6 5",
                    fill=True,
                    fill_color=RESOURCE_COLOUR,
                    fill_opacity=0.12,
                    tooltip=folium.Tooltip(tip),
                ).add_to(group)
            folium.CircleMarker(
                location=(row["lat"], row["lon"]),
                radius=symbol_radius(row["quantity"], biggest, LARGEST_SYMBOL_PX),
                color=RESOURCE_COLOUR,
                weight=3,
                fill=True,
                fill_color=RESOURCE_COLOUR,
                fill_opacity=0.15,
                tooltip=folium.Tooltip(tip),
            ).add_to(group)
            entries.append(
                LegendEntry(
                    f"{row['name']}: {details[0][1]}",
                    fill="#fbe8c2",
                    edge=RESOURCE_COLOUR,
                    shape="circle",
                    size=2 * symbol_radius(row["quantity"], biggest, LARGEST_SYMBOL_PX / 2),
                )
            )
        if any(resources["location_precision"] == "region"):
            entries.append(
                LegendEntry(
                    "area where a deposit known only by its region may lie (not a site)",
                    fill="#ffffff",
                    edge=RESOURCE_COLOUR,
                    shape="dashed-circle",
                    size=14,
                )
            )
        country_level = resources[resources["lon"].isna()]
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
            reserve = group_rows[group_rows["unit"] == "tonnes"]
            value = float(reserve["quantity"].max()) if len(reserve) else 0.0
            folium.CircleMarker(
                location=(anchor.y, anchor.x),
                radius=max(symbol_radius(value, biggest, LARGEST_SYMBOL_PX), 8),
                color=INK,
                weight=1,
                dash_array="3 3",
                fill=True,
                fill_color="#ffffff",
                fill_opacity=0.7,
                tooltip=folium.Tooltip(tip),
            ).add_to(group)
            if len(reserve):
                entries.append(
                    LegendEntry(
                        f"{names.get(iso3, iso3)}, whole country: "
                        f"{format_quantity(value, 'tonnes', reserve['value_qualifier'].iloc[0])}",
                        fill="#ffffff",
                        edge=INK,
                        shape="dashed-circle",
                        size=2 * symbol_radius(value, biggest, LARGEST_SYMBOL_PX / 2),
                    )
                )
        group.add_to(m)
        sections.append(LegendSection(f"{name} (circle area = tonnes, one scale)", tuple(entries), layer=name))

        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections[::-1])  # deposits first, as on the map
    return m
