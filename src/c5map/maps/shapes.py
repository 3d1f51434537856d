"""Geometry packed for the page: shape sets written once, and the layers that draw them.

A :class:`SharedShapes` holds some polygons as integer steps (a fraction of a
page's size as plain GeoJSON); any number of :class:`ShapeLayer` draw them,
each with its own style and tooltip per shape. The decoding and drawing
functions are ``assets/shapes.js``.

Every page draws one copy of the world around its region: longitudes run over
360° from a *seam* meridian (:func:`page_seam`) chosen where it cuts the least
land near the far side of the globe, not at ±180°. Russia and Fiji stay whole,
and an arc from Canberra to Washington is one line, not two stubs.

What a page draws goes into panes in a fixed order (:data:`PANES`, ``assets/order.js``),
set up by :class:`LayerOrder`: a partner's fills switched on later never cover the
region's outline, the flow lines or the events.
"""

from __future__ import annotations

import math
from functools import cache

import branca.element
import geopandas as gpd
import numpy as np
import shapely
from jinja2 import Template

from c5map.boundaries import MAX_ZOOM, load_countries
from c5map.maps.assets import script_once
from c5map.maps.safety import json_for_script

_SHARED_SHAPES = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = c5mapShapes({{ this.data_js }}{% if this.along %}, {{ this.along.get_name() }}{% endif %});
{% endmacro %}
""")


class SharedShapes(branca.element.MacroElement):
    """Geometry written once per page and drawn by several :class:`ShapeLayer` (one per partner).

    folium's GeoJson embeds its data in every layer; five countries drawn
    for three partners would be written three times.
    """

    _template = _SHARED_SHAPES

    def __init__(
        self,
        frame: gpd.GeoDataFrame,
        id_column: str = "iso3",
        seam: float = -180.0,
        along: SharedShapes | None = None,
    ):
        super().__init__()
        self._name = "SharedShapes"
        decimals = _decimals(frame.geometry.values)
        # wrapping cuts at the seam and rejoins: round back onto the source's grid
        geometries = [
            shapely.transform(wrap_geometry(g, seam), lambda xy: np.round(xy, decimals)) if seam > -180 else g
            for g in frame.geometry
        ]
        # a shape set drawn along another (a region's outline along its members' borders) refers to the stretches
        # of border they share instead of writing them again; only on the other set's grid
        self.along = along if along is not None and along.scale >= 10**decimals else None
        self.scale = self.along.scale if self.along else 10**decimals
        self.rings = []
        shared = _RingIndex(self.along.rings) if self.along else None
        packed = []
        for key, geom in zip(frame[id_column], geometries, strict=True):
            polygons = _integer_rings(geom, self.scale)
            self.rings.extend(ring[:-1] for rings in polygons for ring in rings)
            packed.append([str(key), [[_pack_ring(ring, shared) for ring in rings] for rings in polygons]])
        self.data_js = json_for_script({"s": self.scale, "f": packed})
        self.ids = [str(k) for k in frame[id_column]]

    def render(self, **kwargs) -> None:
        """Render this shape set, and the decoder once per page."""
        script_once(self, "shapes.js")
        super().render(**kwargs)


def _decimals(geometries: np.ndarray, most: int = 7) -> int:
    """Return the fewest decimal places that hold every coordinate exactly (geometry is quantised upstream)."""
    coordinates = shapely.get_coordinates(geometries)
    for decimals in range(most):
        scaled = coordinates * 10**decimals
        if np.allclose(scaled, np.rint(scaled), rtol=0, atol=1e-6):
            return decimals
    return most


def _integer_rings(geometry, scale: int) -> list[list[list[tuple[int, int]]]]:
    """Return a (Multi)Polygon as polygons of closed rings of integer points (1/scale degree)."""
    polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    return [
        [
            list(map(tuple, np.rint(np.asarray(ring.coords)[:, :2] * scale).astype(np.int64).tolist()))
            for ring in (polygon.exterior, *polygon.interiors)
        ]
        for polygon in polygons
    ]


#: The fewest points a stretch shared with another shape set must have to be written as a reference to it.
SHARED_STRETCH = 3


class _RingIndex:
    """Where each point lies on another shape set's rings, to find the stretches a ring shares with them."""

    def __init__(self, rings: list[list[tuple[int, int]]]):
        self.rings = rings
        self.where: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for number, ring in enumerate(rings):
            for position, point in enumerate(ring):
                self.where.setdefault(point, []).append((number, position))

    def longest_stretch(self, points: list[tuple[int, int]], start: int) -> tuple[int, int, int, int]:
        """Return ``(ring, position, length, direction)`` of the longest run of ``points[start:]`` on one ring."""
        best = (0, 0, 0, 1)
        for number, position in self.where.get(points[start], ()):
            ring = self.rings[number]
            size = len(ring)
            for direction in (1, -1):
                length = 1
                while (
                    start + length < len(points)
                    and length <= size
                    and ring[(position + direction * length) % size] == points[start + length]
                ):
                    length += 1
                if length > best[2]:
                    best = (number, position, length, direction)
        return best


def encoded_steps(steps: list[int]) -> str:
    """Return integer steps as text in the encoded polyline algorithm's alphabet (Google's, also OSRM's).

    Each number is zigzagged (0, -1, 1, -2, ... to 0, 1, 2, 3, ...) and written 5 bits a character, low bits
    first, characters ``?`` to ``~``: a step of a few hundred takes 2 characters where ``-512,`` takes 5.
    Decoded by ``c5mapSteps`` (``assets/shapes.js``).

    Examples
    --------
    >>> encoded_steps([3850000, -12020000])  # the algorithm's own example point, 38.5 -120.2 at 1e5
    '_p~iF~ps|U'
    """
    out = []
    for step in steps:
        value = step * 2 if step >= 0 else -step * 2 - 1
        while value >= 32:
            out.append(chr((32 | (value & 31)) + 63))
            value >>= 5
        out.append(chr(value + 63))
    return "".join(out)


def _pack_ring(ring: list[tuple[int, int]], shared: _RingIndex | None) -> str | dict:
    """Return a closed ring as encoded steps, or, where it runs along ``shared``'s rings, as stretches.

    Steps: ``dx, dy, ...`` from the previous point (the first from 0, 0), as :func:`encoded_steps`.
    Stretches: ``{"r": [...]}`` of ``[ring, position, length, direction]`` references to the other set's rings
    and ``{"p": steps}`` from the last point written.
    """
    if shared is not None:
        parts, steps, last, index = [], [], (0, 0), 0
        while index < len(ring):
            number, position, length, direction = shared.longest_stretch(ring, index)
            if length >= SHARED_STRETCH:
                if steps:
                    parts.append({"p": encoded_steps(steps)})
                    steps = []
                parts.append([number, position, length, direction])
                index += length
                last = ring[index - 1]
            else:
                steps += [ring[index][0] - last[0], ring[index][1] - last[1]]
                last = ring[index]
                index += 1
        if any(isinstance(part, list) for part in parts):
            return {"r": parts + ([{"p": encoded_steps(steps)}] if steps else [])}
    points = np.asarray(ring, dtype=np.int64)
    return encoded_steps(np.diff(points, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist())


_SHAPE_LAYER = Template("""
{% macro script(this, kwargs) %}
c5mapShapeLayer({{ this._parent.get_name() }}, {{ this.shapes.get_name() }}, {{ this.styles_js }}, {{ this.tips_js }},
                {{ this.pane_js }});
{% endmacro %}
""")


class ShapeLayer(branca.element.MacroElement):
    """Draw some of a :class:`SharedShapes` with a style and an (escaped) tooltip per shape.

    Parameters
    ----------
    shapes : SharedShapes
    styles : dict of str to dict
        Leaflet path options per shape id; shapes without a style are not drawn.
    tooltips : dict of str to str
        Tooltip HTML per shape id, built with :func:`c5map.maps.safety.tooltip_html` (escaped).
    pane : str, optional
        One of :data:`PANES` (``"fills"``, ``"borders"``); default Leaflet's overlay pane, under them all
        (the land drawn without tiles).
    """

    _template = _SHAPE_LAYER

    def __init__(
        self, shapes: SharedShapes, styles: dict[str, dict], tooltips: dict[str, str], pane: str | None = None
    ):
        super().__init__()
        self._name = "ShapeLayer"
        self.shapes = shapes
        self.styles_js = json_for_script(styles)
        self.tips_js = json_for_script(tooltips)
        self.pane = PANES[pane] if pane else None
        self.pane_js = json_for_script(self.pane)

    def render(self, **kwargs) -> None:
        """Render this layer's call, and the drawing function once per page."""
        script_once(self, "shapes.js")
        if self.pane:
            script_once(self, "order.js")
        super().render(**kwargs)


#: The panes of a page, bottom to top (their z-indexes are in ``assets/order.js``): fills, then borders and the
#: region's outline, then flow lines, then symbols and events, then the figures written beside them. The place
#: labels lie above them all, and the tooltips above the labels and the panels.
PANES = {
    "fills": "c5-fills",
    "borders": "c5-borders",
    "arcs": "c5-arcs",
    "symbols": "c5-symbols",
    "figures": "c5-figures",
}
#: The deepest zoom at which the land drawn without tiles (Natural Earth 1:110m) shows its own borders: deeper,
#: they would run as slivers beside the page's 1:10m borders (Kazakhstan's are within 2 px of them at zoom 5).
GROUND_ZOOM = 5
#: How far out a reader may zoom: this many zooms short of the one that fits the opening view (never below 2).
ZOOM_OUT = 2

_LAYER_ORDER = Template("""
{% macro script(this, kwargs) %}
c5mapOrder({{ this._parent.get_name() }}, {{ this.options_js }});
{% endmacro %}
""")


class LayerOrder(branca.element.MacroElement):
    """Set up a page's panes (:data:`PANES`), tooltips above all, and the zoom's bounds (``assets/order.js``).

    Add it to the map right after :func:`c5map.maps.page.new_map`, before any layer.

    Parameters
    ----------
    view : tuple of float
        (west, south, east, north) the page opens on: the reader may zoom out :data:`ZOOM_OUT` zooms short
        of the one that fits it, never below 2.
    max_zoom : int
        The deepest zoom, whatever the tiles (the one the page's borders were simplified for).
    """

    _template = _LAYER_ORDER

    def __init__(self, view: tuple[float, float, float, float], max_zoom: int = MAX_ZOOM):
        super().__init__()
        self._name = "LayerOrder"
        west, south, east, north = view
        self.options_js = json_for_script(
            {
                "view": [[round(south, 4), round(west, 4)], [round(north, 4), round(east, 4)]],
                "maxZoom": int(max_zoom),
                "zoomOut": ZOOM_OUT,
                "groundZoom": GROUND_ZOOM,
            }
        )

    def render(self, **kwargs) -> None:
        """Render the call, and the function once per page."""
        script_once(self, "order.js")
        super().render(**kwargs)


def in_pane(layer, pane: str):
    """Put a folium vector layer (``CircleMarker``, ``Circle``) in one of :data:`PANES`; return it.

    folium's path options drop ``pane``: it is set on the layer's options here.
    """
    layer.options["pane"] = PANES[pane]
    return layer


def latlon_parts(geometry, seam: float = -180.0) -> list[list[tuple[float, float]]]:
    """(lat, lon) lists of a line, one per stretch within the page's world copy, rounded, as Leaflet wants them.

    The line's parts (a great circle split at ±180°) are joined into one
    continuous run of longitudes, placed in the window that starts at
    ``seam``, and cut only where they cross the seam itself.
    """
    parts = list(geometry.geoms) if geometry.geom_type == "MultiLineString" else [geometry]
    xy = np.vstack([np.asarray(p.coords)[:, :2] for p in parts])
    xs = np.degrees(np.unwrap(np.radians(xy[:, 0])))
    xs += 360.0 * np.floor((seam + 360.0 - xs[0]) / 360.0)  # the start inside [seam, seam + 360)
    ys = xy[:, 1]
    # plain floats, never views of the array: a point once placed stays where it was placed
    previous = (float(xs[0]), float(ys[0]))
    stretches, current, offset = [], [previous], 0.0
    for x, y in zip(xs[1:].tolist(), ys[1:].tolist(), strict=True):
        x -= offset
        shift = 360.0 * math.floor((x - seam) / 360.0)
        if shift:  # left the window: cut at the seam, go on from the other side
            edge = seam + 360.0 if shift > 0 else seam
            t = (edge - previous[0]) / (x - previous[0])
            y_edge = previous[1] + t * (y - previous[1])
            current.append((edge, y_edge))
            stretches.append(current)
            current = [(edge - math.copysign(360.0, shift), y_edge)]
            offset += shift
            x -= shift
        previous = (x, y)
        current.append(previous)
    stretches.append(current)
    return [[(round(float(y), 3), round(float(x), 3)) for x, y in stretch] for stretch in stretches]


def wrap_lon(lon: float, seam: float = -180.0) -> float:
    """Return ``lon`` in the page's world copy ``[seam, seam + 360)``.

    Examples
    --------
    >>> wrap_lon(-179.5, seam=-168.5), wrap_lon(69.2, seam=-168.5)
    (180.5, 69.2)
    """
    return float(lon) + 360.0 * float(np.floor((seam + 360.0 - float(lon)) / 360.0)) if lon < seam else float(lon)


def wrap_geometry(geometry, seam: float = -180.0):
    """Return a geometry in the page's world copy: what lies west of ``seam`` moves 360° east, pieces rejoined."""
    if geometry is None or geometry.is_empty or seam <= -180.0:
        return geometry
    west, _, east, _ = geometry.bounds
    if east <= seam:
        return shapely.transform(geometry, lambda xy: xy + [360.0, 0.0])
    if west >= seam:
        return geometry
    kept = geometry.intersection(shapely.box(seam, -90, 180, 90))
    moved = shapely.transform(geometry.intersection(shapely.box(-180, -90, seam, 90)), lambda xy: xy + [360.0, 0.0])
    return shapely.union_all([kept, moved])  # a country split at ±180 in the source becomes one piece again


@cache
def page_seam(centre_lon: float) -> float:
    """Return the meridian where a page centred on ``centre_lon`` cuts its world copy.

    Of the meridians within 90° of the antipode, every half degree, the one
    that crosses the least land north of 60°S (Natural Earth 1:110m), the
    nearest to the antipode on a tie. Normalised into [-180, 180).

    Examples
    --------
    >>> page_seam(65.0)  # Central Asia: the seam runs through the Bering Strait, not through Chukotka
    -168.5
    """
    land = shapely.union_all(load_countries("110m").geometry.values)
    antipode = (centre_lon + 360.0) % 360.0 - 180.0
    best = None
    for step in range(-180, 181):
        seam = antipode + step / 2
        x = (seam + 180.0) % 360.0 - 180.0
        # from 60°S: every meridian crosses Antarctica, which would only add noise
        crossed = land.intersection(shapely.LineString([(x, -60.0), (x, 85.0)])).length
        key = (round(crossed, 1), abs(step))
        if best is None or key < best[0]:
            best = (key, x)
    return float(best[1])
