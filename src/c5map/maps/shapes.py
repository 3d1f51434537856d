"""Geometry packed for the page: shape sets written once, and the layers that draw them.

A :class:`SharedShapes` holds some polygons as integer steps (a fraction of a
page's size as plain GeoJSON); any number of :class:`ShapeLayer` draw them,
each with its own style and tooltip per shape. The decoding and drawing
functions are ``assets/shapes.js``.
"""

from __future__ import annotations

import branca.element
import geopandas as gpd
import numpy as np
import shapely
from jinja2 import Template

from c5map.maps.assets import script_once
from c5map.maps.safety import json_for_script

_SHARED_SHAPES = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = c5mapShapes({{ this.data_js }});
{% endmacro %}
""")


class SharedShapes(branca.element.MacroElement):
    """Geometry written once per page and drawn by several :class:`ShapeLayer` (one per partner).

    folium's GeoJson embeds its data in every layer; five countries drawn
    for three partners would be written three times.
    """

    _template = _SHARED_SHAPES

    def __init__(self, frame: gpd.GeoDataFrame, id_column: str = "iso3"):
        super().__init__()
        self._name = "SharedShapes"
        scale = 10 ** _decimals(frame.geometry.values)
        packed = [[str(key), _pack(geom, scale)] for key, geom in zip(frame[id_column], frame.geometry, strict=True)]
        self.data_js = json_for_script({"s": scale, "f": packed})
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


def _pack(geometry, scale: int) -> list[list[list[int]]]:
    """Return a (Multi)Polygon as polygons of rings of integer steps (decoded by ``c5mapShapes``)."""
    polygons = list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]
    packed = []
    for polygon in polygons:
        rings = []
        for ring in (polygon.exterior, *polygon.interiors):
            points = np.rint(np.asarray(ring.coords)[:, :2] * scale).astype(np.int64)
            rings.append(np.diff(points, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel().tolist())
        packed.append(rings)
    return packed


_SHAPE_LAYER = Template("""
{% macro script(this, kwargs) %}
c5mapShapeLayer({{ this._parent.get_name() }}, {{ this.shapes.get_name() }}, {{ this.styles_js }}, {{ this.tips_js }});
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
    """

    _template = _SHAPE_LAYER

    def __init__(self, shapes: SharedShapes, styles: dict[str, dict], tooltips: dict[str, str]):
        super().__init__()
        self._name = "ShapeLayer"
        self.shapes = shapes
        self.styles_js = json_for_script(styles)
        self.tips_js = json_for_script(tooltips)

    def render(self, **kwargs) -> None:
        """Render this layer's call, and the drawing function once per page."""
        script_once(self, "shapes.js")
        super().render(**kwargs)


def latlon_parts(geometry) -> list[list[tuple[float, float]]]:
    """(lat, lon) lists of a (Multi)LineString's parts, rounded for the page, as Leaflet wants them."""
    parts = list(geometry.geoms) if geometry.geom_type == "MultiLineString" else [geometry]
    return [[(round(y, 3), round(x, 3)) for x, y in part.coords] for part in parts]
