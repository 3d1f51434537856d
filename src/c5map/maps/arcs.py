"""Flow lines of a page: great circles from one capital to another, with direction, above every fill.

Drawn by ``assets/arcs.js`` in a pane of their own above the countries and
borders (``assets/order.js``), so a line does not fade where it arrives, with
an arrowhead at the destination.
A pair drawn both ways (Australia to the US and the US to Australia) is bowed
apart, each to its right, so neither hides the other.
"""

from __future__ import annotations

import math

import branca.element
import folium
from jinja2 import Template

from c5map.maps.assets import script_once
from c5map.maps.safety import json_for_script
from c5map.maps.shapes import latlon_parts

#: How far a line drawn both ways bows from the great circle, as a share of its length.
BOW = 0.04

_ARC = Template("""
{% macro script(this, kwargs) %}
c5mapArc({{ this._parent.get_name() }}, {{ this.map_name }}, {{ this.parts_js }},
         {{ this.options_js }}, {{ this.tip_js }});
{% endmacro %}
""")


class Arc(branca.element.MacroElement):
    """One flow line with an arrowhead; ``tooltip``: escaped HTML (:func:`c5map.maps.safety.tooltip_html`)."""

    _template = _ARC

    def __init__(self, m: folium.Map, parts: list, options: dict, tooltip: str = ""):
        super().__init__()
        self._name = "Arc"
        self.map_name = m.get_name()
        self.parts_js = json_for_script(packed_parts(parts))
        self.options_js = json_for_script(options)
        self.tip_js = json_for_script(tooltip)

    def render(self, **kwargs) -> None:
        """Render the call, and the drawing function once per page."""
        script_once(self, "order.js")
        script_once(self, "arcs.js")
        super().render(**kwargs)


#: Arcs travel as integer steps of 1/ARC_SCALE degree: their points are rounded to 3 decimals (about 100 m).
ARC_SCALE = 1000


def packed_parts(parts: list[list[tuple[float, float]]]) -> list[list[int]]:
    """Return (lat, lon) stretches as flat integer steps ``[dlat, dlon, ...]`` from the previous point.

    The first point steps from (0, 0), each stretch from the last point of the one before: half the bytes of
    the points written out (``assets/arcs.js`` decodes them).

    Examples
    --------
    >>> packed_parts([[(55.75, 37.62), (55.883, 38.383)], [(55.9, 38.4)]])
    [[55750, 37620, 133, 763], [17, 17]]
    """
    out, previous = [], (0, 0)
    for stretch in parts:
        steps = []
        for lat, lon in stretch:
            point = (round(lat * ARC_SCALE), round(lon * ARC_SCALE))
            steps += [point[0] - previous[0], point[1] - previous[1]]
            previous = point
        out.append(steps)
    return out


def bowed(parts: list[list[tuple[float, float]]], share: float = BOW) -> list[list[tuple[float, float]]]:
    """Return (lat, lon) stretches pushed to the right of the direction of travel, most in the middle.

    Examples
    --------
    >>> bowed([[(0.0, 0.0), (0.0, 5.0), (0.0, 10.0)]])  # eastward: bowed south
    [[(0.0, 0.0), (-0.4, 5.0), (0.0, 10.0)]]
    """
    points = [p for stretch in parts for p in stretch]
    (lat0, lon0), (lat1, lon1) = points[0], points[-1]
    squeeze = math.cos(math.radians((lat0 + lat1) / 2)) or 1e-6
    dx, dy = (lon1 - lon0) * squeeze, lat1 - lat0
    length = math.hypot(dx, dy)
    if not length:
        return parts
    nx, ny = dy / length, -dx / length  # to the right of travel
    out, index, total = [], 0, max(len(points) - 1, 1)
    for stretch in parts:
        moved = []
        for lat, lon in stretch:
            push = share * length * math.sin(math.pi * index / total)
            moved.append((round(lat + ny * push, 3) + 0.0, round(lon + nx * push / squeeze, 3) + 0.0))  # no -0.0
            index += 1
        out.append(moved)
    return out


def add_arc(
    group: folium.FeatureGroup,
    m: folium.Map,
    line,
    seam: float,
    *,
    colour: str,
    weight: float,
    tooltip: str = "",
    dashed: bool = False,
    both_ways: bool = False,
    opacity: float = 0.85,
) -> None:
    """Add a flow line (a great circle from :func:`c5map.geodesic.great_circle`) to ``group``."""
    parts = latlon_parts(line, seam)
    if both_ways:
        parts = bowed(parts)
    options = {"color": colour, "weight": weight, "opacity": opacity, "dashArray": "2 6" if dashed else None}
    group.add_child(Arc(m, parts, options, tooltip))
