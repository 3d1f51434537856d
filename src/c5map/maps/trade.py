"""The trade page: draws the trade scene (``c5map.scenes.trade``) as a Leaflet page, one exporter at a time."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from c5map import layers
from c5map.boundaries import CONTEXT_ZOOM, MAX_ZOOM, web_countries
from c5map.format import format_count, format_usd
from c5map.i18n import gettext
from c5map.maps.arcs import add_arc
from c5map.maps.common import display_names, page_view, source_label, source_line, text
from c5map.maps.figures import add_data_table, page_figures
from c5map.maps.labels import add_labels, region_figures
from c5map.maps.legend import add_legend
from c5map.maps.page import DEFAULT_TILES, NO_FIGURE_STYLE, MapPage, PageText, new_page
from c5map.maps.safety import layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import LayerOrder, ShapeLayer, SharedShapes
from c5map.maps.style import FILL_OPACITY, INK, line_weight
from c5map.scenes.trade import (  # noqa: F401  (the scene's names, as the page's API has always offered them)
    BOUND_QUALIFIERS,
    MAX_DESTINATIONS,
    MAX_EXPORTERS,
    MAX_REGION_FIGURES,
    MAX_UNDRAWN_ROWS,
    REGION_SYMBOL_PX,
    ExporterView,
    TradeScene,
    TradeSelection,
    exports_to_draw,
    region_measure,
    region_totals_to_draw,
    trade_scene,
    trade_selection,
    undrawn_note,
    undrawn_notes,
    undrawn_rows,
    undrawn_summary,
)
from c5map.story import Story, story_for
from c5map.tables import Tables


def trade_page(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
    data_csv: str | None = None,
) -> MapPage:
    """Build the trade map.

    One layer per exporter, for its latest year, the largest first: great-circle flows from the exporter's
    capital, width by value, and the destinations coloured by value. One layer compares the partners'
    trade with ``region`` as a whole as proportional circles on a single scale, off the members.

    A large bilateral table stays readable and light: at most :data:`MAX_EXPORTERS` exporters (the largest
    by total) and their :data:`MAX_DESTINATIONS` largest destinations are drawn; what is not is named on
    its exporter's layer or in a "Not drawn" note, and listed in the data table. What is drawn is decided
    by :func:`c5map.scenes.trade.trade_scene`.

    The page opens on the region; ``region`` defaults to the only region of
    ``regions.csv``, ``story`` to :func:`c5map.story.story_for`.

    Returns
    -------
    MapPage
        The page: an ordinary folium map (``.map``), its words, data table and finding.
        ``data_csv`` is the address of the page's data CSV, when the build writes one.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    selection = trade_selection(tables, region)
    destinations = sorted(set(selection.exports["destination"]) | set(members))
    countries = web_countries(
        [c for c in destinations if c not in tables.region_members()],
        max_zoom=CONTEXT_ZOOM,
        source=countries,
        detail=members,
        detail_zoom=MAX_ZOOM,
    )
    scene = trade_scene(tables, story, set(countries["iso3"]), selection)
    page = PageText(title=scene.text.title, subtitle=scene.text.subtitle,
                    source=source_line(tables, tables.trade["source_id"]), byline=story.byline)  # fmt: skip
    view, seam = page_view(countries, members, pad=2.0)
    with stable_ids(f"trade:{region}"):
        made = new_page(page, view, tiles, max_zoom=MAX_ZOOM, seam=seam, data_csv=data_csv)
        m = made.map
        m.add_child(LayerOrder(view, MAX_ZOOM))  # before any layer: fills, outline, arcs keep their order
        shapes = SharedShapes(countries[countries["iso3"].isin(destinations)], seam=seam)
        m.add_child(shapes)
        names = [v.name for v in scene.exporters]
        for index, exporter in enumerate(scene.exporters):
            group = folium.FeatureGroup(name=layer_key(exporter.name), show=index == 0, overlay=False)  # one at a time
            _draw_exporter(group, m, exporter, scene, tables, shapes, set(countries["iso3"]), seam)
            group.add_to(m)
        outline = layers.region_outlines(tables, countries).query("region == @region")
        if len(scene.totals):
            _draw_region_trade(m, tables, story, scene, outline, seam, along=shapes)
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, scene.sections, names[1:], names)
        exporters = {v.origin for v in scene.exporters}
        figures = {layer_key(v.name): v.map_figures() for v in scene.exporters}
        region_layer = gettext("Trade with {region} as a whole").format(region=story.region_words)
        section = next((s for s in scene.sections if s.layer == region_layer), None)
        written, extra = region_figures(section, region, story.region_heading, outline, seam)  # beside the region
        figures |= written
        add_labels(m, tables, members, exporters | set(selection.exports["destination"]), seam=seam, figures=figures,
                   view=layer_key(names[0]) if names else "", extra=extra)  # fmt: skip
        listed, beyond = undrawn_rows(selection)
        left = gettext(" {n} figures between two countries are not drawn: listed below").format(
            n=format_count(selection.left_out)) if selection.left_out else ""  # fmt: skip
        left += gettext(" ({n} of them only in geo/flow_figures.csv).").format(n=format_count(beyond)) if beyond else (
            "." if left else "")  # fmt: skip
        add_data_table(
            made,
            page_figures(tables, trade=pd.concat([selection.totals, selection.exports, listed])),
            gettext("Trade figures for {region} as a whole, and the exports drawn on the map.").format(
                region=story.region_words
            )
            + left,  # fmt: skip
        )
    return made


def trade_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the trade map: :func:`trade_page`'s ordinary folium map, for a notebook to show and adjust."""
    return trade_page(tables, tiles=tiles, region=region, countries=countries, story=story).map


def _draw_exporter(group, m, exporter: ExporterView, scene: TradeScene, tables, shapes, drawn_ids, seam) -> None:
    """Fill one exporter's destinations, hatch the members it has no figure for, draw its flows."""
    names = display_names(tables)
    caps = layers.capitals(tables)
    shades = exporter.shades(scene.breaks)
    pairs = set(zip(scene.selection.exports["origin"], scene.selection.exports["destination"], strict=True))
    origin, label = exporter.origin, exporter.name  # "Exports from Russia, 2023"
    styles, tips = {}, {}
    for _, row in exporter.rows.iterrows():
        dest = row["destination"]
        tip = tooltip_html(
            names.get(dest, dest),
            [
                (label, format_usd(row["value_usd"], row["value_qualifier"])),
                *([(gettext("Note"), text(row["note"]))] if text(row["note"]) else []),
                (gettext("Source"), source_label(tables, row["source_id"], row["attributed_to"])),
            ],
        )
        if dest in drawn_ids:
            styles[dest] = {"fillColor": shades[int(row["value_class"])], "fillOpacity": FILL_OPACITY, "color": INK,
                            "weight": 1}  # fmt: skip
            tips[dest] = tip
        if dest in exporter.flows:
            add_arc(group, m, layers.great_circle(*caps[origin], *caps[dest]), seam, colour=exporter.colour,
                    weight=line_weight(row["value_usd"], scene.largest), both_ways=(dest, origin) in pairs,
                    tooltip=tip)  # fmt: skip
    for member in exporter.silent:  # hatched, as on the influence page: blank land would read as "no trade"
        styles[member] = dict(NO_FIGURE_STYLE)
        note = gettext("The data reports no export figure here; that is not zero.")
        tips[member] = tooltip_html(names.get(member, member), [(label, gettext("no reported figure"))], note=note)
    group.add_child(ShapeLayer(shapes, styles, tips, pane="fills"))


def _draw_region_trade(m, tables: Tables, story: Story, scene: TradeScene, outline, seam, along=None) -> None:
    """Draw the region's outline carrying its trade figures in its tooltip, never on the members."""
    names = display_names(tables)
    region = story.region
    outline_shapes = SharedShapes(outline, "region", seam=seam, along=along)
    m.add_child(outline_shapes)
    name = gettext("Trade with {region} as a whole").format(region=story.region_words)
    group = folium.FeatureGroup(name=layer_key(name), show=True)
    rows = []
    for _, row in scene.totals.iterrows():
        partner = row["partner"]
        what = region_measure(row, region, story.region_words, names.get(partner, partner))
        words = gettext("{partner}, {what}, {year}").format(partner=names.get(partner, partner), what=what,
                                                            year=row["year"])  # fmt: skip
        rows.append((words, format_usd(row["value_usd"], row["value_qualifier"])))
        if text(row["note"]):
            rows.append((gettext("Note"), text(row["note"])))
        rows.append((gettext("Source"), source_label(tables, row["source_id"], row["attributed_to"])))
    tip = tooltip_html(gettext("{region} as a whole").format(region=story.region_heading), rows,
                       note=gettext("Region-level figures: never split between the countries."))  # fmt: skip
    style = {region: {"fill": False, "color": INK, "weight": 2.5, "dashArray": "8 6"}}
    group.add_child(ShapeLayer(outline_shapes, style, {region: tip}, pane="borders"))
    group.add_to(m)
