"""Events, deals and dated resource finds as a dated sequence beside the map: what happened when, and where.

Every item is listed in date order, grouped by year (years with nothing are
compressed into one line), with Previous / Play / Next; the current item is
shown in words, emphasised on the map and its tooltip opened
(``assets/timeline.js``).
"""

from __future__ import annotations

import math

import folium
import geopandas as gpd
import pandas as pd
from jinja2 import Template

from c5map import layers
from c5map.boundaries import load_countries
from c5map.format import format_quantity, format_usd
from c5map.maps.assets import script_once, style_once
from c5map.maps.common import (
    date_words,
    display_names,
    page_view,
    partner_palette_of,
    place_words,
    source_label,
    source_line,
    text,
)
from c5map.maps.figures import add_data_table, page_figures
from c5map.maps.labels import add_labels
from c5map.maps.legend import LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, PageText, new_map
from c5map.maps.resources import RESOURCE_COLOUR
from c5map.maps.safety import json_for_script, stable_ids, tooltip_html
from c5map.maps.shapes import wrap_lon
from c5map.maps.style import INK
from c5map.story import Story, span_text, story_for, word_list, year_span
from c5map.tables import Tables, parse_partial_date

EVENT_COLOUR = INK
#: Outline of a resource marker (partners' markers have a white one): resource and partner colours may be alike.
RESOURCE_EDGE = "#5c3b00"
#: Milliseconds between two items while the timeline plays (``assets/timeline.js`` reads it from the page).
PLAY_STEP_MS = 1500
#: Most items the page lists, the most recent kept: its size stays bounded whatever the tables hold.
MAX_ITEMS = 300

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
            groups.append({"year": None, "label": f"{empty}: nothing reported", "items": []})
        groups.append({"year": year, "label": str(year), "items": [index]})
    return groups


def timeline_items(tables: Tables, countries: gpd.GeoDataFrame) -> list[dict]:
    """Dated events, deals and resource finds as timeline items, sorted by date then id.

    A resource (``resources.csv``) is an item when it has a ``date``: a
    discovery or an announcement; it is placed on its point, or on its
    country when only the country is known.

    Each item: ``id``, ``date`` (as the source gives it), ``when`` (the date
    as people write it: ``September 2025``), ``year``, ``kind`` (``event``,
    ``deal`` or ``resource``), ``lat, lon`` (None when the source gives no
    place), ``approximate`` (placed on a country or region, not a city or
    site), ``colour`` and ``edge`` (fill and outline), ``text`` (what happened, plain text), ``detail`` (a
    line more, plain text, may be empty), ``label`` (``when: text``) and
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

    def anchor(code: object) -> tuple[float | None, float | None]:
        point = anchors.get(text(code))
        return (round(point.y, 3), round(point.x, 3)) if point is not None else (None, None)

    items = []
    for _, event in tables.events.iterrows():
        approximate = event["location_precision"] != "city"
        if not approximate:
            lat, lon = float(event["lat"]), float(event["lon"])
        else:
            lat, lon = anchor(event["country"])
        where = place_words(event, names)
        items.append({
            "id": event["event_id"], "date": event["date"], "kind": "event", "lat": lat, "lon": lon,
            "approximate": approximate, "colour": EVENT_COLOUR, "edge": "#ffffff",
            "text": f"{event['name']} ({where})" if where != "place not given" else str(event["name"]),
            "detail": text(event["participants"]),
            "tip": tooltip_html(event["name"], [("Date", date_words(event["date"])), ("Place", where),
                                                ("Participants", text(event["participants"])),
                                                ("Source", source_label(tables, event["source_id"]))],
                                note="Placed on the country: the source names no city." if approximate else ""),
        })  # fmt: skip
    for _, deal in tables.deals.iterrows():
        country = deal["country"]
        if country in caps:
            lon, lat = caps[country]
            approximate = False
        elif country in regions:  # a region-level figure on the map would sit on one member and read as its own
            lat = lon = None
            approximate = True
        else:
            lat, lon = anchor(country)
            approximate = True
        value = format_usd(deal["value_usd"], deal["value_qualifier"])
        if deal["partner"] == country:
            title = f"{names.get(country, country)}, domestic programme: {value}"
        else:
            title = f"{names.get(deal['partner'], deal['partner'])} → {names.get(country, country)}: {value}"
        items.append({
            "id": deal["deal_id"], "date": deal["date"], "kind": "deal", "lat": lat, "lon": lon,
            "region": country in regions,
            "approximate": approximate, "colour": palette.get(deal["partner"], INK), "edge": "#ffffff",
            "text": title, "detail": text(deal["description"]),
            "tip": tooltip_html(title, [("Date", date_words(deal["date"])), ("What", text(deal["description"])),
                                        ("Parties", text(deal["parties"])),
                                        ("Source", source_label(tables, deal["source_id"], deal["attributed_to"]))],
                                note=_deal_note(country, approximate, regions)),
        })  # fmt: skip
    for _, row in dated_resources(tables).iterrows():
        precision = text(row["location_precision"])
        if text(row["lon"]) and text(row["lat"]):
            lat, lon = float(row["lat"]), float(row["lon"])
        else:
            lat, lon = anchor(row["country"])
        quantity = format_quantity(row["quantity"], text(row["unit"]), text(row["value_qualifier"]) or "exact")
        details = [
            ("Reported", date_words(row["date"])),
            ("Estimated quantity", quantity),
            ("Elements", text(row["elements"])),
            ("Status", text(row["status"])),
            ("Location", f"known to the {precision} only" if precision in ("region", "country") else precision),
            ("Source", source_label(tables, row["source_id"], row["attributed_to"])),
        ]
        items.append({
            "id": row["resource_id"], "date": text(row["date"]), "kind": "resource", "lat": lat, "lon": lon,
            "approximate": precision in ("region", "country"), "colour": RESOURCE_COLOUR, "edge": RESOURCE_EDGE,
            "text": f"{row['name']} reported: {quantity}",
            "detail": "; ".join(v for v in (text(row["status"]), text(row["elements"])) if v),
            "tip": tooltip_html(row["name"], [d for d in details if d[1]], note=text(row["note"])),
        })  # fmt: skip
    for item in items:
        item["date"] = str(item["date"])
        item["year"] = parse_partial_date(item["date"])[0]
        item["when"] = date_words(item["date"])
        item["label"] = f"{item['when']}: {item['text']}"
    items.sort(key=lambda i: (i["date"], i["id"]))
    _fan_out(items)
    return items


def dated_resources(tables: Tables):
    """Rows of ``resources.csv`` with a real date: discoveries and announcements, which belong on a timeline."""
    resources = tables.resources
    dated = [parse_partial_date(text(d)) is not None for d in resources["date"]]
    return resources[pd.Series(dated, index=resources.index, dtype=bool)]  # a list of none would pick no columns


def _deal_note(country: str, approximate: bool, regions: set[str]) -> str:
    if not approximate:
        return "Drawn at the counterpart's capital."
    if country in regions:
        return "Region-level figure: about the region as a whole, so it is listed, not placed on a member."
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
    folium.Map
        An ordinary folium map.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    # places and the opening view come from the 1:10m countries (nothing is drawn from them): the 1:110m file
    # lacks small countries, which would then be neither framed nor placed
    countries = load_countries("10m") if countries is None else countries
    names = display_names(tables)
    palette = partner_palette_of(tables)
    items = timeline_items(tables, countries)
    span = year_span(i["date"] for i in items)
    earlier = max(0, len(items) - MAX_ITEMS)
    if earlier:  # the most recent: a reader steps through a story, not a register; the rest is in the data
        items = items[-MAX_ITEMS:]
        _fan_out(items)
    kind_words = {"event": "events", "deal": "deals", "resource": "resource finds"}
    what = word_list([kind_words[k] for k in kind_words if any(i["kind"] == k for i in items)])
    title, subtitle = story.words(
        "timeline",
        f"{story.region_name}: a timeline" + (f", {span_text(span)}" if span else ""),
        f"{what.capitalize()} in date order. Press Play, step through them, or choose one from the list."
        if items
        else "No dated event, deal or resource find in the data.",
    )
    if earlier:
        subtitle += f" The {len(items)} most recent items are listed; {earlier:,} earlier ones are in the data (geo/)."
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
        m = new_map(page, view, tiles, seam=seam)
        drawn = [i for i in items if i["lat"] is not None]  # the legend names only what is on the map
        entries = []
        if any(i["kind"] == "event" for i in drawn):
            entries.append(LegendEntry("event", fill=EVENT_COLOUR, edge="#ffffff", shape="circle", size=12))
        partners = sorted(set(_deal_partners(tables, drawn)))
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
        if any(i["kind"] == "resource" for i in drawn):
            entries.append(
                LegendEntry(
                    "resource find or announcement", fill=RESOURCE_COLOUR, edge=RESOURCE_EDGE, shape="circle", size=12
                )
            )
        if any(i["approximate"] for i in drawn):
            entries.append(
                LegendEntry(
                    "placed on a country or region, not a city or site",
                    fill="#ffffff",
                    edge=INK,
                    shape="dashed-circle",
                    size=12,
                )
            )
        if drawn:
            entries.append(
                LegendEntry(
                    "chosen item: large; later ones: faded; items sharing a place: fanned out around it",
                    fill="#bbbbbb",
                    edge="#ffffff",
                    shape="circle",
                    size=8,
                )
            )
        if entries:
            add_legend(m, [LegendSection("Timeline", tuple(entries))])
        if items:  # after the legend: the panel keeps clear of the boxes already on the map
            m.add_child(TimelinePanel(items, view))
        add_labels(m, tables, members, partners, seam=seam)
        listed = {kind: {i["id"] for i in items if i["kind"] == kind} for kind in ("event", "deal", "resource")}
        add_data_table(
            m,
            page_figures(
                tables,
                deals=tables.deals[tables.deals["deal_id"].isin(listed["deal"])],
                resources=resources[resources["resource_id"].isin(listed["resource"])],
                events=tables.events[tables.events["event_id"].isin(listed["event"])],
            ),
            "Every event, deal and resource find on the timeline, in the tables' order.",
            finding=(
                f"{len(items)} dated item{'s' * (len(items) != 1)}"
                + (f", {span_text(span)}" if span else "")
                + f"; the latest, {items[-1]['when']}: {items[-1]['text']}."
            )
            if items
            else "",
        )
    return m


def _deal_partners(tables: Tables, items: list[dict]) -> list[str]:
    """Return the partners of the deals among ``items``."""
    partner = dict(zip(tables.deals["deal_id"], tables.deals["partner"], strict=True))
    return [str(partner[i["id"]]) for i in items if i["kind"] == "deal"]
