"""Events, deals and dated resource finds as a dated sequence beside the map: what happened when, and where.

Every item is listed in date order, grouped by year (years with nothing are
compressed into one line), with Previous / Play / Next; the current item is
shown in words, emphasised on the map and its tooltip opened
(``assets/timeline.js``).
"""

from __future__ import annotations

import folium
import geopandas as gpd
from jinja2 import Template

from c5map.boundaries import load_countries
from c5map.i18n import gettext, ngettext
from c5map.maps.assets import script_once, style_once
from c5map.maps.common import (
    page_view,
    source_line,
)
from c5map.maps.figures import add_data_table, page_figures
from c5map.maps.labels import add_labels
from c5map.maps.legend import LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, MapPage, PageText, new_page
from c5map.maps.safety import json_for_script, stable_ids
from c5map.maps.shapes import LayerOrder, wrap_lon
from c5map.scenes.timeline import (  # noqa: F401  (the scene's names, as the page's API has always offered them)
    EVENT_COLOUR,
    FAN_OUT_DEG,
    MAX_ITEMS,
    RESOURCE_EDGE,
    TimelineScene,
    _fan_out,
    dated_resources,
    deal_partners,
    timeline_items,
    timeline_scene,
)
from c5map.story import Story, span_text, story_for, year_span
from c5map.tables import Tables

PLAY_STEP_MS = 1500
_TIMELINE = Template("""
{% macro script(this, kwargs) %}
c5mapTimeline({{ this._parent.get_name() }}, {{ this.items_js }}, {{ this.groups_js }}, {{ this.options_js }});
{% endmacro %}
""")


class TimelinePanel(folium.MacroElement):
    """The dated sequence beside the map: list, Previous / Play / Next, the current item in words."""

    _template = _TIMELINE

    def __init__(self, items: list[dict], view: tuple[float, float, float, float]):
        super().__init__()
        self._name = "TimelinePanel"
        west, south, east, north = view
        self.items_js = json_for_script(items)
        self.groups_js = json_for_script(year_groups(items))
        self.options_js = json_for_script({
            "view": [[round(south, 4), round(west, 4)], [round(north, 4), round(east, 4)]],
            "stepMs": PLAY_STEP_MS,
            "span": span_text(year_span(i["date"] for i in items)),
        })  # fmt: skip

    def render(self, **kwargs) -> None:
        """Render the panel's call, with its function and styles once per page."""
        script_once(self, "order.js")
        script_once(self, "timeline.js")
        style_once(self, "timeline.css")
        super().render(**kwargs)


def year_groups(items: list[dict]) -> list[dict]:
    """Return the list's years in order, with one line for each run of years with nothing.

    A year with items is ``{"year", "label", "items"}`` (indices into
    ``items``); a run of empty years is ``{"year": None, "label", "items": []}``.

    Examples
    --------
    >>> year_groups([{"year": 2015}, {"year": 2021}, {"year": 2021}, {"year": 2023}])  # doctest: +NORMALIZE_WHITESPACE
    [{'year': 2015, 'label': '2015', 'items': [0]}, {'year': None, 'label': '2016–2020: nothing reported', 'items': []},
     {'year': 2021, 'label': '2021', 'items': [1, 2]}, {'year': None, 'label': '2022: nothing reported', 'items': []},
     {'year': 2023, 'label': '2023', 'items': [3]}]
    """
    groups: list[dict] = []
    for index, item in enumerate(items):
        year = int(item["year"])
        if groups and groups[-1]["year"] == year:
            groups[-1]["items"].append(index)
            continue
        if groups and year > groups[-1]["year"] + 1:
            before = groups[-1]["year"]
            empty = span_text((before + 1, year - 1))
            groups.append(
                {"year": None, "label": gettext("{years}: nothing reported").format(years=empty), "items": []}
            )
        groups.append({"year": year, "label": str(year), "items": [index]})
    return groups


def timeline_page(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
    data_csv: str | None = None,
) -> MapPage:
    """Build the timeline map: events, deals and dated resource finds as a dated sequence beside the map.

    Every item is in the list, in date order and grouped by year (years with
    nothing compressed into one line), including items with no place.
    Choosing one (click, keyboard, Previous / Next, or Play, which steps every
    :data:`PLAY_STEP_MS`) shows it in words, moves the map to it if it has a
    place, emphasises its marker and opens its tooltip. Events with a city
    are points; events known only by country, region-level deals and
    deposits known to a region are placed on the country or region and drawn
    dashed. The span of years and the partners come from the data.

    Returns
    -------
    MapPage
        The page: an ordinary folium map (``.map``), its words, data table and finding.
        ``data_csv`` is the address of the page's data CSV, when the build writes one.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    # places and the opening view come from the 1:10m countries (nothing is drawn from them): the 1:110m file
    # lacks small countries, which would then be neither framed nor placed
    countries = load_countries("10m") if countries is None else countries
    scene = timeline_scene(tables, story, countries)
    items, title, subtitle, span = scene.items, scene.text.title, scene.text.subtitle, scene.span
    resources = dated_resources(tables)
    page = PageText(
        title=title,
        subtitle=subtitle,
        source=source_line(
            tables,
            list(tables.events["source_id"]) + list(tables.deals["source_id"]) + list(resources["source_id"]),
        ),
        byline=story.byline,
    )
    view, seam = page_view(countries, members, pad=4.0)
    for item in items:  # in the page's world copy, like every other page's points
        if item["lon"] is not None:
            item["lon"] = round(wrap_lon(item["lon"], seam), 3)
    with stable_ids(f"timeline:{region}"):
        made = new_page(page, view, tiles, seam=seam, data_csv=data_csv)
        m = made.map
        m.add_child(LayerOrder(view))  # before any layer: the items' markers in the symbols' pane
        drawn = [i for i in items if i["lat"] is not None]
        entries = list(scene.section.entries) if scene.section is not None else []
        if drawn:  # how the page shows the chosen item: the page's own behaviour, not the data's
            words = gettext("chosen item: large; later ones: faded; items sharing a place: fanned out around it")
            entries.append(LegendEntry(words, fill="#bbbbbb", edge="#ffffff", shape="circle", size=8))
        if entries:
            add_legend(m, [LegendSection(gettext("Timeline"), tuple(entries))])
        if items:  # after the legend: the panel keeps clear of the boxes already on the map
            m.add_child(TimelinePanel(items, view))
        add_labels(m, tables, members, sorted(set(deal_partners(tables, drawn))), seam=seam)
        listed = {kind: {i["id"] for i in items if i["kind"] == kind} for kind in ("event", "deal", "resource")}
        add_data_table(
            made,
            page_figures(
                tables,
                deals=tables.deals[tables.deals["deal_id"].isin(listed["deal"])],
                resources=resources[resources["resource_id"].isin(listed["resource"])],
                events=tables.events[tables.events["event_id"].isin(listed["event"])],
            ),
            gettext("Every event, deal and resource find on the timeline, in the tables' order."),
            finding=(
                ngettext("{n} dated item", "{n} dated items", len(items)).format(n=len(items))
                + (gettext(", {years}").format(years=span_text(span)) if span else "")
                + gettext("; the latest, {when}: {what}.").format(when=items[-1]["when"], what=items[-1]["text"])
            )
            if items
            else "",
        )
    return made


def timeline_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the timeline map: :func:`timeline_page`'s ordinary folium map, for a notebook to show and adjust."""
    return timeline_page(tables, tiles=tiles, region=region, countries=countries, story=story).map
