"""Great-circle arcs between two points, split where they cross ±180°.

Flows drawn as straight lines in Web Mercator lie about distance and
direction; a great circle is the shortest path on the WGS 84 ellipsoid.
Arcs that cross the antimeridian are cut into parts that each stay within
[-180, 180], as RFC 7946 (section 3.1.9) asks.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyproj
from shapely.geometry import LineString, MultiLineString


@cache
def _geod() -> pyproj.Geod:
    return pyproj.Geod(ellps="WGS84")


def arc_points(lon1: float, lat1: float, lon2: float, lat2: float, spacing_km: float = 50.0) -> np.ndarray:
    """Points along the geodesic from (lon1, lat1) to (lon2, lat2), ends included.

    Longitudes are unwrapped (they may leave [-180, 180]) so that consecutive
    points are never more than 180° apart; :func:`great_circle` cuts them.

    Returns
    -------
    numpy.ndarray
        Shape (n, 2), columns lon and lat, n >= 2.
    """
    geod = _geod()
    _, _, distance = geod.inv(lon1, lat1, lon2, lat2)
    n_inner = max(int(distance / (spacing_km * 1000.0)) - 1, 0)
    inner = np.array(geod.npts(lon1, lat1, lon2, lat2, n_inner) if n_inner else []).reshape(-1, 2)
    coords = np.vstack([[lon1, lat1], inner, [lon2, lat2]])
    coords[:, 0] = np.degrees(np.unwrap(np.radians(coords[:, 0])))
    return coords


def great_circle(
    lon1: float, lat1: float, lon2: float, lat2: float, spacing_km: float = 50.0
) -> LineString | MultiLineString:
    """Return the geodesic between two points as a line, split at the antimeridian.

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float
        Degrees, WGS 84.
    spacing_km : float
        Distance between interpolated points.

    Returns
    -------
    shapely.LineString or shapely.MultiLineString
        Starts at (lon1, lat1) and ends at (lon2, lat2); a MultiLineString when
        the arc crosses ±180°, with both sides meeting the meridian at the same
        latitude.

    Examples
    --------
    >>> line = great_circle(-77.04, 38.90, 71.45, 51.18)  # Washington to Astana
    >>> line.geom_type, line.coords[0], line.coords[-1]
    ('LineString', (-77.04, 38.9), (71.45, 51.18))
    >>> great_circle(149.13, -35.28, -77.04, 38.90).geom_type  # Canberra to Washington
    'MultiLineString'
    """
    coords = arc_points(lon1, lat1, lon2, lat2, spacing_km)
    parts: list[list[tuple[float, float]]] = [[]]
    shift = 0.0  # multiple of 360 that brings the current part back into range
    for (x0, y0), (x1, y1) in zip(coords[:-1], coords[1:], strict=True):
        parts[-1].append((x0 - shift, y0))
        local = x1 - shift
        edge = 1.0 if local > 180.0 else (-1.0 if local < -180.0 else 0.0)
        if edge:
            meridian = 180.0 * np.sign(edge) + shift
            t = (meridian - x0) / (x1 - x0)
            y = y0 + t * (y1 - y0)
            parts[-1].append((180.0 * np.sign(edge), y))
            shift += 360.0 * edge
            parts.append([(-180.0 * np.sign(edge), y)])
    end = coords[-1, 0] - shift
    parts[-1].append((lon2 if abs(end - lon2) < 1e-9 else end, lat2))  # the end as given, free of rounding
    parts = [p for p in parts if len(p) >= 2]
    if len(parts) == 1:
        return LineString(parts[0])
    return MultiLineString(parts)
