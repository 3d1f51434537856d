"""A boundary file of your own, read and checked as c5map needs it: codes, CRS, validity, overlaps.

Problems are located per feature (the "line" of a :class:`~c5map.errors.Problem`
is the feature's position, 1-based); see :func:`read_boundaries`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from c5map.errors import Problem, display_path

#: How much (a fraction of its area) repairing an invalid polygon with :func:`shapely.make_valid` may change a
#: country the data uses. Natural Earth 1:10m's Egypt (a ring touching itself) changes by 1e-15; a bow-tie,
#: whose two halves cancel out, by 100 %.
REPAIR_AREA_TOLERANCE = 1e-3
#: How much two countries may overlap (a fraction of the smaller one's area) before it is reported: digitising
#: slivers along a shared border are below it.
OVERLAP_TOLERANCE = 1e-3


def read_boundaries(
    path: Path, *, code_column: str = "ADM0_A3", used: Mapping[str, str] | None = None
) -> tuple[gpd.GeoDataFrame | None, list[Problem], list[Problem]]:
    """Read a boundary file of your own, checking it as c5map needs it.

    The file (any format GDAL reads: GeoPackage, shapefile, GeoJSON, ...)
    needs one polygon per country with its code in ``code_column`` (or
    ``iso3``). It may be in any CRS that names itself (geographic in
    degrees or grads, or projected); it is transformed to EPSG:4326.
    Problems are reported per feature: the "line" of a
    :class:`~c5map.errors.Problem` is the feature's position (1-based).

    An invalid polygon is repaired with :func:`shapely.make_valid` and a
    warning, unless it is a country the data uses and the repair changes its
    area by more than :data:`REPAIR_AREA_TOLERANCE`. Two countries that
    overlap by more than :data:`OVERLAP_TOLERANCE` of the smaller one are an
    error if the data uses either, else a warning.

    Parameters
    ----------
    path : pathlib.Path
    code_column : str
    used : Mapping of str to str, optional
        The country codes the data uses, each with where it is first used
        (``"deals.csv:3"``), for the messages. Each must be in the file.

    Returns
    -------
    frame : geopandas.GeoDataFrame or None
        In the :func:`load_countries` contract (``iso3`` and ``name`` at
        least), or None when the file cannot be used.
    problems : list of Problem
        What makes the file unusable for this data.
    warnings : list of Problem
        What was repaired or is doubtful but does not touch the data.
    """
    name = display_path(Path(path))
    used = {} if used is None else dict(used)
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # GDAL's errors are many kinds; all mean "not a readable GIS file"
        return None, [Problem(name, 0, "", f"not a boundary file GDAL can read ({type(exc).__name__}: {exc})")], []
    try:
        return _check_boundaries(raw, name, code_column, used)
    except Exception as exc:  # a CRS PROJ cannot transform, geometry GEOS cannot handle: located, no traceback
        return None, [Problem(name, 0, "", f"cannot be used as boundaries ({type(exc).__name__}: {exc})")], []


def _axis_limits(crs) -> tuple[float, float, str]:
    """Return the largest longitude and latitude a geographic CRS holds, in its own unit, and the unit's name."""
    unit = crs.axis_info[0]
    half_turn = math.pi / unit.unit_conversion_factor  # 180 in degrees, 200 in grads
    return half_turn, half_turn / 2, unit.unit_name


def _coordinate_problem(raw: gpd.GeoDataFrame, name: str) -> Problem | None:
    """Say what is wrong with coordinates a geographic CRS cannot hold: 0-360 longitudes, or metres labelled so."""
    xmin, ymin, xmax, ymax = raw.total_bounds
    lon_limit, lat_limit, unit = _axis_limits(raw.crs)
    if max(abs(xmin), abs(xmax)) <= lon_limit and max(abs(ymin), abs(ymax)) <= lat_limit:
        return None
    what = f"its CRS, {raw.crs.name} ({raw.crs.to_string()})"
    if xmin >= -lon_limit / 1e6 and xmax <= 2 * lon_limit and max(abs(ymin), abs(ymax)) <= lat_limit:
        return Problem(
            name,
            0,
            "geometry",
            f"longitudes run from {xmin:,.2f} to {xmax:,.2f} {unit}s, from 0 to 360 rather than -180 to 180 as "
            f"{what} needs: shift the longitudes above {lon_limit:g} by -{2 * lon_limit:g}, splitting polygons at "
            "the antimeridian (GDAL: ogr2ogr -wrapdateline)",
        )
    return Problem(
        name,
        0,
        "geometry",
        f"coordinates reach {max(abs(xmin), abs(xmax), abs(ymin), abs(ymax)):,.0f}, beyond the ±{lon_limit:g} / "
        f"±{lat_limit:g} {unit}s of {what}: the file looks projected (metres or feet); "
        "save the file with the CRS it was drawn in",
    )


def _check_boundaries(
    raw: gpd.GeoDataFrame, name: str, code_column: str, used: dict[str, str]
) -> tuple[gpd.GeoDataFrame | None, list[Problem], list[Problem]]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    code = next((c for c in (code_column, "iso3", code_column.lower()) if c in raw.columns), None)
    if code is None:
        problems.append(Problem(name, 0, code_column, f"no {code_column!r} or 'iso3' column with country codes"))
    if raw.crs is None:
        problems.append(Problem(name, 0, "", "file has no CRS; save it with one (EPSG:4326 preferred)"))
        return None, problems, []
    if len(raw) == 0:
        return None, [*problems, Problem(name, 0, "", "file has no features")], []
    if raw.crs.is_geographic:
        wrong = _coordinate_problem(raw, name)
        if wrong is not None:
            return None, [*problems, wrong], []
    if not raw.crs.equals("EPSG:4326"):  # ETRS89, NAD83, GDA94, OGC:CRS84, NTF in grads, any projection
        raw = raw.to_crs(4326)
    codes = [None] * len(raw) if code is None else [_code_text(v) for v in raw[code]]
    geometries = raw.geometry.values.copy()
    for index, geometry in enumerate(geometries, start=1):
        iso3 = codes[index - 1]
        label = f"{iso3}: " if iso3 else ""
        if code is not None and iso3 is None:
            problems.append(Problem(name, index, code, f"empty code: every feature needs a country code in {code!r}"))
        if geometry is None or geometry.is_empty:
            problems.append(Problem(name, index, "geometry", f"{label}feature has no geometry"))
        elif geometry.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(Problem(name, index, "geometry", f"{label}{geometry.geom_type} is not a polygon"))
        elif not geometry.is_valid:
            reason = shapely.is_valid_reason(geometry)
            repaired = _polygonal(shapely.make_valid(geometry, method="structure"))
            change = abs(repaired.area - geometry.area) / max(repaired.area, geometry.area, 1e-300)
            by = "less than 0.01%" if 0 < change < 1e-4 else f"{change:.2%}"
            what = f"{label}invalid polygon ({reason}); make_valid changes its area by {by}"
            if iso3 in used and (change > REPAIR_AREA_TOLERANCE or repaired.is_empty):
                problems.append(
                    Problem(name, index, "geometry", f"{what}, and the data uses {iso3} ({used[iso3]}): fix it")
                )
            else:
                left_out = " to nothing, and left out" if repaired.is_empty else ""
                warnings.append(Problem(name, index, "geometry", f"{what}: repaired{left_out}"))
                geometries[index - 1] = repaired
    if problems:
        return None, problems, warnings
    # Natural Earth has vertices at 180.00000000000006, and a datum shift can push one past: clamp the noise.
    geometries = shapely.transform(geometries, lambda xy: np.clip(xy, [-180.0, -90.0], [180.0, 90.0]))
    names = raw["NAME"] if "NAME" in raw.columns else pd.Series(codes)
    frame = gpd.GeoDataFrame({
        "iso3": pd.array(codes, dtype="string"),
        "name": pd.array([str(v) if isinstance(v, str) and v else c for v, c in zip(names, codes, strict=True)],
                         dtype="string"),
    }, geometry=geometries, crs="EPSG:4326")  # fmt: skip
    duplicated = frame["iso3"].duplicated(keep=False)
    for index in np.flatnonzero(duplicated.to_numpy()):
        problems.append(Problem(name, int(index) + 1, code, f"{frame['iso3'].iloc[index]!r} appears more than once"))
    missing = sorted(set(used) - set(frame["iso3"]))
    if missing:
        listed = ", ".join(f"{iso3} ({used[iso3]})" for iso3 in missing)
        problems.append(
            Problem(
                name,
                0,
                code,
                f"lacks {len(missing)} countr{'ies' if len(missing) != 1 else 'y'} the data uses: {listed}; "
                "add their polygons",
            )
        )
    if problems:
        return None, problems, warnings
    for problem, touches_data in _overlaps(frame, name, used):
        (problems if touches_data else warnings).append(problem)
    if problems:
        return None, problems, warnings
    frame = frame[~frame.geometry.is_empty]  # an unused country that repairing left empty: said above
    return frame.sort_values("iso3").reset_index(drop=True), problems, warnings


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Return the polygons of a repaired geometry (a ring that was only a line repairs to a line): maybe empty."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _code_text(value: object) -> str | None:
    """Return a feature's country code as text; None when the cell is empty (NULL, NaN or blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def _overlaps(frame: gpd.GeoDataFrame, name: str, used: dict[str, str]) -> list[tuple[Problem, bool]]:
    """Return each pair of countries that overlap by more than :data:`OVERLAP_TOLERANCE` of the smaller one.

    With it, whether the data uses either country.
    """
    geometries = frame.geometry.values
    first, second = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    pair = first < second
    first, second = first[pair], second[pair]
    if len(first) == 0:
        return []
    shared = shapely.area(shapely.intersection(geometries[first], geometries[second]))
    smaller = np.minimum(shapely.area(geometries[first]), shapely.area(geometries[second]))
    found = []
    for i in np.flatnonzero(shared > OVERLAP_TOLERANCE * smaller):
        a, b = str(frame["iso3"].iloc[first[i]]), str(frame["iso3"].iloc[second[i]])
        share = shared[i] / smaller[i]
        message = f"{a} and {b} overlap ({share:.1%} of the smaller one)"
        uses = [f"{code} ({used[code]})" for code in (a, b) if code in used]
        message += f", and the data uses {' and '.join(uses)}: a point there is in both" if uses else ""
        found.append((Problem(name, int(second[i]) + 1, "geometry", message), bool(uses)))
    return found
