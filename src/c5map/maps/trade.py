"""Trade totals: export flows and a choropleth of destinations; partners' trade with a region on one scale."""

from __future__ import annotations

import math

import folium
import geopandas as gpd

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_usd
from c5map.maps.common import display_names, partner_palette_of, region_view, source_label, source_line
from c5map.maps.legend import LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, PageText, new_map
from c5map.maps.safety import layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import ShapeLayer, SharedShapes, latlon_parts
from c5map.maps.style import (
    INK,
    class_colours,
    class_labels,
    class_of,
    line_weight,
    nice_breaks,
    symbol_radius,
)
from c5map.story import Story, span_text, story_for, word_list, year_span
from c5map.tables import Tables

#: Most exporters drawn (one layer each) and most destinations per exporter: a page stays readable and light.
MAX_EXPORTERS = 8
MAX_DESTINATIONS = 25
#: Radius on the ground of the largest circle comparing partners' trade with a region.
LARGEST_SYMBOL_KM = 600.0
#: The trade page spans Turkey to China: zoom 4 shows it whole, and keeps China's coast light (page < 300 KB).
TRADE_MAX_ZOOM = 4


def exports_to_draw(exports):
    """Keep each exporter's latest year, the largest exporters and their largest destinations; count the rest."""
    if exports.empty:
        return exports, 0
    latest = exports.groupby("origin")["year"].transform("max")
    recent = exports[exports["year"] == latest]
    top = recent.groupby("origin")["value_usd"].sum().sort_values(ascending=False).index[:MAX_EXPORTERS]
    recent = recent[recent["origin"].isin(top)]
    kept = recent.sort_values(["origin", "value_usd"], ascending=[True, False]).groupby("origin").head(MAX_DESTINATIONS)
    return kept, len(exports) - len(kept)


def _region_measure(row, region: str, region_name: str, partner_name: str) -> str:
    """Say what a region-level trade figure measures, from the region's side."""
    if row["measure"] == "total_trade":
        return "total trade"
    if row["origin"] == region:
        return f"exports from {region_name} to {partner_name}"
    return f"exports from {partner_name} to {region_name}"


def trade_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the trade map.

    One layer per exporter, for its latest year: great-circle flows from the exporter's
    capital, width by value, and the destinations coloured by value. One
    layer compares the partners' total trade with ``region`` as
    proportional circles on a single scale (area by value), side by side
    over the region.

    A large bilateral table stays readable and light: at most
    :data:`MAX_EXPORTERS` exporters (the largest by total) and their
    :data:`MAX_DESTINATIONS` largest destinations are drawn; the legend says
    when rows were left out.

    The page opens on the region; ``region`` defaults to the only region of
    ``regions.csv``, ``story`` to :func:`c5map.story.story_for`.

    Returns
    -------
    folium.Map
        An ordinary folium map.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    palette = partner_palette_of(tables)
    trade = tables.trade
    regions = list(tables.region_members())
    between_countries = ~trade["origin"].isin(regions) & ~trade["destination"].isin(regions)
    exports, left_out = exports_to_draw(trade[(trade["measure"] == "exports") & between_countries])
    # every figure with the region at one end (total trade, or its exports and imports as a whole) is region-level
    totals = trade[(trade["destination"] == region) | (trade["origin"] == region)]
    destinations = sorted(set(exports["destination"]) | set(members))
    countries = web_countries(
        [c for c in destinations if c not in tables.region_members()], max_zoom=TRADE_MAX_ZOOM, source=countries
    )
    names = display_names(tables)
    caps = layers.capitals(tables)
    exporters = sorted({(str(o), int(y)) for o, y in zip(exports["origin"], exports["year"], strict=True)})
    largest = float(trade["value_usd"].max()) if len(trade) else 0.0
    breaks = nice_breaks(list(exports["value_usd"]), classes=4)
    exporter_names = word_list([names.get(o, o) for o in dict.fromkeys(o for o, _ in exporters)])
    partner_codes = [d if o == region else o for o, d in zip(totals["origin"], totals["destination"], strict=True)]
    sentences = []
    if exporters:
        sentences.append(f"Exports from {exporter_names} by destination ({span_text(year_span(exports['year']))}).")
    if len(totals):
        sentences.append(
            f"Trade of {word_list([names.get(p, p) for p in dict.fromkeys(partner_codes)])} with "
            f"{story.region_name} as a whole, on one scale ({span_text(year_span(totals['year']))})."
        )
    title, subtitle = story.words(
        "trade",
        f"Trade with and around {story.region_name}",
        " ".join(sentences) or "No trade figure in the data.",
    )
    page = PageText(title=title, subtitle=subtitle, source=source_line(tables, trade["source_id"]), byline=story.byline)
    with stable_ids(f"trade:{region}"):
        m = new_map(page, region_view(countries, members, pad=2.0), tiles, max_zoom=TRADE_MAX_ZOOM)
        shapes = SharedShapes(countries[countries["iso3"].isin(destinations)])
        m.add_child(shapes)
        sections, hidden = [], []
        for index, (origin, year) in enumerate(exporters):
            colour = palette.get(origin, INK)
            shades = class_colours(colour, len(breaks) + 1)
            name = f"Exports from {names.get(origin, origin)}, {year}"
            group = folium.FeatureGroup(name=layer_key(name), show=index == 0)
            if index:
                hidden.append(name)
            rows = exports[(exports["origin"] == origin) & (exports["year"] == year)]
            styles, tips = {}, {}
            for _, row in rows.iterrows():
                dest = row["destination"]
                value_text = format_usd(row["value_usd"], row["value_qualifier"])
                tip = tooltip_html(
                    names.get(dest, dest),
                    [
                        (f"Exports from {names.get(origin, origin)}, {year}", value_text),
                        ("Source", source_label(tables, row["source_id"], row["attributed_to"])),
                    ],
                )
                if dest in set(countries["iso3"]):
                    styles[dest] = {
                        "fillColor": shades[class_of(row["value_usd"], breaks)],
                        "fillOpacity": 0.85,
                        "color": INK,
                        "weight": 1,
                    }
                    tips[dest] = tip
                if origin in caps and dest in caps:
                    folium.PolyLine(
                        latlon_parts(layers.great_circle(*caps[origin], *caps[dest])),
                        color=colour,
                        opacity=0.8,
                        weight=line_weight(row["value_usd"], largest),
                        tooltip=folium.Tooltip(tip),
                    ).add_to(group)
            group.add_child(ShapeLayer(shapes, styles, tips))
            group.add_to(m)
            entries = [
                LegendEntry(label, fill=shade)
                for label, shade in zip(class_labels(breaks, format_usd), shades, strict=True)
            ]
            entries.append(LegendEntry("flow from the capital, width by value", edge=colour, shape="line", size=5))
            if index == len(exporters) - 1 and left_out:
                entries.append(
                    LegendEntry(
                        f"{left_out:,} smaller or older export figures not drawn (see geo/ for all)",
                        fill="#ffffff",
                        edge="#ffffff",
                    )
                )
            sections.append(LegendSection(name, tuple(entries), layer=name))
        if len(totals):
            outlines = layers.region_outlines(tables, countries)
            outline_shapes = SharedShapes(outlines[outlines["region"] == region], "region")
            m.add_child(outline_shapes)
            centre = outlines.set_index("region").loc[region].geometry.representative_point()
            name = f"Trade with {story.region_name} as a whole"
            group = folium.FeatureGroup(name=layer_key(name), show=True)
            group.add_child(
                ShapeLayer(
                    outline_shapes,
                    {region: {"fill": False, "color": INK, "weight": 2, "dashArray": "8 6"}},
                    {},
                )
            )
            ordered = totals.assign(
                partner=[d if o == region else o for o, d in zip(totals["origin"], totals["destination"], strict=True)]
            )
            ordered = ordered.sort_values(["value_usd", "partner"], ascending=[False, True]).reset_index(drop=True)
            biggest = float(ordered["value_usd"].max())
            # Circles on the ground (km), so their areas compare at every zoom; laid side by side.
            radii = [LARGEST_SYMBOL_KM * (v / biggest) ** 0.5 if biggest > 0 else 0.0 for v in ordered["value_usd"]]
            km_per_degree = 111.32 * math.cos(math.radians(centre.y))
            width = sum(2 * r for r in radii) + 80 * (len(radii) - 1)
            x = centre.x - width / 2 / km_per_degree
            entries = []
            for (_, row), radius in zip(ordered.iterrows(), radii, strict=True):
                partner = row["partner"]
                x += radius / km_per_degree
                value_text = format_usd(row["value_usd"], row["value_qualifier"])
                what = _region_measure(row, region, story.region_name, names.get(partner, partner))
                label = f"{names.get(partner, partner)}, {what}, {row['year']}: {value_text}"
                folium.Circle(
                    location=(centre.y, x),
                    radius=radius * 1000,
                    color="#ffffff",
                    weight=2,
                    fill=True,
                    fill_color=palette.get(partner, INK),
                    fill_opacity=0.7,
                    tooltip=folium.Tooltip(
                        tooltip_html(
                            f"{names.get(partner, partner)} – {story.region_name}: {what}, {row['year']}",
                            [
                                ("Value", value_text),
                                ("Source", source_label(tables, row["source_id"], row["attributed_to"])),
                            ],
                            note="Region-level figure: not split between the countries. "
                            "Circle area is proportional to value.",
                        )
                    ),
                ).add_to(group)
                x += (radius + 80) / km_per_degree
                entries.append(
                    LegendEntry(
                        label,
                        fill=palette.get(partner, INK),
                        edge="#ffffff",
                        shape="circle",
                        size=2 * symbol_radius(row["value_usd"], biggest, biggest_px=12),
                    )
                )
            group.add_to(m)
            sections.append(LegendSection(f"{name} (circle area = value, one scale)", tuple(entries), layer=name))
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections, hidden)
    return m
