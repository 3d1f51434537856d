"""Events and deals on a year slider: what happened when, and where."""

from __future__ import annotations

import math

import folium
import geopandas as gpd
from jinja2 import Template

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_usd
from c5map.maps.common import display_names, members_bounds, source_label, source_line, text
from c5map.maps.frame import (
    DEFAULT_TILES,
    INK,
    LegendEntry,
    LegendSection,
    PageText,
    add_legend,
    json_for_script,
    new_map,
    partner_colour,
    stable_ids,
    tooltip_html,
)
from c5map.tables import Tables, parse_partial_date

EVENT_COLOUR = INK

_SLIDER = Template("""
{% macro header(this, kwargs) %}
<style>
.c5-slider{background:rgba(255,255,255,.95);padding:8px 12px;border-radius:4px;width:340px;
  box-shadow:0 1px 4px rgba(0,0,0,.3);font:12px/1.35 system-ui,sans-serif;color:#222}
.c5-slider input{width:100%}
.c5-slider .c5-year{font-size:20px;font-weight:bold}
.c5-slider ul{margin:4px 0 0;padding-left:16px;max-height:150px;overflow-y:auto}
</style>
{% endmacro %}
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var items = {{ this.items_js }};
    var first = {{ this.first }}, last = {{ this.last }};
    var markers = items.map(function(item) {
        var marker = L.circleMarker([item.lat, item.lon], {
            radius: 7, color: '#ffffff', weight: 2, fillColor: item.colour, fillOpacity: 0.9,
            dashArray: item.approximate ? '3 3' : null, className: 'c5-timeline-item'
        });
        if (item.tip) { marker.bindTooltip(item.tip, {sticky: true}); }
        return marker;
    });
    var control = L.control({position: 'bottomleft'});
    control.onAdd = function() {
        var div = L.DomUtil.create('div', 'c5-slider');
        var year = L.DomUtil.create('div', 'c5-year', div);
        var input = L.DomUtil.create('input', 'c5-range', div);
        input.type = 'range'; input.min = first; input.max = last; input.step = 1; input.value = last;
        input.setAttribute('aria-label', 'Year');
        var list = L.DomUtil.create('ul', 'c5-list', div);
        function show(selected) {
            year.textContent = 'Up to ' + selected;
            list.innerHTML = '';
            items.forEach(function(item, i) {
                var marker = markers[i];
                if (item.year <= selected && item.lat !== null) {
                    marker.addTo(map);
                    marker.setStyle({fillOpacity: item.year === selected ? 0.95 : 0.35,
                                     radius: item.year === selected ? 9 : 6});
                } else {
                    marker.remove();
                }
                if (item.year === selected) {
                    var li = document.createElement('li');
                    li.textContent = item.label;  // text, never HTML
                    list.appendChild(li);
                }
            });
            if (!list.children.length) {
                var none = document.createElement('li');
                none.textContent = 'Nothing reported for ' + selected;
                list.appendChild(none);
            }
        }
        input.addEventListener('input', function() { show(parseInt(input.value, 10)); });
        L.DomEvent.disableClickPropagation(div);
        show(last);
        return div;
    };
    control.addTo(map);
})();
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


def timeline_items(tables: Tables, countries: gpd.GeoDataFrame) -> list[dict]:
    """Dated events and deals as slider items, sorted by date then id.

    Each item: ``year, date, kind`` (``event`` or ``deal``), ``lat, lon``
    (None when the source gives no place), ``approximate`` (placed on a
    country or region, not a city), ``colour``, ``label`` (plain text) and
    ``tip`` (escaped HTML).
    """
    names = display_names(tables)
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
            "approximate": approximate, "colour": partner_colour(deal["partner"]),
            "label": f"{deal['date']}: {title}",
            "tip": tooltip_html(title, [("Date", text(deal["date"])), ("What", text(deal["description"])),
                                        ("Parties", text(deal["parties"])),
                                        ("Source", source_label(tables, deal["source_id"], deal["attributed_to"]))],
                                note="Drawn at the counterpart's capital." if not approximate else
                                "Region-level figure, drawn on the region."),
        })  # fmt: skip
    for item in items:
        item["year"] = parse_partial_date(item["date"])[0]
    items.sort(key=lambda i: (i["date"], i["id"]))
    _fan_out(items)
    return items


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
    region: str = "C5",
    countries: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Build the timeline map: events and deals on a year slider.

    Events with a city are points; events known only by country, and
    region-level deals, are placed on the country or region and drawn dashed.
    The slider starts on the last year, showing everything; the list under
    it names what happened in the chosen year, including events with no place.

    Returns
    -------
    folium.Map
    """
    members = tables.region_members().get(region, [])
    countries = web_countries(None, max_zoom=2, scale="110m", source=countries)
    names = display_names(tables)
    items = timeline_items(tables, countries)
    years = [i["year"] for i in items]
    first, last = (min(years), max(years)) if years else (2015, 2025)
    page = PageText(
        title=f"{names.get(region, region)}: a timeline, {first}–{last}",
        subtitle="Summits, forum meetings and deals. Move the slider; the list names that year's items.",
        source=source_line(tables, list(tables.events["source_id"]) + list(tables.deals["source_id"])),
    )
    bounds = members_bounds(countries, members, pad=4.0) if members else (40.0, 30.0, 90.0, 56.0)
    with stable_ids(f"timeline:{region}"):
        m = new_map(page, bounds, tiles)
        m.add_child(YearSlider(items, first, last))
        partners = sorted({str(p) for p in tables.deals["partner"]})
        entries = [LegendEntry("event", fill=EVENT_COLOUR, edge="#ffffff", shape="circle", size=12)]
        entries += [
            LegendEntry(
                f"deal with {names.get(p, p)}",
                fill=partner_colour(p, partners),
                edge="#ffffff",
                shape="circle",
                size=12,
            )
            for p in partners
        ]
        entries.append(
            LegendEntry(
                "placed on a country or region (no city given)",
                fill="#ffffff",
                edge=INK,
                shape="dashed-circle",
                size=12,
            )
        )
        entries.append(
            LegendEntry(
                "the chosen year: larger; earlier years: faded; markers sharing a place are fanned out around it",
                fill="#bbbbbb",
                edge="#ffffff",
                shape="circle",
                size=8,
            )
        )
        add_legend(m, [LegendSection("Timeline", tuple(entries))])
    return m
