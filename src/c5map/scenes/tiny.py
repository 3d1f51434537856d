"""Members too small to see at a page's opening zoom, and where their point symbol goes (#23 item 11).

A Pacific member is a few atolls: at the zoom that frames its region on a phone, its fill is a speck
a reader can neither see nor tap. :func:`tiny_members` decides, from the geometry as drawn and the
opening zoom, which members get a point symbol in their class colour, and where; the web page draws it
(and a print image may). The decision is the scene's, so both renderers draw the same points.

The threshold is the symbol's own size, :data:`SYMBOL_PX`: a member whose largest piece of land covers
less than a square of that side at the opening zoom shows the reader less than the symbol would, and is
too small a target for a finger. The opening zoom is the one that fits the opening view in the room a
phone leaves the map (:data:`PHONE_ROOM_PX`): the smallest opening of a page, where specks are smallest.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import shapely

#: The least diameter of a member's point symbol, in screen pixels; also the size below which a member's
#: largest piece of land gets one (the side of a square of its area at the opening zoom).
SYMBOL_PX = 12.0
#: The map's room at the opening on a 390x844 phone, once the header and the view buttons take their share.
PHONE_ROOM_PX = (378.0, 500.0)
#: Least distance, in pixels at the opening zoom, from a member's symbol to an event marker's centre: the two
#: discs (about 16 px across with their edges) side by side, each its own target.
CLEAR_PX = 18.0
#: A capital this close (degrees) to one of its country's pieces of land is on it: coarse shapes miss atolls.
ON_LAND_DEGREES = 0.5
#: Zoom steps Leaflet snaps to on a page (``zoom_snap`` of :func:`c5map.maps.page.new_page`).
ZOOM_SNAP = 0.25


@dataclass(frozen=True)
class PointSymbol:
    """A member drawn as a point because its land is too small to see at the opening zoom.

    Attributes
    ----------
    iso3 : str
        The member.
    lon, lat : float
        Where the symbol goes: on the piece of land holding its capital (else its largest piece).
        Longitude in [-180, 180).
    size_px : float
        The side of a square of the area of its largest piece, in pixels at the opening zoom.
    offset_px : tuple of float
        (x east, y south) screen pixels from (lon, lat), the same at every zoom: :data:`CLEAR_PX` off an
        event marker (or another symbol) that would cover it, else (0, 0).
    """

    iso3: str
    lon: float
    lat: float
    size_px: float
    offset_px: tuple[float, float] = (0.0, 0.0)


def _mercator_y(lat: float) -> float:
    """Web Mercator y of a latitude on a 256-pixel world at zoom 0 (north is smaller)."""
    lat = max(-85.0, min(85.0, lat))
    return 128.0 - 128.0 / math.pi * math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def opening_zoom(view: tuple[float, float, float, float], room: tuple[float, float] = PHONE_ROOM_PX) -> float:
    """Return the zoom that fits ``view`` (west, south, east, north) in ``room`` pixels, snapped down as Leaflet does.

    Examples
    --------
    >>> opening_zoom((-180.0, -85.0, 180.0, 85.0), room=(256.0, 256.0))
    0.0
    """
    west, south, east, north = view
    wide = max((east - west) * 256.0 / 360.0, 1e-9)
    tall = max(_mercator_y(south) - _mercator_y(north), 1e-9)
    zoom = math.log2(min(room[0] / wide, room[1] / tall))
    return math.floor(zoom / ZOOM_SNAP) * ZOOM_SNAP


def _pixels_per_degree(zoom: float) -> float:
    """Pixels per degree of longitude at ``zoom``."""
    return 256.0 * 2.0**zoom / 360.0


def _side_px(polygon, zoom: float) -> float:
    """Return the side of a square of the polygon's area on screen at ``zoom`` (Mercator stretches y by sec(lat))."""
    lat = polygon.representative_point().y
    stretch = 1.0 / max(math.cos(math.radians(lat)), 1e-6)
    return math.sqrt(polygon.area * stretch) * _pixels_per_degree(zoom)


def _lon_gap(a: float, b: float) -> float:
    """Return ``a - b`` in degrees of longitude, the short way round."""
    return (a - b + 180.0) % 360.0 - 180.0


def _home_piece(parts: list, capital: tuple[float, float] | None):
    """Return the piece of land holding (or near) the capital, else the largest."""
    if capital is not None:
        point = shapely.Point(capital)
        near = min(parts, key=lambda p: p.distance(point))
        if near.distance(point) <= ON_LAND_DEGREES:
            return near
    return max(parts, key=lambda p: p.area)


def _clear_of(lon: float, lat: float, markers: list[tuple[float, float, float, float]], zoom: float) -> tuple:
    """Return the screen offset (x east, y south; pixels) that puts a symbol at (lon, lat) clear of ``markers``.

    ``markers``: (lon, lat, x offset, y offset) of what is drawn there already. A marker nearer than
    :data:`CLEAR_PX` at ``zoom`` pushes the symbol to that distance, straight away from it (north if on it).
    The offset is in pixels, the same at every zoom: the symbol stays beside the marker, never on it.
    """
    k, scale = _pixels_per_degree(zoom), 2.0**zoom
    x, y = 0.0, 0.0
    for m_lon, m_lat, m_x, m_y in markers:
        mx = _lon_gap(m_lon, lon) * k + m_x
        my = (_mercator_y(m_lat) - _mercator_y(lat)) * scale + m_y
        gap = math.hypot(x - mx, y - my)
        if gap >= CLEAR_PX:
            continue
        ux, uy = ((x - mx) / gap, (y - my) / gap) if gap > 1e-6 else (0.0, -1.0)  # screen y grows southwards
        x, y = mx + ux * CLEAR_PX, my + uy * CLEAR_PX
    return round(x, 1), round(y, 1)


def tiny_members(
    countries: gpd.GeoDataFrame,
    members: Iterable[str],
    view: tuple[float, float, float, float],
    capitals: dict[str, tuple[float, float]] | None = None,
    markers: Iterable[tuple[float, float]] = (),
) -> tuple[PointSymbol, ...]:
    """Return a point symbol for each member whose largest piece of land is smaller than :data:`SYMBOL_PX`.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        ``iso3`` and geometry in EPSG:4326, as the page draws them.
    members : iterable of str
        The members, in the order the symbols are wanted.
    view : tuple of float
        (west, south, east, north) the page opens on; its zoom on a phone is :func:`opening_zoom`.
    capitals : dict, optional
        (lon, lat) of capitals by ISO3: a symbol goes on its capital's piece of land, where lines end.
    markers : iterable of (lon, lat)
        Event markers drawn above the symbols: a symbol is set off them (``offset_px``).

    Examples
    --------
    >>> from c5map.boundaries import load_countries
    >>> world = load_countries("10m")
    >>> [p.iso3 for p in tiny_members(world, ["TON", "FJI", "NZL"], (165.0, -45.0, 190.0, -10.0))]
    ['TON', 'FJI']
    """
    zoom = opening_zoom(view)
    capitals = capitals or {}
    markers = [(float(lon), float(lat), 0.0, 0.0) for lon, lat in markers]
    shapes = countries.set_index("iso3").geometry
    found = []
    for iso3 in members:
        if iso3 not in shapes.index or shapes[iso3] is None or shapes[iso3].is_empty:
            continue
        parts = [p for p in shapely.get_parts(shapes[iso3]) if p.area > 0]
        if not parts:
            continue
        size = _side_px(max(parts, key=lambda p: p.area), zoom)
        if size >= SYMBOL_PX:
            continue
        where = _home_piece(parts, capitals.get(iso3)).representative_point()
        lon, lat = round(_lon_gap(where.x, 0.0), 4), round(where.y, 4)
        offset = _clear_of(lon, lat, markers, zoom)
        found.append(PointSymbol(str(iso3), lon, lat, round(size, 1), offset))
        markers.append((lon, lat, *offset))  # the next member's symbol clears this one too
    return tuple(found)
