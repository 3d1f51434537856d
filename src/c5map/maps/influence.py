"""The influence page: draws the influence scene (``c5map.scenes.influence``) as a Leaflet page.

Every decision (views, classes, arcs, legend, words) is the scene's; this module
draws fills, arcs, tooltips and markers, and lays out the page.
"""

from __future__ import annotations

import branca.element
import folium
import geopandas as gpd
import pandas as pd
from jinja2 import Template

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_count, format_usd
from c5map.i18n import gettext
from c5map.maps.arcs import add_arc
from c5map.maps.assets import script_once
from c5map.maps.common import (
    date_words,
    display_names,
    page_view,
    place_words,
    source_label,
    source_line,
    text,
)
from c5map.maps.figures import add_data_table, page_figures
from c5map.maps.labels import add_labels, region_figures
from c5map.maps.legend import add_legend
from c5map.maps.page import DEFAULT_TILES, NO_FIGURE_STYLE, MapPage, PageText, new_page
from c5map.maps.safety import json_for_script, layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import LayerOrder, ShapeLayer, SharedShapes, in_pane, wrap_lon
from c5map.maps.style import FILL_OPACITY, INK, line_weight
from c5map.scenes.influence import (  # noqa: F401  (the scene's names, as the page's API has always offered them)
    EVENTS_LAYER,
    MAX_EVENTS,
    MAX_LISTED,
    MAX_PARTNER_LAYERS,
    OPENING_PAD,
    WITHIN_COLOUR,
    InfluenceScene,
    InfluenceView,
    influence_breaks,
    influence_partners,
    influence_scene,
    influence_views,
    trade_line,
    view_arcs,
    view_layer_name,
)
from c5map.scenes.tiny import SYMBOL_PX, PointSymbol
from c5map.story import BASIS_WORDS, Story, kind_words, story_for
from c5map.tables import Tables

#: A tiny member's point symbol: radius in pixels, with its 2 px edge at least :data:`SYMBOL_PX` across.
TINY_RADIUS = SYMBOL_PX / 2 + 1


def deal_lines(tables: Tables, ids: str, with_partner: bool = False) -> list[tuple[str, str]]:
    """Tooltip rows for deals by id: date and basis, value and what, its note if any, then its source.

    ``with_partner`` names each deal's partner (deals within a region come from several members).
    """
    deals = tables.deals.set_index("deal_id")
    names = display_names(tables) if with_partner else {}
    rows = []
    listed = [deal_id for deal_id in ids.split("; ") if deal_id]
    for deal_id in listed[:MAX_LISTED]:
        deal = deals.loc[deal_id]
        what = text(deal["description"]) or text(deal["sector"])
        parties = text(deal["parties"])
        basis = gettext(BASIS_WORDS[deal["value_basis"]]) if deal["value_basis"] in BASIS_WORDS else deal["value_basis"]
        whose = ""
        if with_partner:
            partner = names.get(deal["partner"], deal["partner"])
            whose = (gettext(" · own programme") if deal["partner"] == deal["country"]
                     else gettext(" · from {partner}").format(partner=partner))  # fmt: skip
        rows.append(
            (
                f"{date_words(text(deal['date']))} · {basis}{whose}",
                f"{format_usd(deal['value_usd'], deal['value_qualifier'])}, {what}"
                + (gettext(" (parties: {parties})").format(parties=parties) if parties else ""),
            )
        )
        if text(deal["note"]):
            rows.append((gettext("Note"), text(deal["note"])))
        rows.append((gettext("Source"), source_label(tables, deal["source_id"], deal["attributed_to"])))
    if len(listed) > MAX_LISTED:
        more = format_count(len(listed) - MAX_LISTED)
        rows.append((gettext("And"), gettext("{n} more deals: see the data table").format(n=more)))
    return rows


def influence_page(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
    data_csv: str | None = None,
) -> MapPage:
    """Build the influence map: one view at a time per outside partner, and the members' own deals.

    Each view colours the region's members by the largest disclosed figure
    of that partner there on one value basis (bases are never added; a bound
    is classed on its side), outlines members whose deals are undisclosed,
    hatches those with none ("no reported figure", never zero), and lists
    the partner's trade, never added to deals; every deal is in the tooltip
    with its basis, qualifier, date and source. Great-circle arcs run from
    the partner's capital (width by value, one scale for the page). The
    region's outline carries its region-level figures, never spread over
    members. Located events are markers in their own layer. What is drawn is
    decided by :func:`c5map.scenes.influence.influence_scene`.

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
    MapPage
        The page: an ordinary folium map (``.map``), its words, data table and finding.
        ``data_csv`` is the address of the page's data CSV, when the build writes one.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    countries = web_countries(members, source=countries)
    scene = influence_scene(tables, story, countries)
    shown = tables.deals[tables.deals["country"].isin([*members, region])]
    used_sources = set(shown["source_id"]) | set(scene.regional["source_id"]) | set(tables.events["source_id"])
    used_sources |= {s for v in scene.views for s in v.trade["source_id"]}
    page = PageText(title=scene.text.title, subtitle=scene.text.subtitle, source=source_line(tables, used_sources),
                    byline=story.byline)  # fmt: skip
    view, seam = page_view(countries, members, pad=OPENING_PAD)
    with stable_ids(f"influence:{region}"):
        made = new_page(page, view, tiles, seam=seam, data_csv=data_csv)
        m = made.map
        m.add_child(LayerOrder(view))  # before any layer: fills, outline, arcs, events keep their order
        shapes = SharedShapes(countries[countries["iso3"].isin(members)], seam=seam)
        m.add_child(shapes)
        outline = layers.region_outlines(tables, countries).query("region == @region")
        outline_shapes = SharedShapes(outline, "region", seam=seam, along=shapes)  # the members' borders once
        m.add_child(outline_shapes)
        caps = layers.capitals(tables)
        names = [view_layer_name(v) for v in scene.views]
        # every (partner, member) a view deals in, once for the page: an arc drawn both ways is offset
        pairs = {(v.code, str(c)) for v in scene.views for c in v.figures.loc[v.figures["has_deal"], "iso3"]}
        for index, one in enumerate(scene.views):
            # one view at a time: a radio button each (a Leaflet base layer), so no fill hides another's
            group = folium.FeatureGroup(name=layer_key(names[index]), show=index == scene.opening, overlay=False)
            _draw_view(group, m, one, scene, tables, shapes, caps, seam, pairs)
            group.add_to(m)
        if len(scene.regional):
            _draw_region(m, tables, story, scene.regional, outline_shapes)
        _draw_events(m, tables, scene.events, seam)
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, scene.sections, [n for i, n in enumerate(names) if i != scene.opening], names)
        figures = {layer_key(name): one.map_figures() for name, one in zip(names, scene.views, strict=True)}
        region_layer = gettext("{region} as a whole").format(region=story.region_heading)
        section = next((s for s in scene.sections if s.layer == region_layer), None)
        written, extra = region_figures(section, region, story.region_heading, outline, seam)  # beside the region
        figures |= written
        add_labels(m, tables, members, [v.code for v in scene.views if not v.within], seam=seam, figures=figures,
                   view=layer_key(names[scene.opening]) if names else "", extra=extra)  # fmt: skip
        located = tables.events[tables.events["lon"].notna() & tables.events["lat"].notna()]
        view_trade = pd.concat([v.trade for v in scene.views] + [tables.trade.iloc[:0]])
        region_trade = tables.trade[(tables.trade["origin"] == region) | (tables.trade["destination"] == region)]
        add_data_table(
            made,
            page_figures(
                tables,
                deals=shown,
                trade=pd.concat([region_trade, view_trade]).drop_duplicates("flow_id"),
                events=located,
            ),
            gettext("Deals with {region} and its members, trade figures of its partners, and events.").format(
                region=story.region_words
            ),
            among=("deals",),
        )
    return made


def influence_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the influence map: :func:`influence_page`'s ordinary folium map, for a notebook to show and adjust."""
    return influence_page(tables, tiles=tiles, region=region, countries=countries, story=story).map


def _draw_view(group, m, one: InfluenceView, scene: InfluenceScene, tables, shapes, caps, seam, pairs) -> None:
    """Fill the members and draw the arcs of one view into ``group``, as the scene decided them."""
    names = display_names(tables)
    shades = one.shades(scene.breaks)
    styles, tips = {}, {}
    for _, row in one.figures.iterrows():
        iso3 = row["iso3"]
        if row["has_figure"]:
            style = {"fillColor": shades[int(row["value_class"])], "fillOpacity": FILL_OPACITY, "color": INK,
                     "weight": 1}  # fmt: skip
            note = ""
            if len(one.bases) > 1:
                kind = row["value_basis"]
                kind = gettext(BASIS_WORDS[kind]) if kind in BASIS_WORDS else kind
                note = gettext("Coloured by {figure} ({kind}).").format(figure=row["value_text"], kind=kind)
        elif row["has_deal"]:
            style = {"fillColor": one.undisclosed_fill, "fillOpacity": 0.9, "color": one.colour, "weight": 2,
                     "dashArray": "6 3"}  # fmt: skip
            note = gettext("No value disclosed: see the deals above.")
        else:
            style = dict(NO_FIGURE_STYLE)
            note = gettext("The source reports no deal here; that is not zero.")
        styles[iso3] = style
        within = one.name.removeprefix(gettext("Within {region}").split("{")[0])
        label = (gettext("Deals within {region}").format(region=within) if one.within
                 else gettext("Deals with {partner}").format(partner=one.name))  # fmt: skip
        lines = [(label, row["deals_text"])] + deal_lines(tables, row["deal_ids"], with_partner=one.within)
        trade_here = one.trade[(one.trade["origin"] == iso3) | (one.trade["destination"] == iso3)]
        lines += [(gettext("Trade, not a deal"), trade_line(t, names, "", ""))
                  for _, t in trade_here.head(MAX_LISTED).iterrows()]  # fmt: skip
        tips[iso3] = tooltip_html(names.get(iso3, iso3), lines, note=note)
    group.add_child(ShapeLayer(shapes, styles, tips, pane="fills"))
    if scene.tiny:  # members too small to see: a point each in its class's colour, with its tooltip
        group.add_child(TinySymbols([_tiny_options(p, styles[p.iso3], seam) for p in scene.tiny]))
    for start, end, figure_row in view_arcs(one, tables, caps):
        add_arc(
            group,
            m,
            layers.great_circle(*caps[start], *caps[end]),
            seam,
            colour=one.colour,
            weight=line_weight(figure_row["value_usd"], scene.largest) if figure_row["has_figure"] else 2.0,
            dashed=not figure_row["has_figure"],
            both_ways=(end, start) in pairs,
            tooltip=tooltip_html(
                f"{names.get(start, start)} → {names.get(end, end)}",
                [(gettext("Announced deals"), figure_row["deals_text"])]
                + deal_lines(tables, figure_row["deal_ids"], with_partner=one.within),
            ),
        )


def _tiny_options(point: PointSymbol, style: dict, seam: float) -> list:
    """Return [iso3, lat, lon, Leaflet options, x, y offset] of a member's symbol, drawn as its fill is drawn."""
    options = {k: v for k, v in style.items() if k in ("fillColor", "color")}  # the fill's own colour or hatching
    options |= {"radius": TINY_RADIUS, "fill": True, "fillOpacity": 1, "weight": max(2, style.get("weight", 1)),
                "className": f"c5-tiny c5-tiny-{point.iso3}"}  # fmt: skip
    if "dashArray" in style:
        options["dashArray"] = "4 2"  # the fill's dashes, to a dot's measure
    return [point.iso3, point.lat, round(wrap_lon(point.lon, seam), 4), options, *point.offset_px]


_TINY = Template("""
{% macro script(this, kwargs) %}
c5mapTiny({{ this._parent.get_name() }}, {{ this.points_js }});
{% endmacro %}
""")


class TinySymbols(branca.element.MacroElement):
    """The point symbols of a view's tiny members (``scene.tiny``), in the symbols pane (``assets/tiny.js``).

    Each carries its member's tooltip, taken from the member's shape when the view is drawn: written once in
    the page, not twice (six Pacific members in five views would add 26 KB).
    """

    _template = _TINY

    def __init__(self, points: list[list]):
        super().__init__()
        self._name = "TinySymbols"
        self.points_js = json_for_script(points)

    def render(self, **kwargs) -> None:
        """Render the call, and the function once per page."""
        script_once(self, "tiny.js")
        super().render(**kwargs)


def _draw_region(m, tables: Tables, story: Story, regional, outline_shapes) -> None:
    """Draw the region's outline carrying its region-level figures in its tooltip (never split between members)."""
    names = display_names(tables)
    region_layer = gettext("{region} as a whole").format(region=story.region_heading)
    group = folium.FeatureGroup(name=layer_key(region_layer), show=True)
    rows = []
    listed = regional.sort_values(["partner", "date", "figure_id"])
    more = len(listed) - MAX_LISTED
    for _, r in listed.head(MAX_LISTED).iterrows():
        partner, date = names.get(r["partner"], r["partner"]), date_words(text(r["date"]))
        words = gettext("{partner}, {kind} ({date})").format(partner=partner, kind=kind_words(r["measure"]), date=date)
        rows.append((words, r["value_text"]))
        if r["note"]:
            rows.append((gettext("Note"), r["note"]))
        rows.append((gettext("Source"), source_label(tables, r["source_id"], r["attributed_to"])))
    if more > 0:
        rows.append((gettext("And"), gettext("{n} more region-level figures: see the data table").format(
            n=format_count(more))))  # fmt: skip
    tip = tooltip_html(region_layer, rows, note=gettext("Region-level figures: never split between the countries."))
    style = {story.region: {"fill": False, "color": INK, "weight": 3, "dashArray": "8 6"}}
    group.add_child(ShapeLayer(outline_shapes, style, {story.region: tip}, pane="borders"))
    group.add_to(m)


def _draw_events(m, tables: Tables, events, seam: float) -> None:
    """Draw the scene's events as markers in their own layer."""
    if not len(events):
        return
    names = display_names(tables)
    group = folium.FeatureGroup(name=layer_key(gettext(EVENTS_LAYER)), show=True)
    for _, event in events.iterrows():
        marker = folium.CircleMarker(
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
                        (gettext("Date"), date_words(text(event["date"]))),
                        (gettext("Place"), place_words(event, names)),
                        (gettext("Participants"), text(event["participants"])),
                        (gettext("Source"), source_label(tables, event["source_id"])),
                    ],
                )
            ),
        )
        in_pane(marker, "symbols").add_to(group)
    group.add_to(m)
