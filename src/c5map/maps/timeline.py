"""Events and deals on a year slider: what happened when, and where."""

from __future__ import annotations

import math

import folium
import geopandas as gpd
from jinja2 import Template

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_usd
from c5map.maps.assets import script_once, style_once
from c5map.maps.common import display_names, partner_palette_of, region_view, source_label, source_line, text
from c5map.maps.legend import LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, PageText, new_map
from c5map.maps.safety import json_for_script, stable_ids, tooltip_html
from c5map.maps.style import INK
from c5map.story import Story, span_text, story_for, year_span
from c5map.tables import Tables, parse_partial_date

EVENT_COLOUR = INK

_SLIDER = Template("""
{% macro script(this, kwargs) %}
c5mapYearSlider({{ this._parent.get_name() }}, {{ this.items_js }}, {{ this.first }}, {{ this.last }});
{% endmacro %}
""")


class YearSlider(folium.MacroElement):
    """A year slider: items up to the chosen year are drawn, that year's highlighted and listed."""

    _template = _SLIDER

    def __init__(self, items: list[dict], first: int, last: int):
        super().__init__()
        self._name = "YearSlider"
        self.items_js = json_for_script(items)
        self.first, self.last = int(first), int(last)

    def render(self, **kwargs) -> None:
        """Render the slider's call, with its function and styles once per page."""
        script_once(self, "timeline.js")
        style_once(self, "timeline.css")
        super().render(**kwargs)


def timeline_items(tables: Tables, countries: gpd.GeoDataFrame) -> list[dict]:
    """Dated events and deals as slider items, sorted by date then id.

    Each item: ``year, date, kind`` (``event`` or ``deal``), ``lat, lon``
    (None when the source gives no place), ``approximate`` (placed on a
    country or region, not a city), ``colour``, ``label`` (plain text) and
    ``tip`` (escaped HTML).
    """
    names = display_names(tables)
    palette = partner_palette_of(tables)
    regions = set(tables.region_members())
    caps = layers.capitals(tables)
    anchors = {str(i): g.representative_point() for i, g in zip(countries["iso3"], countries.geometry, strict=True)}
    for region, outline in zip(
        *layers.region_outlines(tables, countries)[["region", "geometry"]].T.values, strict=True
    ):
        anchors[str(region)] = outline.representative_point()
    items = []
    for _, event in tables.events.iterrows():
        lat = lon = None
        approximate = event["location_precision"] != "city"
        if not approximate:
            lat, lon = float(event["lat"]), float(event["lon"])
        elif text(event["country"]) in anchors:
            point = anchors[text(event["country"])]
            lat, lon = round(point.y, 3), round(point.x, 3)
        where = text(event["place"]) or "place not given"
        items.append({
            "id": event["event_id"], "date": event["date"], "kind": "event", "lat": lat, "lon": lon,
            "approximate": approximate, "colour": EVENT_COLOUR,
            "label": f"{event['date']}: {event['name']} ({where})",
            "tip": tooltip_html(event["name"], [("Date", text(event["date"])), ("Place", where),
                                                ("Participants", text(event["participants"])),
                                                ("Source", source_label(tables, event["source_id"]))],
                                note="Placed on the country: the source names no city." if approximate else ""),
        })  # fmt: skip
    for _, deal in tables.deals.iterrows():
        country = deal["country"]
        if country in caps:
            lon, lat = caps[country]
            approximate = False
        elif country in anchors:
            lat, lon = round(anchors[country].y, 3), round(anchors[country].x, 3)
            approximate = True
        else:
            lat = lon = None
            approximate = True
        value = format_usd(deal["value_usd"], deal["value_qualifier"])
        title = f"{names.get(deal['partner'], deal['partner'])} – {names.get(country, country)}: {value}"
        items.append({
            "id": deal["deal_id"], "date": deal["date"], "kind": "deal", "lat": lat, "lon": lon,
            "approximate": approximate, "colour": palette.get(deal["partner"], INK),
            "label": f"{deal['date']}: {title}",
            "tip": tooltip_html(title, [("Date", text(deal["date"])), ("What", text(deal["description"])),
                                        ("Parties", text(deal["parties"])),
                                        ("Source", source_label(tables, deal["source_id"], deal["attributed_to"]))],
                                note=_deal_note(country, approximate, regions)),
        })  # fmt: skip
    for item in items:
        item["year"] = parse_partial_date(item["date"])[0]
    items.sort(key=lambda i: (i["date"], i["id"]))
    _fan_out(items)
    return items


def _deal_note(country: str, approximate: bool, regions: set[str]) -> str:
    if not approximate:
        return "Drawn at the counterpart's capital."
    if country in regions:
        return "Region-level figure, drawn on the region."
    return "Drawn on the counterpart country: its capital is not known."


#: How far (degrees) markers that share a place are moved apart, around it, so each can be hovered.
FAN_OUT_DEG = 0.9


def _fan_out(items: list[dict]) -> None:
    places: dict[tuple[float, float], list[dict]] = {}
    for item in items:
        if item["lat"] is not None:
            places.setdefault((item["lat"], item["lon"]), []).append(item)
    for (lat, lon), together in places.items():
        if len(together) < 2:
            continue
        for k, item in enumerate(together):
            angle = 2 * math.pi * k / len(together)
            item["lat"] = round(lat + FAN_OUT_DEG * math.sin(angle), 3)
            item["lon"] = round(lon + FAN_OUT_DEG * math.cos(angle) / max(math.cos(math.radians(lat)), 0.2), 3)


def timeline_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the timeline map: events and deals on a year slider.

    Events with a city are points; events known only by country, and
    region-level deals, are placed on the country or region and drawn dashed.
    The slider starts on the last year, showing everything; the list under
    it names what happened in the chosen year, including events with no place.
    The span of years and the partners come from the data.

    Returns
    -------
    folium.Map
        An ordinary folium map.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    countries = web_countries(None, max_zoom=2, scale="110m", source=countries)
    names = display_names(tables)
    palette = partner_palette_of(tables)
    items = timeline_items(tables, countries)
    span = year_span(i["date"] for i in items)
    first, last = span if span else (0, 0)
    title, subtitle = story.words(
        "timeline",
        f"{story.region_name}: a timeline" + (f", {span_text(span)}" if span else ""),
        "Events and deals by year. Move the slider; the list names that year's items."
        if items
        else "No dated event or deal in the data.",
    )
    page = PageText(
        title=title,
        subtitle=subtitle,
        source=source_line(tables, list(tables.events["source_id"]) + list(tables.deals["source_id"])),
        byline=story.byline,
    )
    with stable_ids(f"timeline:{region}"):
        m = new_map(page, region_view(countries, members, pad=4.0), tiles)
        if items:
            m.add_child(YearSlider(items, first, last))
        partners = sorted({str(p) for p in tables.deals["partner"]})
        entries = []
        if any(i["kind"] == "event" for i in items):
            entries.append(LegendEntry("event", fill=EVENT_COLOUR, edge="#ffffff", shape="circle", size=12))
        entries += [
            LegendEntry(
                f"deal with {names.get(p, p)}" if p not in members else f"deal by {names.get(p, p)}",
                fill=palette.get(p, INK),
                edge="#ffffff",
                shape="circle",
                size=12,
            )
            for p in partners
        ]
        if any(i["approximate"] and i["lat"] is not None for i in items):
            entries.append(
                LegendEntry(
                    "placed on a country or region (no city given)",
                    fill="#ffffff",
                    edge=INK,
                    shape="dashed-circle",
                    size=12,
                )
            )
        if items:
            entries.append(
                LegendEntry(
                    "the chosen year: larger; earlier years: faded; markers sharing a place are fanned out around it",
                    fill="#bbbbbb",
                    edge="#ffffff",
                    shape="circle",
                    size=8,
                )
            )
        if entries:
            add_legend(m, [LegendSection("Timeline", tuple(entries))])
    return m
