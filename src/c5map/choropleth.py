"""Classed maps of any GeoDataFrame column with c5map's cartography, for notebooks: :func:`explore`.

What a c5map page does with a figure, done to a column of your own: values
classed on the 1-2-5 ladder (:func:`c5map.maps.style.nice_breaks`) or on
breaks you give, each figure classed true to its qualifier
(:func:`c5map.maps.style.class_of`: "less than X" never in the class that
starts at X), missing values hatched as "no reported figure" (never zero),
labels placed without overlaps with the figure under each name
(:mod:`c5map.maps.labels`), and a legend that shows the whole class scale.

It returns an ordinary ``folium.Map``: a new one, or the one given as ``m=``
(as ``GeoDataFrame.explore`` does) with c5map's layer, legend and labels
added to it. Nothing else is changed, and nothing is kept between calls.

>>> import c5map
>>> world = c5map.load_countries("110m")
>>> m = c5map.explore(world, column="pop_est", label="name", tiles="none")
>>> type(m).__name__
'Map'
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from c5map.boundaries import web_countries
from c5map.errors import UsageError
from c5map.format import QUALIFIERS, format_quantity
from c5map.i18n import N_, gettext
from c5map.maps.common import page_view
from c5map.maps.labels import Labels
from c5map.maps.legend import add_legend
from c5map.maps.page import DEFAULT_TILES, NO_FIGURE_STYLE, PageText, new_page
from c5map.maps.safety import layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import LayerOrder, ShapeLayer, SharedShapes, wrap_lon
from c5map.maps.style import (
    ABOVE_QUALIFIERS,
    BELOW_QUALIFIERS,
    FILL_OPACITY,
    HATCH_COLOUR,
    INK,
    NO_FIGURE_FILL,
    PALETTE,
    class_colours,
    class_labels,
    class_of,
    nice_breaks,
    tint,
)
from c5map.maps.templates import macro
from c5map.scenes import LegendEntry, LegendSection, bound_rule, class_entries, no_figure_entry

__all__ = ["explore"]

#: Column of the shape ids :func:`explore` gives each row (its position): never one of the user's columns.
_ID = "__c5map_row"
#: Longitudes a new map's shapes may span before it shows the whole world from -180° to 180° (else it opens on
#: them in the world copy that cuts the least land, as c5map's pages do: the Pacific whole).
WORLD_SPAN = 270.0
#: The legend row of a figure whose value the source did not disclose (qualifier ``undisclosed``).
_UNDISCLOSED = N_("value undisclosed")


def plain_number(value: float, qualifier: str = "exact") -> str:
    """Write a number for a reader, its qualifier kept: the default ``fmt`` of :func:`explore`.

    Examples
    --------
    >>> plain_number(1_400_000_000), plain_number(45e6, "over"), plain_number(0.35, "nearly")
    ('1.4 billion', 'more than 45 million', 'nearly 0.35')
    """
    return format_quantity(value, "", qualifier).rstrip()


@dataclass(frozen=True)
class _Rows:
    """The rows :func:`explore` draws, checked: EPSG:4326 polygons with their figures and classes."""

    frame: gpd.GeoDataFrame  # ids in _ID, geometry in EPSG:4326, polygonal and valid
    values: np.ndarray  # float, NaN where no figure is reported
    qualifiers: list[str]  # one of format.QUALIFIERS a row
    names: list[str]  # each row's label and tooltip heading ("": its label cell is empty)
    extra: list[list[tuple[str, str]]]  # each row's other tooltip lines: (column, value)

    @property
    def reported(self) -> np.ndarray:
        """Rows with a figure to class: a value, and a qualifier other than ``undisclosed``."""
        return ~np.isnan(self.values) & np.array([q != "undisclosed" for q in self.qualifiers], dtype=bool)

    @property
    def undisclosed(self) -> np.ndarray:
        """Rows the source says have a figure whose value it does not give."""
        return np.array([q == "undisclosed" for q in self.qualifiers], dtype=bool)


@dataclass(frozen=True)
class _Look:
    """How :func:`explore` draws a layer: its hue, number format, heading (layer and legend) and pane."""

    colour: str
    fmt: Callable[..., str]
    heading: str
    pane: str | None  # one of c5map.maps.shapes.PANES on c5map's own page; None: Leaflet's overlay pane


def _missing_column(gdf: gpd.GeoDataFrame, what: str, name: object) -> UsageError:
    """Return the error of a column that is not there, naming the columns that are (and the likely one)."""
    columns = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    close = difflib.get_close_matches(str(name), columns, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return UsageError(f"{what}={name!r}: no such column; {hint}the GeoDataFrame's columns are {', '.join(columns)}")


def _checked_columns(gdf, column, qualifier, label, tooltip) -> None:
    """Raise :class:`UsageError` for anything :func:`explore` cannot map truthfully, before drawing a thing."""
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise UsageError(f"explore maps a geopandas.GeoDataFrame, not a {type(gdf).__name__}")
    asked = [("column", column), ("qualifier", qualifier), ("label", label)] + [("tooltip", c) for c in tooltip]
    for what, name in asked:
        if name is not None and name not in gdf.columns:
            raise _missing_column(gdf, what, name)
    if not (pd.api.types.is_numeric_dtype(gdf[column]) and not pd.api.types.is_bool_dtype(gdf[column])):
        raise UsageError(f"column={column!r} holds {gdf[column].dtype} values; explore classes numbers")
    if gdf.crs is None:
        raise UsageError(
            "the GeoDataFrame has no CRS, so where its shapes lie is unknown: set it first, "
            "for example gdf.set_crs(4326) for longitude and latitude"
        )


def _polygonal(geometry):
    """Return the polygons of a geometry, repaired if invalid; None when it has none (points, lines, empty)."""
    if geometry is None or geometry.is_empty:
        return None
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry, method="structure")
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    # a collection (what make_valid may return): its polygons, which do not overlap, as one MultiPolygon
    polygons = [p for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")
                for p in getattr(g, "geoms", [g])]  # fmt: skip
    return shapely.MultiPolygon(polygons) if polygons else None


def _qualifiers(gdf: gpd.GeoDataFrame, qualifier: str | None) -> list[str]:
    """Return each row's qualifier (``exact`` where none is given); raise naming the first unknown one."""
    if qualifier is None:
        return ["exact"] * len(gdf)
    out = []
    for index, value in gdf[qualifier].items():
        text = "exact" if pd.isna(value) else value
        if text not in QUALIFIERS:
            raise UsageError(
                f"qualifier={qualifier!r}: row {index!r} has {value!r}; a qualifier is one of {', '.join(QUALIFIERS)}"
                " (empty means exact)"
            )
        out.append(str(text))
    return out


def _rows(gdf: gpd.GeoDataFrame, column: str, qualifier: str | None, label: str | None, tooltip=()) -> _Rows:
    """Check and reproject the rows to map; rows with no polygon are left out (nothing to draw)."""
    values = pd.to_numeric(gdf[column], errors="coerce").astype("float64").to_numpy()
    infinite = np.isinf(values)
    if infinite.any():
        raise UsageError(f"column={column!r}: row {gdf.index[infinite][0]!r} is infinite; a figure is a finite number")
    qualifiers = _qualifiers(gdf, qualifier)
    names = [str(v) for v in gdf.index] if label is None else ["" if pd.isna(v) else str(v) for v in gdf[label]]
    extra = [[(str(c), "" if pd.isna(v) else str(v)) for c, v in zip(tooltip, row, strict=True)]
             for row in zip(*(gdf[c] for c in tooltip), strict=True)] if tooltip else [[]] * len(gdf)  # fmt: skip
    frame = gdf.to_crs(4326) if gdf.crs.to_epsg() != 4326 else gdf
    shapes = [_polygonal(g) for g in frame.geometry]
    keep = np.array([s is not None for s in shapes], dtype=bool)
    if not keep.any():
        kinds = sorted({g.geom_type for g in gdf.geometry if g is not None})
        raise UsageError(f"explore colours polygons; the GeoDataFrame has {', '.join(kinds) or 'no geometry'}")
    positions = np.flatnonzero(keep)
    drawn = gpd.GeoDataFrame(
        {_ID: [f"r{i}" for i in positions]}, geometry=[shapes[i] for i in positions], crs=4326
    ).reset_index(drop=True)
    return _Rows(
        drawn,
        values[keep],
        [qualifiers[i] for i in positions],
        [names[i] for i in positions],
        [extra[i] for i in positions],
    )


def _checked_breaks(breaks: Sequence[float] | None, rows: _Rows) -> list[float]:
    """Return the class breaks: the 1-2-5 ladder over the reported figures, or the user's, checked."""
    if breaks is None:
        return nice_breaks(rows.values[rows.reported].tolist())
    chosen = [float(b) for b in breaks]
    if not all(math.isfinite(b) for b in chosen) or any(a >= b for a, b in zip(chosen, chosen[1:], strict=False)):
        raise UsageError(f"breaks={list(breaks)!r}: give finite numbers, each larger than the one before")
    return chosen


def _fills(rows: _Rows, breaks: list[float], colour: str, fmt: Callable[..., str], heading: str):
    """Return each shape's style and tooltip, the classes drawn, and the words written under each label.

    A figure takes its class true to its qualifier; an undisclosed one is outlined, dashed; a missing one is
    hatched ("no reported figure", never zero). The words are ordered largest figure first: named first.
    """
    shades = class_colours(colour, len(breaks) + 1)
    styles, tips, drawn, words = {}, {}, set(), []
    for key, value, qualifier, name, extra in zip(
        rows.frame[_ID], rows.values, rows.qualifiers, rows.names, rows.extra, strict=True
    ):
        if qualifier == "undisclosed":
            styles[key] = {"fillColor": tint(colour, 0.12), "fillOpacity": 0.9, "color": colour, "weight": 2,
                           "dashArray": "6 3"}  # fmt: skip
            text, note = gettext(_UNDISCLOSED), gettext("The source gives no value.")
            words.append((-1.0, key, text))
        elif math.isnan(value):
            styles[key], text, note = (
                dict(NO_FIGURE_STYLE),
                gettext("no reported figure"),
                gettext("No reported figure: not zero."),
            )
        else:
            k = class_of(value, breaks, qualifier)
            drawn.add(k)
            styles[key] = {"fillColor": shades[k], "fillOpacity": FILL_OPACITY, "color": INK, "weight": 1}
            text, note = fmt(value, qualifier), ""
            words.append((value, key, text))
        tips[key] = tooltip_html(name or gettext("(no name)"), [(heading, text), *extra], note=note)
    words.sort(key=lambda item: (-item[0], item[1]))
    return styles, tips, drawn, {key: text for _, key, text in words}


def _section(rows: _Rows, breaks: list[float], colour: str, fmt, drawn: set[int], heading: str) -> LegendSection:
    """Return the legend of the layer: the whole class scale (classes not drawn faint), then what else it draws."""
    entries = class_entries(class_labels(breaks, fmt), class_colours(colour, len(breaks) + 1), drawn)
    bounds = BELOW_QUALIFIERS | ABOVE_QUALIFIERS
    if any(q in bounds for q, r in zip(rows.qualifiers, rows.reported, strict=True) if r):
        entries.append(LegendEntry(bound_rule(), shape="none"))
    if rows.undisclosed.any():
        entries.append(LegendEntry(gettext(_UNDISCLOSED), fill=tint(colour, 0.12), edge=colour, shape="dashed-box"))
    if (np.isnan(rows.values) & ~rows.undisclosed).any():
        entries.append(no_figure_entry())
    return LegendSection(heading, tuple(entries), layer=heading)


def _label_point(geometry) -> tuple[float, float]:
    """Return where a shape's name goes: the pole of inaccessibility of its largest part (inside it, clear of edges)."""
    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area)
    point = shapely.ops.polylabel(largest, tolerance=max(math.sqrt(largest.area) / 50, 1e-6))
    return point.x, point.y


def _labels(rows: _Rows, seam: float) -> list[dict]:
    """Return a label per shape (:class:`c5map.maps.labels.Labels`), larger shapes first where room is short."""
    out = []
    for key, name, geometry in zip(rows.frame[_ID], rows.names, rows.frame.geometry, strict=True):
        if not name:  # no name to write, and a figure alone would not say whose it is
            continue
        lon, lat = _label_point(geometry)
        out.append({"kind": "member", "text": name, "lon": round(wrap_lon(lon, seam), 2), "lat": round(lat, 2),
                    "minZoom": 0, "priority": float(geometry.area), "iso3": key})  # fmt: skip
    out.sort(key=lambda label: (-label["priority"], label["text"]))
    return out


def _draw(m: folium.Map, rows: _Rows, breaks: list[float], look: _Look, seam: float, labelled: bool) -> None:
    """Add the layer (fills in a group named by the heading), its legend and, if ``labelled``, the labels.

    On c5map's own page the fills go in its pane of fills (``look.pane``); on a user's map in Leaflet's
    overlay pane, so what the user adds afterwards (markers, lines) is drawn over them, as with any folium layer.
    """
    colour, fmt, heading = look.colour, look.fmt, look.heading
    styles, tips, drawn, words = _fills(rows, breaks, colour, fmt, heading)
    # simplified to half a screen pixel at the deepest zoom, then rounded: a fraction of the source's bytes
    shapes = SharedShapes(web_countries(source=rows.frame), _ID, seam=seam)
    m.add_child(shapes)
    group = folium.FeatureGroup(name=layer_key(heading), show=True)
    group.add_child(ShapeLayer(shapes, styles, tips, pane=look.pane))
    group.add_to(m)
    add_legend(m, [_section(rows, breaks, colour, fmt, drawn, heading)])
    if labelled:
        m.add_child(Labels(_labels(rows, seam), {"*": words}))


def explore(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    qualifier: str | None = None,
    label: str | None = None,
    m: folium.Map | None = None,
    title: str | None = None,
    breaks: Sequence[float] | None = None,
    colour: str = PALETTE[0],
    fmt: Callable[..., str] = plain_number,
    tooltip: Sequence[str] = (),
    tiles: str | None = DEFAULT_TILES,
    subtitle: str = "",
    source: str = "",
) -> folium.Map:
    """Map a column of any GeoDataFrame with c5map's cartography: classes, qualifiers, hatching, labels, legend.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        Polygons in any CRS (reprojected to EPSG:4326; a frame without a CRS is refused). Rows without a
        polygon (points, lines, empty) are not drawn.
    column : str
        The numeric column to class. NaN (or qualifier ``undisclosed``) is no figure: hatched "no reported
        figure" (or outlined, "value undisclosed"), never drawn as zero.
    qualifier : str, optional
        A column of :data:`c5map.format.QUALIFIERS` (empty: ``exact``): "under 5" and "nearly 5" are classed
        below 5, "over 5" above it (:func:`c5map.maps.style.class_of`), and the legend says so.
    label : str, optional
        A column naming each shape: written on the map (never overlapping, with the figure under it) and
        heading its tooltip. Without it, no labels. On a map of several layers give it to one: each layer's
        labels are placed on their own and would overlap another's.
    m : folium.Map, optional
        A map to add to, as with ``GeoDataFrame.explore(m=...)``: its layers are kept, c5map's fills (a
        layer named ``title``), legend and labels are added. Default: a new c5map page.
    title : str, optional
        The layer's name and the legend's heading; for a new map, also the page's title. Default ``column``.
    breaks : sequence of float, optional
        Lower bounds of the classes above the first, ascending. Default: the 1-2-5 ladder
        (:func:`c5map.maps.style.nice_breaks`) over the figures.
    colour : str
        The hue of the classes (:func:`c5map.maps.style.class_colours`); default the first of
        :data:`c5map.maps.style.PALETTE`.
    fmt : callable
        ``fmt(value, qualifier="exact") -> str`` for tooltips, labels and the legend: :func:`plain_number`
        by default, :func:`c5map.format_usd` for dollars.
    tooltip : sequence of str
        Other columns to list in each tooltip.
    tiles : str or None
        For a new map: a folium or xyzservices tile name, or ``"none"`` for Natural Earth land only (offline).
    subtitle, source : str
        For a new map: the line under the title, and the source line.

    Returns
    -------
    folium.Map
        The new map, or ``m`` with c5map's layer added.

    Raises
    ------
    c5map.errors.UsageError
        A column that is not there (naming those that are), a column that is not numeric, an unknown
        qualifier, no CRS, no polygons, breaks that do not ascend, ``m`` that is not a ``folium.Map``.

    Examples
    --------
    >>> import c5map
    >>> world = c5map.load_countries("110m")
    >>> world.loc[world.iso3 == "FRA", "pop_est"] = float("nan")  # no reported figure: hatched
    >>> m = c5map.explore(world, "pop_est", label="name", title="Population", tiles="none")
    >>> c5map.explore(world, "pop_estimate")
    Traceback (most recent call last):
    ...
    c5map.errors.UsageError: column='pop_estimate': no such column; did you mean 'pop_est'? ...
    """
    tooltip = list(tooltip)
    _checked_columns(gdf, column, qualifier, label, tooltip)
    if m is not None and not isinstance(m, folium.Map):
        raise UsageError(f"m= takes a folium.Map, not a {type(m).__name__}")
    rows = _rows(gdf, column, qualifier, label, tooltip)
    chosen = _checked_breaks(breaks, rows)
    look = _Look(colour, fmt, str(title or column), "fills" if m is None else None)
    if m is not None:  # the user's map: its own world copy (-180..180), zoom and ids are left as they are
        hatch = macro("page.html.j2", "hatch_defs")(NO_FIGURE_FILL, HATCH_COLOUR)
        m.get_root().html.add_child(folium.Element(hatch), name="c5-hatch")  # once per page, as new_page does
        _draw(m, rows, chosen, look, -180.0, label is not None)
        return m
    view, seam = page_view(rows.frame.rename(columns={_ID: "iso3"}), rows.frame[_ID].tolist(), pad=1.0)
    if view[2] - view[0] > WORLD_SPAN:  # the whole world: the usual copy, Greenwich in the middle
        view, seam = (-180.0, view[1], 180.0, view[3]), -180.0
    text = PageText(title=look.heading, subtitle=subtitle, source=source or gettext("Source not given"))
    with stable_ids(f"explore:{look.heading}"):
        made = new_page(text, view, tiles, seam=seam)
        made.map.add_child(LayerOrder(view))  # before any layer: the panes and the zoom's bounds
        _draw(made.map, rows, chosen, look, seam, label is not None)
    return made.map
