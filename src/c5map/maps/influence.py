"""Who is courting Central Asia: deals per partner, arcs from its capital, region-level figures, events."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_usd
from c5map.maps.common import display_names, members_bounds, source_label, source_line, text
from c5map.maps.frame import (
    DEFAULT_TILES,
    INK,
    NO_FIGURE_EDGE,
    NO_FIGURE_FILL,
    LegendEntry,
    LegendSection,
    PageText,
    ShapeLayer,
    SharedShapes,
    add_legend,
    class_colours,
    class_labels,
    class_of,
    latlon_parts,
    layer_key,
    line_weight,
    new_map,
    nice_breaks,
    partner_colour,
    stable_ids,
    tooltip_html,
)
from c5map.tables import Tables

EVENTS_LAYER = "Summits and forum meetings"


def influence_partners(tables: Tables, region: str = "C5") -> list[str]:
    """Partners with a deal in the region or a member, or a region-level figure.

    Most deals first (the layer shown when the page opens), then by code.
    """
    members = set(tables.region_members().get(region, []))
    found = set(layers.partners(tables, region))
    trade = tables.trade
    found |= {str(o) for o in trade.loc[trade["destination"] == region, "origin"] if o not in members}
    found |= {str(d) for d in trade.loc[trade["origin"] == region, "destination"] if d not in members}
    in_region = tables.deals[tables.deals["country"].isin(members | {region})]
    counts = in_region["partner"].value_counts()
    return sorted(found, key=lambda p: (-int(counts.get(p, 0)), p))


def _deal_lines(tables: Tables, ids: str) -> list[tuple[str, str]]:
    deals = tables.deals.set_index("deal_id")
    rows = []
    for deal_id in filter(None, ids.split("; ")):
        deal = deals.loc[deal_id]
        what = text(deal["description"]) or text(deal["sector"])
        parties = text(deal["parties"])
        rows.append(
            (
                text(deal["date"]),
                f"{format_usd(deal['value_usd'], deal['value_qualifier'])}, {what}"
                + (f" (parties: {parties})" if parties else ""),
            )
        )
        rows.append(("Source", source_label(tables, deal["source_id"], deal["attributed_to"])))
    return rows


def influence_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str = "C5",
    countries: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Build the influence map: one toggled layer per partner courting ``region``.

    Each partner layer colours the region's members by the value of
    agreements announced with that partner (members without a deal are drawn
    as "no reported figure", not as zero), draws great-circle arcs from the
    partner's capital (width by value, one scale for the page) and outlines
    the region with its region-level figures, which are never spread over
    members. Located events are markers in their own layer.

    Parameters
    ----------
    tables : Tables
        Valid tables (see :func:`c5map.validate.load_valid_tables`).
    tiles : str or None
        xyzservices provider name, or ``"none"`` for Natural Earth land only.
    region : str
        The region code courted.
    countries : geopandas.GeoDataFrame, optional
        Boundaries of your own (:func:`c5map.boundaries.read_boundaries`);
        default Natural Earth 1:10m. Simplified here for the web.

    Returns
    -------
    folium.Map
    """
    members = tables.region_members()[region]
    countries = web_countries(members, source=countries)
    names = display_names(tables)
    partners = influence_partners(tables, region)
    caps = layers.capitals(tables)
    capitals_frame = tables.places[tables.places["role"] == "capital"]
    capital_names = dict(zip(capitals_frame["country"], capitals_frame["name"], strict=True))
    regional = layers.region_figures(tables, countries)
    regional = regional[regional["region"] == region]
    per_partner = {p: layers.partner_country_figures(tables, countries, p, region=region) for p in partners}
    values = pd.concat([f["value_usd"] for f in per_partner.values()] + [pd.Series(dtype=float)]).dropna()
    breaks = nice_breaks(list(values))
    largest = float(values.max()) if len(values) else 0.0
    used_sources = set(tables.deals["source_id"]) | set(regional["source_id"]) | set(tables.events["source_id"])
    page = PageText(
        title=f"Who is courting {names[region]}",
        subtitle="Announced deals by partner, with region-level figures on the regional outline. "
        "Switch partners in the layer control.",
        source=source_line(tables, used_sources),
    )
    with stable_ids(f"influence:{region}"):
        m = new_map(page, members_bounds(countries, members, pad=3.0), tiles)
        shapes = SharedShapes(countries[countries["iso3"].isin(members)])
        m.add_child(shapes)
        outline_shapes = SharedShapes(layers.region_outlines(tables, countries).query("region == @region"), "region")
        m.add_child(outline_shapes)
        sections, hidden = [], []
        for index, partner in enumerate(partners):
            colour = partner_colour(partner, partners)
            shades = class_colours(colour, len(breaks) + 1)
            partner_name = names.get(partner, partner)
            name = f"{partner_name}: deals"
            group = folium.FeatureGroup(name=layer_key(name), show=index == 0)
            if index:
                hidden.append(name)
            styles, tips = {}, {}
            for _, row in per_partner[partner].iterrows():
                has = bool(row["has_figure"])
                styles[row["iso3"]] = {
                    "fillColor": shades[class_of(row["value_usd"], breaks)] if has else NO_FIGURE_FILL,
                    "fillOpacity": 0.85 if has else 0.55, "color": INK if has else NO_FIGURE_EDGE, "weight": 1,
                    "dashArray": "" if has else "4 3",
                }  # fmt: skip
                tips[row["iso3"]] = tooltip_html(
                    names.get(row["iso3"], row["iso3"]),
                    [(f"Deals with {partner_name}", row["value_text"])] + _deal_lines(tables, row["deal_ids"]),
                    note="" if has else "The source reports no deal here; that is not zero.",
                )
            group.add_child(ShapeLayer(shapes, styles, tips))
            if partner in caps:
                for _, row in per_partner[partner].query("has_figure").iterrows():
                    if row["iso3"] not in caps:
                        continue
                    arc = layers.great_circle(*caps[partner], *caps[row["iso3"]])
                    folium.PolyLine(
                        latlon_parts(arc),
                        color=colour,
                        weight=line_weight(row["value_usd"], largest),
                        opacity=0.8,
                        tooltip=folium.Tooltip(
                            tooltip_html(
                                f"{partner_name} → {names.get(row['iso3'], row['iso3'])}",
                                [("Announced deals", row["value_text"])],
                            )
                        ),
                    ).add_to(group)
            group.add_to(m)
            entries = [
                LegendEntry(label, fill=shade)
                for label, shade in zip(class_labels(breaks, format_usd), shades, strict=True)
            ]
            entries.append(
                LegendEntry(
                    "no reported figure (not zero)",
                    fill=NO_FIGURE_FILL,
                    edge=NO_FIGURE_EDGE,
                    shape="dashed-box",
                )
            )
            if partner in caps:
                entries.append(
                    LegendEntry(
                        f"arc from {capital_names[partner]}, width by value",
                        edge=colour,
                        shape="line",
                        size=4,
                    )
                )
            sections.append(LegendSection(f"Deals with {partner_name}", tuple(entries), layer=name))
        if len(regional):
            region_layer = f"{names[region]} as a whole"
            group = folium.FeatureGroup(name=layer_key(region_layer), show=True)
            rows = []
            for _, r in regional.sort_values(["partner", "date"]).iterrows():
                rows.append(
                    (
                        f"{names.get(r['partner'], r['partner'])}, {r['measure'].replace('_', ' ')} ({r['date']})",
                        r["value_text"],
                    )
                )
                rows.append(("Source", source_label(tables, r["source_id"], r["attributed_to"])))
            tip = tooltip_html(
                f"{names[region]} as a whole",
                rows,
                note="Region-level figures: never split between the countries.",
            )
            group.add_child(
                ShapeLayer(
                    outline_shapes,
                    {region: {"fill": False, "color": INK, "weight": 3, "dashArray": "8 6"}},
                    {region: tip},
                )
            )
            group.add_to(m)
            entries = tuple(
                LegendEntry(
                    f"{names.get(r['partner'], r['partner'])}: {r['value_text']} "
                    f"({r['measure'].replace('_', ' ')}, {r['date']})",
                    fill=partner_colour(r["partner"], partners),
                    edge=INK,
                    shape="circle",
                    size=10,
                )
                for _, r in regional.sort_values(["partner", "date"]).iterrows()
            )
            sections.append(LegendSection(f"{names[region]} as a whole (dashed outline)", entries, layer=region_layer))
        events = layers.event_points(tables)
        if len(events):
            group = folium.FeatureGroup(name=layer_key(EVENTS_LAYER), show=True)
            for _, event in events.iterrows():
                folium.CircleMarker(
                    location=(event.geometry.y, event.geometry.x),
                    radius=7,
                    color="#ffffff",
                    weight=2,
                    fill=True,
                    fill_color=INK,
                    fill_opacity=0.9,
                    tooltip=folium.Tooltip(
                        tooltip_html(
                            event["name"],
                            [
                                ("Date", text(event["date"])),
                                ("Place", text(event["place"])),
                                ("Participants", text(event["participants"])),
                                ("Source", source_label(tables, event["source_id"])),
                            ],
                        )
                    ),
                ).add_to(group)
            group.add_to(m)
            sections.append(
                LegendSection(
                    "Events",
                    (LegendEntry(f"{EVENTS_LAYER} (city known)", fill=INK, edge="#ffffff", shape="circle"),),
                    layer=EVENTS_LAYER,
                )
            )
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections, hidden)
    return m
