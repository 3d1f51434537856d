"""Who is courting a region: deals per partner, arcs from its capital, region-level figures, events."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_usd
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
from c5map.maps.legend import NO_FIGURE_ENTRY, LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, NO_FIGURE_STYLE, PageText, new_map
from c5map.maps.safety import layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import ShapeLayer, SharedShapes, wrap_lon
from c5map.maps.style import (
    FILL_OPACITY,
    INK,
    class_colours,
    class_labels,
    class_of,
    line_weight,
    nice_breaks,
    tint,
)
from c5map.story import BASIS_WORDS, Story, story_for, word_list
from c5map.tables import Tables

EVENTS_LAYER = "Events"
#: A page stays light whatever the tables hold: at most this many partner layers (most deals first), deals or
#: region-level figures listed in one tooltip or legend section, and event markers (the most recent). What is
#: left out is counted on the page; every figure stays in the data table's CSV and in geo/.
MAX_PARTNER_LAYERS = 12
MAX_LISTED = 12
MAX_EVENTS = 200


def influence_partners(tables: Tables, story: Story) -> list[str]:
    """Partners with a deal in one of the story's members: one layer each, most deals first, then by code."""
    deals = tables.deals
    with_deals = set(deals.loc[deals["country"].isin(story.members), "partner"])
    return [p for p in story.partners if p in with_deals]


def deal_lines(tables: Tables, ids: str) -> list[tuple[str, str]]:
    """Tooltip rows for deals by id: date and basis, value and what, its note if any, then its source."""
    deals = tables.deals.set_index("deal_id")
    rows = []
    listed = [deal_id for deal_id in ids.split("; ") if deal_id]
    for deal_id in listed[:MAX_LISTED]:
        deal = deals.loc[deal_id]
        what = text(deal["description"]) or text(deal["sector"])
        parties = text(deal["parties"])
        basis = BASIS_WORDS.get(deal["value_basis"], deal["value_basis"])
        rows.append(
            (
                f"{date_words(text(deal['date']))} · {basis}",
                f"{format_usd(deal['value_usd'], deal['value_qualifier'])}, {what}"
                + (f" (parties: {parties})" if parties else ""),
            )
        )
        if text(deal["note"]):
            rows.append(("Note", text(deal["note"])))
        rows.append(("Source", source_label(tables, deal["source_id"], deal["attributed_to"])))
    if len(listed) > MAX_LISTED:
        rows.append(("And", f"{len(listed) - MAX_LISTED:,} more deals: see the data table"))
    return rows


def influence_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the influence map: one toggled layer per partner courting the region.

    Each partner layer colours the region's members by the value of the
    partner's deals there, on one value basis (the one most of its deals
    have: only like is added to like). A member whose deals with the partner
    are on another basis, or undisclosed, is drawn as such, never as "no
    reported figure"; every deal is listed in the tooltip with its basis,
    qualifier, date and source. Great-circle arcs run from the partner's
    capital (width by value, one scale for the page). The region's outline
    carries its region-level figures, which are never spread over members.
    Located events are markers in their own layer.

    Parameters
    ----------
    tables : Tables
        Valid tables (see :func:`c5map.validate.load_valid_tables`).
    tiles : str or None
        xyzservices provider name, or ``"none"`` for Natural Earth land only.
    region : str, optional
        The region code; default the only region of ``regions.csv``.
    countries : geopandas.GeoDataFrame, optional
        Boundaries of your own (:func:`c5map.boundaries.read_boundaries`);
        default Natural Earth 1:10m. Simplified here for the web.
    story : c5map.story.Story, optional
        The story's words (default :func:`c5map.story.story_for`).

    Returns
    -------
    folium.Map
        An ordinary folium map.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    countries = web_countries(members, source=countries)
    names = display_names(tables)
    palette = partner_palette_of(tables)
    partners = influence_partners(tables, story)
    partners, undrawn = partners[:MAX_PARTNER_LAYERS], partners[MAX_PARTNER_LAYERS:]
    caps = layers.capitals(tables)
    capital_names = layers.capital_names(tables)
    regional = layers.region_figures(tables, countries)
    regional = regional[regional["region"] == region]
    per_partner = {p: layers.partner_country_figures(tables, countries, p, region=region) for p in partners}
    values = pd.concat([f.loc[f["has_figure"], "value_usd"] for f in per_partner.values()] + [pd.Series(dtype=float)])
    breaks = nice_breaks(list(values))
    largest = float(values.max()) if len(values) else 0.0
    shown = tables.deals[tables.deals["country"].isin([*members, region])]
    used_sources = set(shown["source_id"]) | set(regional["source_id"]) | set(tables.events["source_id"])
    partner_words = word_list([names.get(p, p) for p in partners]) if partners else ""
    title, subtitle = story.words(
        "influence",
        f"Who is courting {story.region_name}" if partners else f"{story.region_name}: announced deals",
        (f"Announced deals with {partner_words}, by partner. " if partners else "No deal with a member reported. ")
        + ("Region-level figures are on the dashed outline. " if len(regional) else "")
        + ("Choose one partner at a time (top right)." if len(partners) > 1 else ""),
    )
    page = PageText(
        title=title, subtitle=subtitle.strip(), source=source_line(tables, used_sources), byline=story.byline
    )
    view, seam = page_view(countries, members, pad=3.0)
    with stable_ids(f"influence:{region}"):
        m = new_map(page, view, tiles, seam=seam)
        shapes = SharedShapes(countries[countries["iso3"].isin(members)], seam=seam)
        m.add_child(shapes)
        outline = layers.region_outlines(tables, countries).query("region == @region")
        outline_shapes = SharedShapes(outline, "region", seam=seam)
        m.add_child(outline_shapes)
        sections, hidden, exclusive = [], [], []
        pairs = {(p, str(c)) for p, f in per_partner.items() for c in f.loc[f["has_deal"], "iso3"] if c != p}
        for index, partner in enumerate(partners):
            colour = palette.get(partner, INK)
            shades = class_colours(colour, len(breaks) + 1)
            other_fill = tint(colour, 0.12)
            partner_name = names.get(partner, partner)
            name = f"{partner_name}: deals"
            # one partner at a time: a radio button each (a Leaflet base layer), so no fill hides another's
            group = folium.FeatureGroup(name=layer_key(name), show=index == 0, overlay=False)
            exclusive.append(name)
            if index:
                hidden.append(name)
            figures = per_partner[partner]
            basis = figures["value_basis"].iloc[0] if len(figures) else "agreements"
            basis_words = BASIS_WORDS.get(basis, basis)
            styles, tips = {}, {}
            drawn = {"figure": set(), "other": False, "none": False, "arcs": 0}
            for _, row in figures.iterrows():
                if row["has_figure"]:
                    shade = class_of(row["value_usd"], breaks)
                    drawn["figure"].add(shade)
                    style = {"fillColor": shades[shade], "fillOpacity": FILL_OPACITY, "color": INK, "weight": 1}
                    note = ""
                elif row["has_deal"]:
                    drawn["other"] = True
                    style = {"fillColor": other_fill, "fillOpacity": 0.9, "color": colour, "weight": 2,
                             "dashArray": "6 3"}  # fmt: skip
                    note = f"Not on this layer's scale (value of {basis_words}): see the deals above."
                else:
                    drawn["none"] = True
                    style = dict(NO_FIGURE_STYLE)
                    note = "The source reports no deal here; that is not zero."
                styles[row["iso3"]] = style
                label = "Own programmes" if partner == row["iso3"] else f"Deals with {partner_name}"
                tips[row["iso3"]] = tooltip_html(
                    names.get(row["iso3"], row["iso3"]),
                    [(label, row["deals_text"])] + deal_lines(tables, row["deal_ids"]),
                    note=note,
                )
            group.add_child(ShapeLayer(shapes, styles, tips))
            if partner in caps:
                for _, row in figures[figures["has_deal"]].iterrows():
                    if row["iso3"] not in caps or row["iso3"] == partner:
                        continue
                    drawn["arcs"] += 1
                    add_arc(
                        group,
                        m,
                        layers.great_circle(*caps[partner], *caps[row["iso3"]]),
                        seam,
                        colour=colour,
                        weight=line_weight(row["value_usd"], largest) if row["has_figure"] else 2.0,
                        dashed=not row["has_figure"],
                        both_ways=(row["iso3"], partner) in pairs,
                        tooltip=tooltip_html(
                            f"{partner_name} → {names.get(row['iso3'], row['iso3'])}",
                            [("Announced deals", row["deals_text"])] + deal_lines(tables, row["deal_ids"]),
                        ),
                    )
            group.add_to(m)
            entries = [
                LegendEntry(label, fill=shade)
                for k, (label, shade) in enumerate(zip(class_labels(breaks, format_usd), shades, strict=True))
                if k in drawn["figure"]
            ]
            if drawn["other"]:
                entries.append(
                    LegendEntry(
                        "deals on another basis or of undisclosed value (hover)",
                        fill=other_fill,
                        edge=colour,
                        shape="dashed-box",
                    )  # fmt: skip
                )
            if drawn["none"]:
                entries.append(NO_FIGURE_ENTRY)
            if drawn["arcs"]:
                origin = capital_names.get(partner, f"{partner_name}'s capital")
                entries.append(LegendEntry(f"arc from {origin}, width by value", edge=colour, shape="line", size=4))
            sections.append(
                LegendSection(f"Deals with {partner_name}: value of {basis_words}", tuple(entries), layer=name)
            )
        if len(regional):
            region_layer = f"{story.region_name} as a whole"
            group = folium.FeatureGroup(name=layer_key(region_layer), show=True)
            rows = []
            listed = regional.sort_values(["partner", "date", "figure_id"])
            more = len(listed) - MAX_LISTED
            listed = listed.head(MAX_LISTED)
            for _, r in listed.iterrows():
                measure = BASIS_WORDS.get(r["measure"], r["measure"].replace("_", " "))
                rows.append(
                    (
                        f"{names.get(r['partner'], r['partner'])}, {measure} ({date_words(text(r['date']))})",
                        r["value_text"],
                    )
                )
                if r["note"]:
                    rows.append(("Note", r["note"]))
                rows.append(("Source", source_label(tables, r["source_id"], r["attributed_to"])))
            if more > 0:
                rows.append(("And", f"{more:,} more region-level figures: see the data table"))
            tip = tooltip_html(region_layer, rows, note="Region-level figures: never split between the countries.")
            group.add_child(
                ShapeLayer(
                    outline_shapes,
                    {region: {"fill": False, "color": INK, "weight": 3, "dashArray": "8 6"}},
                    {region: tip},
                )
            )
            group.add_to(m)
            entries = [LegendEntry("the region's outline: hover it for its figures", edge=INK, shape="dashed-box")]
            entries += [
                LegendEntry(
                    f"{names.get(r['partner'], r['partner'])}: {r['value_text']} "
                    f"({BASIS_WORDS.get(r['measure'], r['measure'].replace('_', ' '))}, {date_words(text(r['date']))})",
                    shape="none",
                )
                for _, r in listed.iterrows()
            ]
            if more > 0:
                entries.append(LegendEntry(f"and {more:,} more: see the data table", shape="none"))
            # caveats where the reader looks, not only on hover ("may overlap the country deals")
            entries += [LegendEntry(f"Note: {note}", shape="none") for note in dict.fromkeys(listed["note"]) if note]
            sections.append(LegendSection(region_layer, tuple(entries), layer=region_layer))
        events = layers.event_points(tables)
        older = max(0, len(events) - MAX_EVENTS)
        events = events.sort_values(["date", "event_id"], ascending=False, kind="stable").head(MAX_EVENTS).sort_index()
        if len(events):
            group = folium.FeatureGroup(name=layer_key(EVENTS_LAYER), show=True)
            for _, event in events.iterrows():
                folium.CircleMarker(
                    location=(event.geometry.y, wrap_lon(event.geometry.x, seam)),
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
                                ("Date", date_words(text(event["date"]))),
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
                    (LegendEntry("event in a known city", fill=INK, edge="#ffffff", shape="circle"),)
                    + ((LegendEntry(f"{older:,} older events not drawn", shape="none"),) if older else ()),
                    layer=EVENTS_LAYER,
                )
            )
        if undrawn:
            others = word_list([names.get(p, p) for p in undrawn])
            sections.append(
                LegendSection(
                    f"{len(undrawn)} more partners",
                    (LegendEntry(f"{others}: fewer deals, not drawn; in the data table", shape="none"),),
                )
            )
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections, hidden, exclusive)
        add_labels(m, tables, members, partners, seam=seam)
        located = tables.events[tables.events["lon"].notna() & tables.events["lat"].notna()]
        add_data_table(
            m,
            page_figures(
                tables,
                deals=shown,
                trade=tables.trade[(tables.trade["origin"] == region) | (tables.trade["destination"] == region)],
                events=located,
            ),
            f"Deals with {story.region_name} and its members, figures for the region as a whole, and events.",
            among=("deals",),
        )
    return m
