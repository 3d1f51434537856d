"""Natural Earth Admin-0 country boundaries: the bundled scales, and fetching others.

Bundled (Natural Earth 5.1.1, public domain, see ``data/naturalearth/README.md``):

``"110m"``
    ``ne_110m_admin_0_countries`` — 177 countries, for world overviews.
``"10m"``
    ``ne_10m_admin_0_countries_deu`` — 250 countries at 1:10m, German point of
    view (Northern Cyprus and Somaliland merged into Cyprus and Somalia,
    Crimea in Ukraine). Used for detail in Central Asia and for checking that
    points lie in their country.

Other Natural Earth files can be fetched from the official distribution into a
local cache with :func:`fetch_naturalearth`, verified against a SHA-256 that
the caller pins. Pages get the borders simplified for the screen
(:func:`web_countries`), exports simplified as a coverage
(:func:`simplified_coverage`); a boundary file of your own is read and checked
by :func:`read_boundaries` (:mod:`c5map.boundaries.user_file`).
"""

from __future__ import annotations

import hashlib
import math
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from c5map._paths import bundled_data_dir
from c5map.boundaries.user_file import OVERLAP_TOLERANCE as OVERLAP_TOLERANCE
from c5map.boundaries.user_file import REPAIR_AREA_TOLERANCE as REPAIR_AREA_TOLERANCE
from c5map.boundaries.user_file import read_boundaries as read_boundaries
from c5map.simplify import simplify_shared_arcs, web_mercator_pixels

Scale = Literal["110m", "10m"]

BUNDLED_FILES: dict[str, str] = {
    "110m": "ne_110m_admin_0_countries.shp",
    "10m": "ne_10m_admin_0_countries_deu.zip",
}

#: Columns of :func:`load_countries`, in order.
COUNTRY_COLUMNS: list[str] = [
    "iso3",  # Natural Earth ADM0_A3: the join key (ISO_A3 is -99 for France and Norway)
    "name",  # NAME: short English name
    "name_long",  # NAME_LONG
    "formal_name",  # FORMAL_EN (may be empty)
    "continent",  # CONTINENT
    "subregion",  # SUBREGION (UN)
    "pop_est",  # POP_EST: population estimate (2019 for most countries)
    "geometry",  # (Multi)Polygon, EPSG:4326, valid
]
_SOURCE_COLUMNS = ["ADM0_A3", "NAME", "NAME_LONG", "FORMAL_EN", "CONTINENT", "SUBREGION", "POP_EST"]

# Attribute columns that hold names and codes a user might type for a country.
NAME_COLUMNS: list[str] = [
    "ADM0_A3", "ISO_A3", "ISO_A3_EH", "ISO_A2", "ISO_A2_EH", "WB_A3", "ADMIN", "NAME", "NAME_LONG",
    "FORMAL_EN", "NAME_EN", "NAME_SORT", "NAME_ALT", "BRK_NAME", "GEOUNIT", "SUBUNIT", "NAME_CIAWF",
]  # fmt: skip

#: Where :func:`fetch_naturalearth` looks by default (the files the Natural Earth site links to).
NATURAL_EARTH_URL = "https://naciscdn.org/naturalearth"


def bundled_path(scale: Scale) -> Path:
    """Return the path of a bundled Natural Earth countries file."""
    try:
        return bundled_data_dir() / "naturalearth" / BUNDLED_FILES[scale]
    except KeyError:
        raise ValueError(f"unknown scale {scale!r}; bundled scales are {', '.join(BUNDLED_FILES)}") from None


@cache
def _read_countries(path: str) -> gpd.GeoDataFrame:
    """Read and clean a countries file, through a GeoParquet copy in the derived cache.

    Cleaning the 1:10m file (validity check, repair, clamping) is most of the
    0.4 s it takes to load; the cleaned copy, keyed by the SHA-256 of the
    file, reads in a tenth of that. Geometry round-trips exactly (WKB).
    """
    digest = hashlib.sha256(b"countries-v1:")
    digest.update(Path(path).read_bytes())
    cached = default_cache_dir() / "derived" / f"{digest.hexdigest()}.parquet"
    try:
        return _as_loaded(gpd.read_parquet(cached))  # Parquet keeps values, not pandas' string dtype
    except Exception:  # missing, partly written by a killed process, or from another pyarrow: rebuild it
        frame = _clean_countries(path)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        part = cached.with_suffix(f".{os.getpid()}.part")
        frame.to_parquet(part, index=False)
        part.replace(cached)  # atomic: a concurrent reader sees the whole file or none
    except OSError:
        pass  # a read-only home is no reason to fail: it only costs time
    return frame


def _as_loaded(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give a countries frame the dtypes and columns :func:`load_countries` promises."""
    frame["pop_est"] = frame["pop_est"].astype("float64")
    for column in ("iso3", "name", "name_long", "formal_name", "continent", "subregion"):
        frame[column] = frame[column].astype("string")
    frame.attrs = {}
    return frame[COUNTRY_COLUMNS]


def _clean_countries(path: str) -> gpd.GeoDataFrame:
    # The 10m zip carries no .cpg, so GDAL would guess Latin-1; its DBF is UTF-8.
    raw = gpd.read_file(path, columns=_SOURCE_COLUMNS, encoding="UTF-8")
    frame = raw.rename(
        columns={
            "ADM0_A3": "iso3",
            "NAME": "name",
            "NAME_LONG": "name_long",
            "FORMAL_EN": "formal_name",
            "CONTINENT": "continent",
            "SUBREGION": "subregion",
            "POP_EST": "pop_est",
        }  # fmt: skip
    )
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        frame = frame.set_crs(4326, allow_override=True) if frame.crs is None else frame.to_crs(4326)
    # Egypt is an invalid polygon in the 10m source; "structure" keeps it a polygon.
    geoms = frame.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure")
        frame = frame.set_geometry(geoms)
    # Natural Earth 110m has vertices at 180.00000000000006: clamp float noise into WGS 84's range.
    frame = frame.set_geometry(
        shapely.transform(frame.geometry.values, lambda xy: np.clip(xy, [-180.0, -90.0], [180.0, 90.0]))
    )
    return _as_loaded(frame.sort_values("iso3", kind="stable").reset_index(drop=True))


def load_countries(scale: Scale = "110m", *, path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Load Natural Earth Admin-0 countries.

    Parameters
    ----------
    scale : {"110m", "10m"}
        Which bundled file to read. Ignored when ``path`` is given.
    path : str or pathlib.Path, optional
        Another Natural Earth Admin-0 countries file (for example one returned
        by :func:`fetch_naturalearth`); it must have Natural Earth's columns.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, one row per country sorted by ``iso3``, valid geometries,
        columns :data:`COUNTRY_COLUMNS`. A fresh copy: callers may change it.

    Examples
    --------
    >>> world = load_countries("110m")
    >>> len(world), world.crs.to_epsg()
    (177, 4326)
    >>> world.loc[world.iso3 == "KAZ", "name"].item()
    'Kazakhstan'
    """
    source = Path(path) if path is not None else bundled_path(scale)
    return _read_countries(str(source)).copy()


@cache
def country_names(scale: Scale = "10m") -> gpd.pd.DataFrame:
    """Return the name and code columns of the bundled countries (no geometry).

    Used to resolve what users type ("Kyrgyz Republic", "FRA") to ``iso3``.
    """
    frame = pyogrio.read_dataframe(bundled_path(scale), columns=NAME_COLUMNS, read_geometry=False, encoding="UTF-8")
    return frame.rename(columns={"ADM0_A3": "iso3"})


def default_cache_dir() -> Path:
    """Return the download cache folder.

    ``$C5MAP_CACHE`` if set, else ``$XDG_CACHE_HOME/c5map``, else ``~/.cache/c5map``.
    """
    if os.environ.get("C5MAP_CACHE"):
        return Path(os.environ["C5MAP_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "c5map"


class ChecksumError(RuntimeError):
    """A downloaded file does not match its pinned SHA-256."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_naturalearth(
    filename: str,
    *,
    sha256: str,
    scale: str,
    theme: Literal["cultural", "physical"] = "cultural",
    base_url: str = NATURAL_EARTH_URL,
    cache_dir: Path | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download a Natural Earth file once, verify it, and return its cached path.

    The URL is ``{base_url}/{scale}/{theme}/{filename}``, the layout of the
    official distribution. A cached file whose checksum matches is returned
    without any network access; a download that does not match ``sha256`` is
    deleted and raises, so the cache only ever holds verified files.

    Parameters
    ----------
    filename : str
        For example ``"ne_50m_admin_0_countries.zip"``.
    sha256 : str
        The expected SHA-256 (hex). Pin it once from a download you trust.
    scale : str
        ``"10m"``, ``"50m"`` or ``"110m"``.
    theme : {"cultural", "physical"}
    base_url : str
        Another mirror with the same layout (tests use a local server).
    cache_dir : pathlib.Path, optional
        Default :func:`default_cache_dir`.
    timeout : float
        Seconds to wait for the server.

    Returns
    -------
    pathlib.Path
        The verified file; pass it to :func:`load_countries` as ``path``.

    Raises
    ------
    ChecksumError
        The download does not match ``sha256``.
    urllib.error.URLError
        The server could not be reached.
    """
    expected = sha256.lower()
    target = (cache_dir or default_cache_dir()) / "naturalearth" / scale / theme / filename
    if target.is_file() and _sha256(target) == expected:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    url = f"{base_url.rstrip('/')}/{scale}/{theme}/{filename}"
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".part-", delete=False) as part:
        part_path = Path(part.name)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                shutil.copyfileobj(response, part)
        except BaseException:
            part.close()
            part_path.unlink(missing_ok=True)
            raise
    actual = _sha256(part_path)
    if actual != expected:
        part_path.unlink()
        raise ChecksumError(f"{url}: SHA-256 is {actual}, expected {expected}; nothing was cached")
    part_path.replace(target)
    return target


#: Deepest zoom c5map's pages allow. The region's borders are simplified for it; context countries coarser.
MAX_ZOOM = 8
#: The zoom context countries (partners, destinations, neighbours) are true to on a page.
CONTEXT_ZOOM = 4


def pixel_degrees(zoom: int) -> float:
    """Size of one screen pixel in degrees of longitude at ``zoom`` (256-pixel Web Mercator tiles)."""
    return 360.0 / (256 * 2**zoom)


#: How far a page's borders may stray from the source, in screen pixels at the zoom they are true to. With the
#: rounding to a tenth of a pixel (at most 0.07 px), every source vertex stays within one pixel.
SCREEN_TOLERANCE_PX = 0.8


def web_countries(
    iso3: list[str] | None = None,
    *,
    max_zoom: int = MAX_ZOOM,
    scale: Scale = "10m",
    source: gpd.GeoDataFrame | None = None,
    detail: list[str] | None = None,
    detail_zoom: int | None = None,
) -> gpd.GeoDataFrame:
    """Countries simplified for a web page: every border within half a screen pixel of the source at ``max_zoom``.

    The borders are simplified with Douglas-Peucker in Web Mercator pixels
    at ``max_zoom``, each shared border once, so neighbours keep a common
    border: no gaps or overlaps (see :mod:`c5map.simplify`). Coordinates are
    then rounded to a tenth of a pixel (where a pixel spans the fewest
    degrees: north-south, at the countries' highest latitude, capped at 75°).

    Parameters
    ----------
    iso3 : list of str, optional
        The countries to keep; default all.
    max_zoom : int
        The zoom the borders are true to (half a pixel).
    scale : {"110m", "10m"}
        The bundled source, when ``source`` is not given.
    source : geopandas.GeoDataFrame, optional
        Boundaries of your own (see :func:`read_boundaries`).
    detail, detail_zoom : list of str, int, optional
        Countries (the page's region) whose borders are true to the deeper
        ``detail_zoom`` instead, borders they share with others included.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`load_countries`, fewer vertices.
    """
    frame = load_countries(scale) if source is None else source
    if iso3 is not None:
        frame = frame[frame["iso3"].isin(iso3)].reset_index(drop=True)
    if len(frame) == 0:
        return frame
    finest = max(max_zoom, detail_zoom or max_zoom)
    finer = None
    if detail and detail_zoom is not None and detail_zoom > max_zoom:
        finer = np.where(frame["iso3"].isin(detail).to_numpy(), detail_zoom - max_zoom, 0)
    _, south, _, north = frame.total_bounds
    shrink = math.cos(math.radians(min(max(abs(south), abs(north)), 75.0)))
    decimals = max(0, int(np.ceil(-np.log10(pixel_degrees(finest) * shrink / 10))))
    return frame.set_geometry(screen_simplified(frame.geometry.values, max_zoom, decimals, finer=finer))


def screen_simplified(
    geometries: np.ndarray,
    max_zoom: int,
    decimals: int,
    tolerance_px: float = SCREEN_TOLERANCE_PX,
    finer: np.ndarray | None = None,
) -> np.ndarray:
    """Simplify polygons for the screen (:func:`c5map.simplify.simplify_shared_arcs`), then :func:`quantise`.

    No border strays more than ``tolerance_px`` Web Mercator pixels at
    ``max_zoom`` (``finer``: per geometry, that many zooms deeper) before
    rounding to ``decimals``. Cached on disk like :func:`simplified_coverage`.
    """

    def simplify() -> np.ndarray:
        measure = lambda xy: web_mercator_pixels(xy, max_zoom)  # noqa: E731
        return quantise(simplify_shared_arcs(geometries, tolerance_px, measure, finer=finer), decimals)

    detail = "" if finer is None else ":" + ",".join(str(int(f)) for f in finer)
    return _cached(f"screen-v2:{max_zoom}:{tolerance_px!r}:{decimals}{detail}", geometries, simplify)


def simplified_coverage(geometries: np.ndarray, tolerance: float, decimals: int) -> np.ndarray:
    """Simplify polygons together as a coverage (:func:`shapely.coverage_simplify`), then :func:`quantise`; cached.

    Shared borders stay shared. The tolerance (in degrees) bounds the area
    Visvalingam-Whyatt removes, not the distance a border moves: this is for
    GIS exports, where a fixed tolerance in degrees is what users expect;
    pages use :func:`screen_simplified`.
    """
    return _cached(
        f"coverage-v2:{tolerance!r}:{decimals}:None",
        geometries,
        lambda: quantise(shapely.coverage_simplify(geometries, tolerance), decimals),
    )


def _cached(kind: str, geometries: np.ndarray, compute: Callable[[], np.ndarray]) -> np.ndarray:
    """Return ``compute()``, kept in ``default_cache_dir()/derived``.

    The key is the SHA-256 of ``kind`` (the method and its parameters) and
    the input geometries as WKB: a changed source or parameter is a
    different key, never a stale hit. A damaged file is recomputed.
    """
    digest = hashlib.sha256(kind.encode())
    for item in shapely.to_wkb(geometries):
        digest.update(len(item).to_bytes(8, "little"))
        digest.update(item)
    path = default_cache_dir() / "derived" / f"{digest.hexdigest()}.wkb"
    cached = _read_wkb_list(path)
    if cached is not None and len(cached) == len(geometries):
        try:
            return shapely.from_wkb(cached)
        except shapely.errors.GEOSException:
            pass  # a damaged cache file: recompute and overwrite it
    result = compute()
    _write_wkb_list(path, shapely.to_wkb(result))
    return result


def max_deviation(source: np.ndarray, simplified: np.ndarray) -> float:
    """Return the largest distance (degrees) from a source vertex to the border of its simplified geometry."""
    worst = 0.0
    for before, after in zip(source, simplified, strict=True):
        coordinates, ring_index = shapely.get_coordinates(after.boundary, return_index=True)
        same_ring = ring_index[:-1] == ring_index[1:]
        starts, ends = coordinates[:-1][same_ring], coordinates[1:][same_ring]
        segments = shapely.linestrings(np.stack([starts, ends], axis=1))
        if len(segments) == 0:
            continue
        points = shapely.points(shapely.get_coordinates(before.boundary))
        _, distances = shapely.STRtree(segments).query_nearest(points, return_distance=True, all_matches=False)
        worst = max(worst, float(distances.max()))
    return worst


def _read_wkb_list(path: Path) -> np.ndarray | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    items, offset = [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 8], "little")
        items.append(data[offset + 8 : offset + 8 + size])
        offset += 8 + size
    return np.array(items, dtype=object)


def _write_wkb_list(path: Path, items: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(f".{os.getpid()}.part")
        part.write_bytes(b"".join(len(item).to_bytes(8, "little") + item for item in items))
        part.replace(path)  # atomic: a concurrent reader sees the whole file or none
    except OSError:
        pass  # a read-only home is no reason to fail a build: it only costs time


def quantise(geometries: np.ndarray, decimals: int) -> np.ndarray:
    """Snap coordinates to a grid of ``10**-decimals`` degrees, keeping geometries valid.

    Coordinates come out as the shortest decimal with that many places
    (``45.05``, not ``45.050000000000004``), which keeps GeoJSON small.
    """
    snapped = shapely.make_valid(shapely.set_precision(geometries, 10.0**-decimals), method="structure")
    return shapely.transform(snapped, lambda xy: np.round(xy, decimals))
