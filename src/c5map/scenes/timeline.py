"""The timeline scene: every dated event, deal and resource find, placed as precisely as known; once for both.

:func:`timeline_scene` decides the items (text, date, place, colour), which the page lists (the most recent
:data:`MAX_ITEMS`), the legend and the words. ``c5map.maps.timeline`` draws it as a Leaflet page with a list
beside the map; ``c5map.images.timeline`` as a dated strip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from c5map import layers
from c5map.format import format_count, format_quantity, format_usd
from c5map.i18n import N_, gettext
from c5map.maps.common import date_words, display_names, partner_palette_of, place_words, source_label, text
from c5map.maps.safety import tooltip_html
from c5map.maps.style import INK, RESOURCE_COLOUR
from c5map.scenes import LegendEntry, LegendSection, SceneText
from c5map.story import Story, span_text, word_list, year_span
from c5map.tables import Tables, parse_partial_date

#: Fill of an event marker.
EVENT_COLOUR = INK
#: Outline of a resource marker (partners' markers have a white one): resource and partner colours may be alike.
RESOURCE_EDGE = "#5c3b00"
#: Most items the page lists, the most recent kept: its size stays bounded whatever the tables hold.
MAX_ITEMS = 300


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

    items = _event_items(tables, anchor, names)
    items += _deal_items(tables, anchor, names, palette, caps, regions)
    items += _resource_items(tables, anchor)
    for item in items:
        item["date"] = str(item["date"])
        item["year"] = parse_partial_date(item["date"])[0]
        item["when"] = date_words(item["date"])
        item["label"] = f"{item['when']}: {item['text']}"
    items.sort(key=lambda i: (i["date"], i["id"]))
    _fan_out(items)
    return items


def _event_items(tables: Tables, anchor, names: dict[str, str]) -> list[dict]:
    """Timeline items of the events: at their city, or on their country when the source names none."""
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
            "text": f"{event['name']} ({where})" if where != gettext("place not given") else str(event["name"]),
            "detail": text(event["participants"]),
            "tip": tooltip_html(event["name"], [(gettext("Date"), date_words(event["date"])), (gettext("Place"), where),
                                                (gettext("Participants"), text(event["participants"])),
                                                (gettext("Source"), source_label(tables, event["source_id"]))],
                                note=gettext("Placed on the country: the source names no city.") if approximate else (
                                    "")),
        })  # fmt: skip
    return items


def _deal_items(tables: Tables, anchor, names: dict[str, str], palette, caps, regions: set[str]) -> list[dict]:
    """Timeline items of the deals: at the counterpart's capital; a region-level deal is listed, not placed."""
    items = []
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
            title = gettext("{country}, domestic programme: {value}").format(country=names.get(country, country),
                                                                             value=value)  # fmt: skip
        else:
            title = f"{names.get(deal['partner'], deal['partner'])} → {names.get(country, country)}: {value}"
        items.append({
            "id": deal["deal_id"], "date": deal["date"], "kind": "deal", "lat": lat, "lon": lon,
            "region": country in regions,
            "approximate": approximate, "colour": palette.get(deal["partner"], INK), "edge": "#ffffff",
            "text": title, "detail": text(deal["description"]),
            "tip": tooltip_html(title, [(gettext("Date"), date_words(deal["date"])),
                                        (gettext("What"), text(deal["description"])),
                                        (gettext("Parties"), text(deal["parties"])),
                                        (gettext("Source"), source_label(tables, deal["source_id"],
                                                                         deal["attributed_to"]))],
                                note=_deal_note(country, approximate, regions)),
        })  # fmt: skip
    return items


#: Where a resource find is, when only its region or country is known.
KNOWN_TO = {"region": N_("known to the region only"), "country": N_("known to the country only")}


def _resource_items(tables: Tables, anchor) -> list[dict]:
    """Timeline items of the dated resource finds: at their point, or on their country."""
    items = []
    for _, row in dated_resources(tables).iterrows():
        precision = text(row["location_precision"])
        if text(row["lon"]) and text(row["lat"]):
            lat, lon = float(row["lat"]), float(row["lon"])
        else:
            lat, lon = anchor(row["country"])
        quantity = format_quantity(row["quantity"], text(row["unit"]), text(row["value_qualifier"]) or "exact")
        details = [
            (gettext("Reported"), date_words(row["date"])),
            (gettext("Estimated quantity"), quantity),
            (gettext("Elements"), text(row["elements"])),
            (gettext("Status"), text(row["status"])),
            (gettext("Location"), gettext(KNOWN_TO[precision]) if precision in KNOWN_TO else precision),
            (gettext("Source"), source_label(tables, row["source_id"], row["attributed_to"])),
        ]
        items.append({
            "id": row["resource_id"], "date": text(row["date"]), "kind": "resource", "lat": lat, "lon": lon,
            "approximate": precision in ("region", "country"), "colour": RESOURCE_COLOUR, "edge": RESOURCE_EDGE,
            "text": gettext("{name} reported: {quantity}").format(name=row["name"], quantity=quantity),
            "detail": "; ".join(v for v in (text(row["status"]), text(row["elements"])) if v),
            "tip": tooltip_html(row["name"], [d for d in details if d[1]], note=text(row["note"])),
        })  # fmt: skip
    return items


def dated_resources(tables: Tables):
    """Rows of ``resources.csv`` with a real date: discoveries and announcements, which belong on a timeline."""
    resources = tables.resources
    dated = [parse_partial_date(text(d)) is not None for d in resources["date"]]
    return resources[pd.Series(dated, index=resources.index, dtype=bool)]  # a list of none would pick no columns


def _deal_note(country: str, approximate: bool, regions: set[str]) -> str:
    if not approximate:
        return gettext("Drawn at the counterpart's capital.")
    if country in regions:
        return gettext("Region-level figure: about the region as a whole, so it is listed, not placed on a member.")
    return gettext("Drawn on the counterpart country: its capital is not known.")


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


def deal_partners(tables: Tables, items: list[dict]) -> list[str]:
    """Return the partners of the deals among ``items``."""
    partner = dict(zip(tables.deals["deal_id"], tables.deals["partner"], strict=True))
    return [str(partner[i["id"]]) for i in items if i["kind"] == "deal"]


def timeline_section(tables: Tables, members, items: list[dict]) -> LegendSection | None:
    """Return the timeline's legend: the kinds of marker of the items placed on the map."""
    names = display_names(tables)
    palette = partner_palette_of(tables)
    drawn = [i for i in items if i["lat"] is not None]  # the legend names only what is on the map
    entries = []
    if any(i["kind"] == "event" for i in drawn):
        entries.append(LegendEntry(gettext("event"), fill=EVENT_COLOUR, edge="#ffffff", shape="circle", size=12))
    entries += [
        LegendEntry(gettext(N_("deal with {partner}") if p not in members else N_("deal by {partner}")).format(
                    partner=names.get(p, p)),
                    fill=palette.get(p, INK), edge="#ffffff", shape="circle", size=12)
        for p in sorted(set(deal_partners(tables, drawn)))
    ]  # fmt: skip
    if any(i["kind"] == "resource" for i in drawn):
        entries.append(LegendEntry(gettext("resource find or announcement"), fill=RESOURCE_COLOUR,
                                   edge=RESOURCE_EDGE, shape="circle", size=12))  # fmt: skip
    if any(i["approximate"] for i in drawn):
        entries.append(LegendEntry(gettext("placed on a country or region, not a city or site"), fill="#ffffff",
                                   edge=INK, shape="dashed-circle", size=12))  # fmt: skip
    return LegendSection(gettext("Timeline"), tuple(entries)) if entries else None


@dataclass(frozen=True)
class TimelineScene:
    """Everything the timeline page and image show (see :func:`timeline_scene`).

    Attributes
    ----------
    text : SceneText
    items : list of dict
        The items the page lists (:func:`timeline_items`), the most recent :data:`MAX_ITEMS`.
    earlier : int
        How many earlier items are not listed (they are in the data and geo/).
    section : LegendSection or None
        The legend of the markers on the map.
    span : tuple of int, or None
        First and last year of every item, listed or not.
    """

    text: SceneText
    items: list
    earlier: int
    section: LegendSection | None
    span: tuple[int, int] | None = None


def timeline_scene(tables: Tables, story: Story, countries: gpd.GeoDataFrame) -> TimelineScene:
    """Decide the timeline page and image once: the items, what is left out, the legend and the words."""
    items = timeline_items(tables, countries)
    span = year_span(i["date"] for i in items)
    earlier = max(0, len(items) - MAX_ITEMS)
    if earlier:  # the most recent: a reader steps through a story, not a register; the rest is in the data
        items = items[-MAX_ITEMS:]
        _fan_out(items)
    kind_words = {"event": N_("events"), "deal": N_("deals"), "resource": N_("resource finds")}
    what = word_list([gettext(kind_words[k]) for k in kind_words if any(i["kind"] == k for i in items)])
    title = gettext("{region}: a timeline").format(region=story.region_heading) + (
        gettext(", {years}").format(years=span_text(span)) if span else "")  # fmt: skip
    derived = gettext("No dated event, deal or resource find in the data.")
    if items:
        derived = gettext("{kinds} in date order. Press Play, step through them, or choose one from the list.")
        derived = derived.format(kinds=what.capitalize())
    title, subtitle = story.words("timeline", title, derived)
    if earlier:  # said whatever the story file's subtitle: the page's list is not the whole table
        words = gettext(" The {n} most recent items are listed; {earlier} earlier ones are in the data (geo/).")
        subtitle += words.format(n=len(items), earlier=format_count(earlier))
    print_subtitle = gettext("Events (black), deals (partner colour) and resource finds (orange), by date as precise "
                             "as the source gives it")  # fmt: skip
    _, print_subtitle = story.print_words("timeline", title, print_subtitle)
    section = timeline_section(tables, story.members, items)
    return TimelineScene(SceneText(title, subtitle, print_subtitle), items, earlier, section, span)
