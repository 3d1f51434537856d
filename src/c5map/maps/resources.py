"""Resources: deposits placed only as precisely as known, one commodity in one unit sized, the deals in them.

Every resource with a point is drawn at it, whatever its unit: circle areas
compare only the (commodity, unit) pair of :mod:`c5map.resource_scale` (the
print image uses the same), every other figure has a uniform symbol and a
label. A deposit known only by its region is an area, never a site. Country
figures sit on their country, with the deals and programmes of the resource
sectors.
"""

from __future__ import annotations

import branca.element
import folium
import geopandas as gpd
import pandas as pd
from jinja2 import Template

from c5map import layers
from c5map.boundaries import CONTEXT_ZOOM, MAX_ZOOM, web_countries
from c5map.format import format_quantity, format_usd
from c5map.i18n import gettext
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
from c5map.maps.legend import add_legend
from c5map.maps.page import DEFAULT_TILES, MapPage, PageText, new_page
from c5map.maps.safety import escape_text, json_for_script, layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import PANES, LayerOrder, ShapeLayer, SharedShapes, in_pane, wrap_lon
from c5map.maps.style import INK, RESOURCE_COLOUR, line_weight, symbol_radius
from c5map.resource_scale import ResourceScale
from c5map.scenes.resources import (  # noqa: F401  (the scene's names, as the page's API has always offered them)
    AREA_TINT,
    DEALS_LAYER,
    DEPOSITS_LAYER,
    LARGEST_SYMBOL_PX,
    MAX_POINTS,
    OFF_SCALE_PX,
    RESOURCE_SECTORS,
    UNCERTAINTY_KM,
    UNIFORM_WORDS,
    ResourcesScene,
    area_words,
    basis_words,
    country_words,
    points_to_draw,
    programme_fill,
    resource_deals,
    resources_scene,
    site_words,
)
from c5map.scenes.timeline import KNOWN_TO
from c5map.story import Story, story_for
from c5map.tables import Tables

#: The small permanent labels of figures off the scale (page.css gives every tooltip a 180 px minimum width).
FIGURE_LABEL_CSS = (
    # a long name wraps within a phone's width (the placer then keeps the label inside the map's edges)
    "<style>.leaflet-tooltip.c5-figure-label{min-width:0;width:max-content;max-width:min(300px,70vw);"
    "white-space:normal;padding:1px 5px;"
    "font:11px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#222;box-shadow:none;"
    f"border-color:{RESOURCE_COLOUR}}}.leaflet-tooltip.c5-figure-label.c5-moved:before{{display:none}}</style>"
)


def _site_tooltip(tables: Tables, row: pd.Series) -> str:
    """Return the hover tooltip of a located resource: figure, elements, status, date, how well it is placed, source."""
    precision = row["location_precision"]
    details = [
        (gettext("Estimated quantity"), format_quantity(row["quantity"], row["unit"], row["value_qualifier"])),
        (gettext("Elements"), text(row["elements"])),
        (gettext("Status"), text(row["status"])),
        (gettext("Reported"), date_words(text(row["date"]))),
        (gettext("Location"), gettext(KNOWN_TO[precision]) if precision in KNOWN_TO else precision),
        (gettext("Source"), source_label(tables, row["source_id"], row["attributed_to"])),
    ]
    return tooltip_html(row["name"], [d for d in details if d[1]], note=text(row["note"]))


_FIGURE_LABEL = Template("""
{% macro script(this, kwargs) %}
L.tooltip({{ this.options_js }}).setLatLng({{ this.location_js }}).setContent({{ this.text_js }})
    .addTo({{ this._parent.get_name() }});
{% endmacro %}
""")


class FigureLabel(branca.element.MacroElement):
    """A small permanent label on the map: a figure off the page's scale, beside its symbol or on its area.

    A standalone Leaflet tooltip, so the symbol keeps its own hover tooltip, the country labels
    (``assets/labels.js``) keep off it as off any tooltip, and it is no second tab stop for the same
    figure (``assets/access.js`` names only layers with a tooltip of their own).
    """

    _template = _FIGURE_LABEL

    def __init__(self, location: tuple[float, float], words: str, beside_px: float = 0.0):
        super().__init__()
        self._name = "FigureLabel"
        self.words = words
        self.location_js = json_for_script([round(float(location[0]), 5), round(float(location[1]), 5)])
        # set as HTML by Leaflet: escaped, then quoted; a line each
        self.text_js = json_for_script("<br>".join(escape_text(line) for line in words.split("\n")))
        self.options_js = json_for_script(
            {
                "permanent": True,
                "direction": "right" if beside_px else "center",
                "offset": [round(beside_px + 3) if beside_px else 0, 0],
                "className": "c5-figure-label",
                "opacity": 1,
                "pane": PANES["figures"],  # with the map, under the panels: not with the hover tooltips above all
            }
        )


def _add_site(group: folium.FeatureGroup, tables: Tables, row: pd.Series, scale: ResourceScale, seam) -> str:
    """Draw one located resource as precisely as it is known; return what was drawn.

    ``"region"``: a deposit known only by its admin region, a dashed area around the regional centre with its
    figure written on it, and nothing at the centre that reads as a site. Otherwise a site: a ring sized on
    ``scale`` (``"scaled"``) or the uniform symbol with a label of its figure (``"uniform"``); an approximate
    site also gets a dotted ring of its uncertainty.
    """
    location = (row["lat"], wrap_lon(row["lon"], seam))
    tip = _site_tooltip(tables, row)
    if row["location_precision"] == "region":
        area = folium.Circle(
            location=location,
            radius=UNCERTAINTY_KM["region"] * 1000,
            color=RESOURCE_COLOUR,
            weight=1.5,  # an area, not a symbol: a thin dashed edge, so it never reads as a sized circle
            dash_array="5 4",
            fill=True,
            fill_color=RESOURCE_COLOUR,
            fill_opacity=0.15,
            tooltip=folium.Tooltip(tip),
        )
        in_pane(area, "symbols").add_to(group)
        group.add_child(FigureLabel(location, area_words(row)))
        return "region"
    if row["location_precision"] == "approximate":
        ring = folium.Circle(
            location=location,
            radius=UNCERTAINTY_KM["approximate"] * 1000,
            color=RESOURCE_COLOUR,
            weight=1,
            dash_array="2 4",
            fill=False,
            tooltip=folium.Tooltip(tip),
        )
        in_pane(ring, "symbols").add_to(group)
    on_scale = bool(scale.on_scale(row.to_frame().T)[0])
    radius = symbol_radius(float(row["quantity"]), scale.largest, LARGEST_SYMBOL_PX) if on_scale else OFF_SCALE_PX
    symbol = folium.CircleMarker(
        location=location,
        radius=radius,
        color=RESOURCE_COLOUR,
        weight=3 if on_scale else 2,
        fill=True,
        fill_color=RESOURCE_COLOUR,
        fill_opacity=0.15 if on_scale else 0.6,
        tooltip=folium.Tooltip(tip),
    )
    in_pane(symbol, "symbols").add_to(group)
    # every site's figure beside its symbol: the deposits are what this map is about
    group.add_child(FigureLabel(location, site_words(row, on_scale), radius))
    return "scaled" if on_scale else "uniform"


def _add_country_figures(group, tables: Tables, countries: gpd.GeoDataFrame, scale: ResourceScale, seam) -> bool:
    """Draw each country's figures with no site as one dashed circle on the country; return whether any was.

    The circle is sized by the country's largest figure on ``scale``, if any (no other figure is compared);
    every figure is in its tooltip.
    """
    names = display_names(tables)
    resources = tables.resources
    sized = resources["quantity"].where(scale.on_scale(resources))
    drawn = False
    for iso3, rows in resources[resources["lon"].isna()].groupby("country"):
        if iso3 not in set(countries["iso3"]):
            continue
        anchor = countries.loc[countries["iso3"] == iso3].geometry.iloc[0].representative_point()
        lines = [
            (r["name"], format_quantity(r["quantity"], r["unit"], r["value_qualifier"])) for _, r in rows.iterrows()
        ]
        lines += [(gettext("Source"), source_label(tables, sid)) for sid in sorted(set(rows["source_id"]))]
        tip = tooltip_html(
            gettext("{country} (country-level figures)").format(country=names.get(iso3, iso3)),
            lines,
            note=gettext("Country totals, placed on the country: no site is implied."),
        )
        value = float(pd.to_numeric(sized.loc[rows.index]).max()) if sized.loc[rows.index].notna().any() else 0.0
        symbol = folium.CircleMarker(
            location=(anchor.y, wrap_lon(anchor.x, seam)),
            radius=max(symbol_radius(value, scale.largest, LARGEST_SYMBOL_PX), 8),
            color=INK,
            weight=1,
            dash_array="3 3",
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.7,
            tooltip=folium.Tooltip(tip),
        )
        in_pane(symbol, "symbols").add_to(group)
        drawn = True
    return drawn


def _add_deposits(group, m: folium.Map, tables: Tables, countries, scene: ResourcesScene, seam) -> None:
    """Draw the scene's resources into ``group``: located ones (:func:`_add_site`), then country figures."""
    for _, row in scene.shown.iterrows():
        _add_site(group, tables, row, scene.scale, seam)
    if len(scene.shown):
        m.get_root().header.add_child(branca.element.Element(FIGURE_LABEL_CSS), name="c5-figure-label")
    _add_country_figures(group, tables, countries, scene.scale, seam)


def _add_deals(group, m: folium.Map, tables: Tables, minerals, shapes: SharedShapes, seam) -> None:
    """Draw the deals of resource sectors into ``group``: arcs between capitals, domestic programmes as outlines."""
    names = display_names(tables)
    palette = partner_palette_of(tables)
    caps = layers.capitals(tables)
    largest = float(minerals["value_usd"].max()) if minerals["value_usd"].notna().any() else 0.0
    styles, tips = {}, {}
    pairs = set(zip(minerals["partner"], minerals["country"], strict=True))
    for (partner, country), deals in minerals.groupby(["partner", "country"], sort=True):
        rows = []
        for _, deal in deals.sort_values("deal_id").iterrows():
            rows.append(
                (
                    f"{date_words(text(deal['date']))} · {basis_words(deal['value_basis'])}",
                    f"{format_usd(deal['value_usd'], deal['value_qualifier'])}: {text(deal['description'])}",
                )
            )
        rows.append(
            (
                gettext("Source"),
                "; ".join(
                    sorted({source_label(tables, d["source_id"], d["attributed_to"]) for _, d in deals.iterrows()})
                ),
            )
        )
        colour = palette.get(partner, INK)
        if partner == country:
            styles[country] = {
                "fill": True,
                "fillColor": programme_fill(colour),
                "fillOpacity": 0.9,
                "color": colour,
                "weight": 2,
                "dashArray": "6 3",
            }
            tips[country] = tooltip_html(
                gettext("{country}: domestic programme").format(country=names.get(country, country)), rows
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
    if styles:  # a programme is an outline of its country, with the borders
        group.add_child(ShapeLayer(shapes, styles, tips, pane="borders"))


def resources_page(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
    data_csv: str | None = None,
) -> MapPage:
    """Build the resources map.

    * Every resource with a point is drawn at it, as precisely as known
      (:func:`_add_site`): a region-level estimate is only a wide dashed area
      around the regional centre with its figure on it, never a site symbol; an
      approximate site has a dotted ring of its uncertainty.
    * Circle areas compare one commodity in one unit, the pair of
      :func:`~c5map.resource_scale.resource_scale` (the print image uses the
      same); every other site has a uniform symbol and a label of its figure.
      Country-level figures sit on their country and say so.
    * Deals in a resource sector (:func:`resource_deals`) are arcs between
      capitals (split at ±180°), or outline the country for domestic programmes.

    The page opens on the region and the countries with resources.

    Returns
    -------
    MapPage
        The page: an ordinary folium map (``.map``), its words, data table and finding.
        ``data_csv`` is the address of the page's data CSV, when the build writes one.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
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
    scene = resources_scene(tables, story, set(countries["iso3"]), layers.capitals(tables))
    page = PageText(title=scene.text.title, subtitle=scene.text.subtitle, byline=story.byline,
                    source=source_line(tables, list(resources["source_id"]) + list(minerals["source_id"])))  # fmt: skip
    focus = [c for c in set(members) | set(resources["country"]) if c in set(countries["iso3"])]
    view, seam = page_view(countries, focus, pad=2.0)
    with stable_ids(f"resources:{region}"):
        made = new_page(
            page,
            view,
            tiles,
            max_zoom=MAX_ZOOM,
            seam=seam,
            data_csv=data_csv,
            search=gettext("Find a country, deal or site"),
        )
        m = made.map
        m.add_child(LayerOrder(view, MAX_ZOOM))  # before any layer: borders, arcs, deposits keep their order
        shapes = SharedShapes(countries, seam=seam)
        m.add_child(shapes)
        context = {
            iso3: {"fill": False, "color": "#6b6b6b", "weight": 1, "interactive": False} for iso3 in countries["iso3"]
        }
        m.add_child(ShapeLayer(shapes, context, {}, pane="borders"))
        layer_names = {s.layer for s in scene.sections}
        # Minerals deals and programmes, first: the deposits are drawn (and hovered) above them.
        if gettext(DEALS_LAYER) in layer_names:  # a layer and a legend only for what is drawn
            group = folium.FeatureGroup(name=layer_key(gettext(DEALS_LAYER)), show=True)
            _add_deals(group, m, tables, minerals, shapes, seam)
            group.add_to(m)
        # Deposits and reserves: circles of one commodity in one unit; every other figure a labelled symbol.
        if gettext(DEPOSITS_LAYER) in layer_names:
            group = folium.FeatureGroup(name=layer_key(gettext(DEPOSITS_LAYER)), show=True)
            _add_deposits(group, m, tables, countries, scene, seam)
            group.add_to(m)
        sections = list(scene.sections)

        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections)  # deposits first, as on the map
        add_labels(m, tables, members, set(resources["country"]) | set(minerals["partner"]), seam=seam,
                   figures={"": country_words(resources, scene.scale)})  # fmt: skip
        add_data_table(
            made,
            page_figures(tables, deals=minerals, resources=resources),
            gettext("Resources and the deals for them."),
            among=("resources", "deals"),
        )
    return made


def resources_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the resources map: :func:`resources_page`'s ordinary folium map, for a notebook to show and adjust."""
    return resources_page(tables, tiles=tiles, region=region, countries=countries, story=story).map
