"""Great-circle flows: right ends, inside WGS 84, split at ±180°."""

from __future__ import annotations

import math

import pyproj
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from c5map.geodesic import great_circle

lon = st.floats(min_value=-180, max_value=180, allow_nan=False)
lat = st.floats(min_value=-85, max_value=85, allow_nan=False)
GEOD = pyproj.Geod(ellps="WGS84")


def _parts(line):
    return list(line.geoms) if line.geom_type == "MultiLineString" else [line]


def _same_lon(a, b):
    return math.isclose((a - b + 180) % 360 - 180, 0, abs_tol=1e-9)


@given(lon, lat, lon, lat)
def test_endpoints_range_and_continuity(x1, y1, x2, y2):
    _, _, distance = GEOD.inv(x1, y1, x2, y2)
    assume(distance < 19_000_000)  # near-antipodal pairs have no unique geodesic
    parts = _parts(great_circle(x1, y1, x2, y2))
    first, last = parts[0].coords[0], parts[-1].coords[-1]
    assert _same_lon(first[0], x1) and math.isclose(first[1], y1, abs_tol=1e-9)
    assert _same_lon(last[0], x2) and math.isclose(last[1], y2, abs_tol=1e-9)
    for part in parts:
        for x, y in part.coords:
            assert -180 <= x <= 180 and -90 <= y <= 90
    for left, right in zip(parts[:-1], parts[1:], strict=True):
        (xa, ya), (xb, yb) = left.coords[-1], right.coords[0]
        assert abs(xa) == 180 and xb == -xa and ya == yb  # cut exactly on the meridian
    length = sum(GEOD.geometry_length(p) for p in parts)
    assert math.isclose(length, distance, rel_tol=0.01, abs_tol=1.0)


@pytest.mark.parametrize(
    ("start", "end", "parts"),
    [
        ((-77.04, 38.90), (71.45, 51.18), 1),  # Washington -> Astana crosses the Arctic, not ±180
        ((149.13, -35.28), (-77.04, 38.90), 2),  # Canberra -> Washington crosses the Pacific
        ((37.62, 55.75), (-77.04, 38.90), 1),
        ((179.0, 60.0), (-179.0, 60.0), 2),
    ],
)
def test_known_routes(start, end, parts):
    assert len(_parts(great_circle(*start, *end))) == parts


def test_arc_is_not_a_straight_line_in_lonlat():
    line = great_circle(-77.04, 38.90, 71.45, 51.18)
    assert max(y for _, y in line.coords) > 70  # the great circle bows north over the pole region
