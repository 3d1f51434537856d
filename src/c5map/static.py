"""Static images of every map for reports, print and slides: PNG at 300 dpi, and SVG.

Drawn with matplotlib from the same layers as the web pages, with a title,
legends that show only what is drawn, size keys for proportional circles and
a source line. Output is deterministic: no software or date stamps, fixed SVG
ids, and labels placed by a fixed rule.

Labels follow the web's rules. Every country name (with its figure, where the
image shows one) has a white halo and is placed by :class:`_Placer`: labels
are taken in priority order (largest figure, then largest area, first); each
tries positions inside its country around the country's pole of
inaccessibility, then spots around it joined by a leader line (small
countries), using the rendered text extents. A position is only taken if it
overlaps no other label, leader line, legend, title, subtitle or source text
and lies inside the panel; a label with no such position is not drawn and is
listed beside the map instead. Region-level figures are never drawn on a
member country: the trade image puts its circles in a row beside the region's
outline, with a leader line to it.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects

# Figures are made with matplotlib's object API, each on an Agg canvas of its own: importing c5map never
# touches pyplot nor the user's backend (a notebook's inline plots stay as they were).
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerPatch, HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, Patch
from matplotlib.path import Path
from matplotlib.text import Text

from c5map import layers
from c5map.boundaries import load_countries, web_countries
from c5map.format import format_quantity, format_usd
from c5map.maps.common import (
    date_words,
    display_names,
    partner_palette_of,
    region_view,
    source_line,
    text,
)
from c5map.maps.resources import RESOURCE_COLOUR, UNCERTAINTY_KM, UNIFORM_WORDS, resource_deals
from c5map.maps.safety import isolate_bidi
from c5map.maps.style import (
    BOUND_RULE,
    INK,
    LAND_COLOUR,
    LAND_EDGE,
    NO_FIGURE_EDGE,
    SEA_COLOUR,
    class_labels,
)
from c5map.resource_scale import ResourceScale, figure_label, resource_scale
from c5map.scenes import LegendEntry, LegendSection
from c5map.scenes.influence import EVENTS_LAYER, influence_scene, view_arcs
from c5map.scenes.trade import trade_scene, trade_selection
from c5map.story import BASIS_WORDS, Story, humanise, span_text, story_for, word_list, year_span
from c5map.tables import Tables, parse_partial_date

DPI = 300
FIGSIZE = (10.0, 6.6)  # inches: a half page in print, a full slide
STYLE = {
    "font.family": "DejaVu Sans",  # ships with matplotlib: the same glyphs on every machine
    "font.size": 8,
    "svg.hashsalt": "c5map",  # stable SVG element ids
    "svg.fonttype": "none",  # SVG text stays <text>, so a graphics desk can edit and translate it
    "text.parse_math": False,  # "$5bn to $10bn" is money, not TeX; data text is never parsed as markup
}
MARGIN = 0.2  # inches of white around the page
#: The white halo around every map label (points of stroke width) and the clear space kept between labels.
HALO_PT = 2.0
LABEL_GAP_PT = 1.0
HALO = (patheffects.withStroke(linewidth=HALO_PT, foreground="white"),)
LEADER = {"color": INK, "linewidth": 0.45, "solid_capstyle": "butt", "zorder": 8.5}
#: Radius of the largest proportional circle, in degrees of latitude, and at most this share of the view's height.
TRADE_LARGEST_DEGREES, TRADE_LARGEST_SHARE = 3.0, 0.12
RESOURCE_LARGEST_DEGREES, RESOURCE_LARGEST_SHARE = 6.0, 0.15
REGION_CIRCLE = {"edgecolor": "white", "alpha": 0.85, "linewidth": 1.0}
#: Matplotlib style of a shape with no reported figure, and of its legend swatch: hatched, as on the web.
NO_FIGURE_HATCH = {"facecolor": "white", "hatch": "////", "edgecolor": NO_FIGURE_EDGE, "linewidth": 0.5}


# --- page frame -------------------------------------------------------------------------------------------------


def _renderer(fig):
    return fig.canvas.get_renderer()


def _height_in(artist) -> float:
    """Height in inches of a text or legend as it will be drawn (0 for empty text)."""
    if hasattr(artist, "get_text") and not artist.get_text():
        return 0.0
    fig = artist.get_figure(root=True)
    return artist.get_window_extent(_renderer(fig)).height / fig.dpi


def _fit(artist, width_in: float) -> None:
    """Break each line of a text into lines no wider than ``width_in`` inches, measured as drawn.

    Words are measured one by one (short strings: quick, and cached by
    matplotlib), lines are filled greedily, and the result is measured whole;
    a result still too wide (kerning) is refilled to a slightly narrower width.
    """
    fig = artist.get_figure(root=True)
    renderer, limit = _renderer(fig), width_in * fig.dpi
    original = artist.get_text()
    if not original.strip() or artist.get_window_extent(renderer).width <= limit:
        return

    def width(words: str) -> float:
        artist.set_text(words)
        return artist.get_window_extent(renderer).width

    space = width("a a") - 2 * width("a")
    sizes = {word: width(word) for word in set(original.split())}
    for target in (limit * f for f in (0.99, 0.96, 0.92, 0.85)):
        lines = []
        for paragraph in original.split("\n"):
            current, used = [], 0.0
            for word in paragraph.split():
                extra = sizes[word] + (space if current else 0.0)
                if current and used + extra > target:
                    lines.append(" ".join(current))
                    current, used = [word], sizes[word]
                else:
                    current.append(word)
                    used += extra
            lines.append(" ".join(current))
        artist.set_text("\n".join(lines))
        if artist.get_window_extent(renderer).width <= limit:
            return


def _fitted(fig, words: str, width_in: float, **style) -> str:
    """Return ``words`` broken into lines no wider than ``width_in`` inches in ``style`` (legend labels)."""
    probe = fig.text(0, 0, words, **style)
    _fit(probe, width_in)
    fitted = probe.get_text()
    probe.remove()
    return fitted


def _frame(title: str, subtitle: str, source: str, figsize: tuple[float, float] = FIGSIZE):
    """Start a page with its title, subtitle and source line, each wrapped to the page's width.

    ``fig.c5_header`` and ``fig.c5_footer`` are the inches they take at the top and the bottom;
    :func:`_place_frame` puts them back in place after the page changes height.
    """
    fig = Figure(figsize=figsize, dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)  # text extents need a renderer; no pyplot figure manager, nothing global
    width = figsize[0] - 2 * MARGIN
    x = MARGIN / figsize[0]
    parts = (
        fig.text(x, 0, title, fontsize=15, fontweight="bold", va="top"),
        fig.text(x, 0, subtitle, fontsize=9, color="#444", va="top"),
        fig.text(x, 0, f"{source} · Made with Natural Earth", fontsize=6.5, color="#555", va="bottom"),
    )
    for part in parts:
        _fit(part, width)
    fig.c5_frame = parts
    _place_frame(fig)
    return fig


def _place_frame(fig) -> None:
    title, subtitle, source = fig.c5_frame
    height = fig.get_figheight()
    y = height - 0.15
    title.set_y(y / height)
    y -= _height_in(title) + 0.07
    subtitle.set_y(y / height)
    y -= _height_in(subtitle)
    fig.c5_header = height - y + 0.12
    source.set_y(0.1 / height)
    fig.c5_footer = 0.1 + _height_in(source) + 0.12


def _map_axes(fig):
    """Add the map's axes between a page's header and footer, leaving the right third for the side column.

    Returns the axes and their rectangle in figure fractions.
    """
    height = fig.get_figheight()
    rect = [MARGIN / 10, fig.c5_footer / height, 0.66, 1 - (fig.c5_header + fig.c5_footer) / height]
    ax = fig.add_axes(rect)
    ax.set_anchor("NW")
    return ax, rect


def _basemap(ax, bounds: tuple[float, ...]) -> None:
    ax.c5_bounds = bounds  # applied by _finish, once every layer is drawn
    ax.set_facecolor(SEA_COLOUR)
    _shapes(ax, load_countries("110m").geometry, facecolor=LAND_COLOUR, edgecolor=LAND_EDGE, linewidth=0.4)


def _x(ax, x: float) -> float:
    """Longitude on the axes: a frame that runs east of 180° (across the antimeridian) takes west longitudes +360."""
    west, _, east, _ = getattr(ax, "c5_bounds", (-180.0, 0.0, 180.0, 0.0))
    return x + 360 if east > 180 and x < west else x


def _wrapped(ax, geometry):
    """Return ``geometry`` placed as :func:`_x` places points: a part wholly west of the frame moves by +360°.

    Whole parts move, never single vertices: a ring or a line with vertices
    on both sides of the frame's west edge would otherwise be stretched
    across the whole panel (a band of land, a line at one latitude).
    Natural Earth and :func:`c5map.geodesic.great_circle` split at ±180°, so
    no part crosses the antimeridian itself.
    """
    west, _, east, _ = getattr(ax, "c5_bounds", (-180.0, 0.0, 180.0, 0.0))
    if east <= 180 or geometry is None or geometry.is_empty:
        return geometry
    parts = shapely.get_parts(geometry)
    west_of = shapely.bounds(parts)[:, 2] < west
    if not west_of.any():
        return geometry
    parts = [shapely.transform(p, lambda xy: xy + [360.0, 0.0]) if moved else p
             for p, moved in zip(parts, west_of, strict=True)]  # fmt: skip
    kind = geometry.geom_type.removeprefix("Multi")
    if kind == "Polygon":
        return shapely.MultiPolygon(parts)
    if kind == "LineString":
        return shapely.MultiLineString(parts)
    if kind == "Point":
        return shapely.MultiPoint(parts) if len(parts) > 1 else parts[0]
    return shapely.GeometryCollection(parts)


def _path(geometry) -> Path:
    """Return one compound path of a (multi)polygon's rings, or a (multi)line's parts, in drawing order."""
    parts = []
    for part in shapely.get_parts(geometry):
        rings = [part.exterior, *part.interiors] if isinstance(part, shapely.Polygon) else [part]
        for ring in rings:
            xy = shapely.get_coordinates(ring)
            codes = np.full(len(xy), Path.LINETO, dtype=Path.code_type)
            codes[0] = Path.MOVETO
            if ring.is_closed and isinstance(part, shapely.Polygon):
                codes[-1] = Path.CLOSEPOLY
            parts.append(Path(xy, codes))
    return Path.make_compound_path(*parts) if parts else Path(np.empty((0, 2)))


def _shapes(ax, geometries, *, facecolor="none", zorder: float = 1, **style):
    """Draw shapes as one collection (returned, or None when there is nothing to draw).

    geopandas' ``.plot()`` redraws the whole figure after every layer (about
    half of the image time at 300 dpi); one collection per layer is drawn once.
    """
    paths = [_path(_wrapped(ax, g)) for g in geometries if g is not None and not g.is_empty]
    if not paths:
        return None
    collection = PathCollection(paths, facecolor=facecolor, zorder=zorder, **style)
    ax.add_collection(collection, autolim=False)
    return collection


def _finish(fig) -> None:
    for ax in fig.axes:
        bounds = getattr(ax, "c5_bounds", None)
        if bounds is None:
            continue
        west, south, east, north = bounds
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(1 / math.cos(math.radians((south + north) / 2)))  # equirectangular, true at mid-latitude
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")


def _settle(fig) -> None:
    """Fix every map's limits and aspect now, so that data -> display transforms are final for placing labels."""
    _finish(fig)
    for ax in fig.axes:
        ax.apply_aspect()


def _stretch(bounds) -> float:
    """Degrees of longitude that look as long as one of latitude on a map of ``bounds``."""
    return 1 / math.cos(math.radians((bounds[1] + bounds[3]) / 2))


def _round(ax, x: float, y: float, radius: float, **style):
    """Return a circle of ``radius`` degrees of latitude that looks round on the axes of :func:`_basemap`."""
    return Ellipse((x, y), 2 * radius * _stretch(ax.c5_bounds), 2 * radius, **style)


def _arc(ax, start, end, colour, width, dashed: bool = False) -> None:
    line = _wrapped(ax, layers.great_circle(*start, *end))
    for part in getattr(line, "geoms", [line]):
        xs, ys = part.xy
        ax.plot(xs, ys, color=colour, linewidth=width, alpha=0.8, solid_capstyle="round", zorder=4,
                linestyle=(0, (1, 3)) if dashed else "-")  # fmt: skip


def _share(value: float, largest: float) -> float:
    """``value / largest`` for stroke and symbol scales; 0 where either is missing, zero or not finite."""
    try:
        share = float(value) / float(largest)
    except (TypeError, ValueError, ZeroDivisionError):
        return 0.0
    return share if math.isfinite(share) and share > 0 else 0.0


# --- legends and size keys --------------------------------------------------------------------------------------


def _circle_swatch(legend, orig_handle, xdescent, ydescent, width, height, fontsize):
    """Return a circle for a legend swatch (:class:`_PatchHandler` gives it the handle's style)."""
    radius = min(width, height) / 2 + 1.5
    return Circle((width / 2 - xdescent, height / 2 - ydescent), radius)


class _PatchHandler(HandlerPatch):
    """Legend swatches of patches that keep the handle's line style by name too (matplotlib copies the dashes only).

    With ``circle=True`` the swatch is a circle, for symbols drawn as circles.
    """

    def __init__(self, circle: bool = False):
        super().__init__(patch_func=_circle_swatch if circle else None)

    def update_prop(self, legend_handle, orig_handle, legend):
        super().update_prop(legend_handle, orig_handle, legend)
        legend_handle.set_linestyle(orig_handle.get_linestyle())


PATCH_HANDLERS = {Patch: _PatchHandler()}


def _legend(fig, handles, x_in: float, top_in: float, width_in: float, title: str = "", **style):
    """Draw a legend whose top left corner is at (``x_in``, ``top_in``) inches; labels wrapped to ``width_in``."""
    fontsize = style.pop("fontsize", 6.5)
    label_width = width_in - 0.45  # the swatch and its gap
    for handle in handles:
        handle.set_label(_fitted(fig, handle.get_label(), label_width, fontsize=fontsize))
    legend = fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(x_in / fig.get_figwidth(), top_in / fig.get_figheight()),
        borderaxespad=0,
        borderpad=0,
        fontsize=fontsize,
        frameon=False,
        title=_fitted(fig, title, width_in, fontsize=7, fontweight="bold") if title else None,
        title_fontproperties={"size": 7, "weight": "bold"},
        alignment="left",
        handler_map=PATCH_HANDLERS | {h: _PatchHandler(circle=True) for h in handles if getattr(h, "c5_circle", False)},
        **style,
    )
    return legend


def _circle_handle(label: str, **style) -> Patch:
    handle = Patch(label=label, **style)
    handle.c5_circle = True
    return handle


def _key_values(largest: float) -> list[float]:
    """Two or three round values (1-2-5 ladder) for a size key of circles up to ``largest``.

    Examples
    --------
    >>> _key_values(66.2e9)
    [50000000000.0, 10000000000.0, 2000000000.0]
    >>> _key_values(44e6)
    [20000000.0, 5000000.0, 1000000.0]
    """
    if not largest > 0:
        return []
    ladder = [m * 10.0**e for e in range(int(math.floor(math.log10(largest))) - 4, int(math.log10(largest)) + 1)
              for m in (1, 2, 5)]  # fmt: skip
    values = [max(v for v in ladder if v <= largest * (1 + 1e-9))]
    while len(values) < 3:
        below = [v for v in ladder if v <= values[-1] / 4 * (1 + 1e-9)]
        if not below or math.sqrt(below[-1] / largest) < 0.12:  # a circle too small to read
            break
        values.append(max(below))
    return values


def _size_key(fig, x_in: float, top_in: float, title: str, values, radius_in, label, **style) -> float:
    """Draw nested reference circles (bottoms aligned) of ``radius_in(value)`` inches; return the key's bottom.

    The circles use the map's own scale (``radius_in`` converts a value to inches
    as the map draws it), so a reader can compare any circle with the key.
    """
    width, height = fig.get_figwidth(), fig.get_figheight()
    if not values:  # no figure to scale: no key
        return top_in
    heading = fig.text(x_in / width, top_in / height, title, fontsize=7, fontweight="bold", va="top")
    _fit(heading, width - MARGIN - x_in)
    radii = [radius_in(v) for v in values]
    biggest = max(radii)
    base = top_in - _height_in(heading) - 0.1 - 2 * biggest
    centre = x_in + biggest + 0.02
    label_x = centre + biggest + 0.12
    label_y = math.inf
    for value, radius in zip(values, radii, strict=True):
        key = fig.add_artist(Circle((centre, base + radius), radius, transform=fig.dpi_scale_trans, **style))
        key.c5_key_value = value
        top = base + 2 * radius
        label_y = min(top, label_y - 0.11)  # keep the values' lines apart when circles are close in size
        fig.add_artist(
            Line2D(
                [centre, label_x - 0.04], [top, label_y], transform=fig.dpi_scale_trans, color="#555", linewidth=0.4
            )  # fmt: skip
        )
        fig.text(label_x / width, label_y / height, label(value), fontsize=6, va="center")
    return min(base, label_y - 0.06)


# --- label placement --------------------------------------------------------------------------------------------


@dataclass
class _Label:
    """A label to place on a map.

    ``shape`` (the area it names, data coordinates as drawn) or ``point`` (a
    symbol's centre, with ``radius`` display pixels kept clear) says what it
    labels. ``avoid`` is display geometry it may not touch (the members, for a
    region's figures); ``prefer`` orders the sides tried around a point.
    """

    ax: object
    text: str
    priority: tuple
    shape: object = None
    point: tuple[float, float] | None = None
    radius: float = 0.0
    leader: bool = True
    avoid: object = None
    prefer: tuple[str, ...] = ("below", "above", "right", "left")
    style: dict = field(default_factory=dict)


_SIDES = {
    "below": (0.0, -1.0), "above": (0.0, 1.0), "right": (1.0, 0.0), "left": (-1.0, 0.0),
    "below right": (1.0, -1.0), "above right": (1.0, 1.0), "below left": (-1.0, -1.0), "above left": (-1.0, 1.0),
}  # fmt: skip


def _boxes_overlap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) booleans: boxes (x0, y0, x1, y1) of ``a`` overlapping boxes of ``b``."""
    return (
        (a[:, None, 0] < b[None, :, 2]) & (a[:, None, 2] > b[None, :, 0])
        & (a[:, None, 1] < b[None, :, 3]) & (a[:, None, 3] > b[None, :, 1])
    )  # fmt: skip


def _segments_hit_boxes(segments: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(len(segments), len(boxes)) booleans: segments (x0, y0, x1, y1) crossing boxes (Liang-Barsky clipping)."""
    shape = (len(segments), len(boxes))
    low, high = np.zeros(shape), np.ones(shape)
    for k in (0, 1):
        start = segments[:, None, k]
        delta = segments[:, None, k + 2] - start
        lo, hi = boxes[None, :, k], boxes[None, :, k + 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            t1, t2 = (lo - start) / delta, (hi - start) / delta
        flat = np.broadcast_to(delta == 0, shape)
        inside = np.broadcast_to((start > lo) & (start < hi), shape)
        low = np.where(flat, np.where(inside, low, 2.0), np.maximum(low, np.minimum(t1, t2)))
        high = np.where(flat, np.where(inside, high, -1.0), np.minimum(high, np.maximum(t1, t2)))
    return low < high


def _segments_cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) booleans: segments of ``a`` properly crossing segments of ``b``."""

    def side(p, q, r):
        return np.sign(
            (q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0])
        )

    p1, p2 = a[:, None, :2], a[:, None, 2:]
    q1, q2 = b[None, :, :2], b[None, :, 2:]
    return (side(p1, p2, q1) * side(p1, p2, q2) < 0) & (side(q1, q2, p1) * side(q1, q2, p2) < 0)


def _display(ax, geometry):
    """``geometry`` (data coordinates as drawn) in display pixels."""
    return shapely.transform(geometry, ax.transData.transform)


def _polygons(geometry) -> list:
    return [p for p in shapely.get_parts(geometry) if isinstance(p, shapely.Polygon) and not p.is_empty]


class _Placer:
    """Place labels greedily by priority, never overlapping each other, leader lines or blocked areas.

    Work is in display pixels of the figure as it will be drawn: call
    :func:`_settle` first. Block what labels must keep off (titles, legends,
    notes) with :meth:`block`; name the areas labels are about with
    :meth:`area` and symbols they should rather not cover with :meth:`symbol`.
    """

    def __init__(self, fig):
        self.fig = fig
        self.renderer = _renderer(fig)
        self.pad = (HALO_PT / 2 + LABEL_GAP_PT / 2) * fig.dpi / 72  # each side of a label's text extent
        self.boxes = np.empty((0, 4))
        self.segments = np.empty((0, 4))
        self.areas: dict[int, list] = {}
        self.symbols: dict[int, list] = {}
        self.solid: dict[int, list] = {}
        self._unions: dict[tuple[int, str], object] = {}

    def block(self, *artists) -> None:
        """Keep labels off these artists' extents (texts, legends, axes titles)."""
        for artist in artists:
            if artist is None or not artist.get_visible():
                continue
            if hasattr(artist, "get_text") and not artist.get_text():
                continue
            bb = artist.get_window_extent(self.renderer)
            self.boxes = np.vstack([self.boxes, [bb.x0, bb.y0, bb.x1, bb.y1]])

    def block_frame(self) -> None:
        """Block every text and legend of the figure outside the maps: frame, panel titles, notes, keys."""
        fig = self.fig
        self.block(*fig.texts, *fig.legends)
        for ax in fig.axes:
            self.block(ax.title, *(t for t in ax.texts if not getattr(t, "c5_label", False)))
            self.block(ax.get_legend())

    def area(self, ax, geometry) -> None:
        """Record a labelled area (data coordinates as drawn): other labels prefer to keep off it."""
        self.areas.setdefault(id(ax), []).append(self._clip(ax, _display(ax, _wrapped(ax, geometry))))
        self._unions.pop((id(ax), "areas"), None)

    def symbol(self, ax, geometry, hard: bool = False) -> None:
        """Record a symbol (display pixels) labels prefer to keep off; ``hard``: labels and leaders never cross it."""
        kind = "solid" if hard else "symbols"
        getattr(self, kind).setdefault(id(ax), []).append(geometry)
        self._unions.pop((id(ax), kind), None)

    def _clip(self, ax, geometry):
        """Return the part of display ``geometry`` inside the axes, simplified to a pixel (for costs, not drawing)."""
        x0, y0, x1, y1 = ax.bbox.extents
        clipped = shapely.clip_by_rect(shapely.make_valid(geometry), x0, y0, x1, y1)
        return shapely.make_valid(shapely.simplify(clipped, 1.5))

    def _union(self, ax, kind: str):
        key = (id(ax), kind)
        if key not in self._unions:
            parts = getattr(self, kind).get(id(ax), [])
            union = shapely.union_all([p.buffer(0) for p in parts]) if parts else shapely.Polygon()
            shapely.prepare(union)
            self._unions[key] = union
        return self._unions[key]

    def place(self, labels: list[_Label]) -> list[_Label]:
        """Place ``labels`` by priority; return those with no free position (they are not drawn)."""
        dropped = []
        for label in sorted(labels, key=lambda lab: lab.priority):
            if not self._place(label):
                dropped.append(label)
        return dropped

    def _free(self, ax, boxes: np.ndarray) -> np.ndarray:
        x0, y0, x1, y1 = ax.bbox.extents
        ok = (boxes[:, 0] >= x0) & (boxes[:, 1] >= y0) & (boxes[:, 2] <= x1) & (boxes[:, 3] <= y1)
        if len(self.boxes):
            ok &= ~_boxes_overlap(boxes, self.boxes).any(axis=1)
        if len(self.segments):
            ok &= ~_segments_hit_boxes(self.segments, boxes).any(axis=0)
        return ok

    def _leaders_free(self, leaders: np.ndarray) -> np.ndarray:
        ok = np.ones(len(leaders), dtype=bool)
        if len(self.boxes):
            ok &= ~_segments_hit_boxes(leaders, self.boxes).any(axis=1)
        if len(self.segments):
            ok &= ~_segments_cross(leaders, self.segments).any(axis=1)
        return ok

    @staticmethod
    def _shares(boxes_geometry, union, areas) -> np.ndarray:
        """Share of each box's area inside ``union``."""
        if union.is_empty:
            return np.zeros(len(areas))
        touching = shapely.intersects(union, boxes_geometry)
        shares = np.zeros(len(areas))
        if touching.any():
            # an overlay with the boxes' extent, not clip_by_rect: GEOS's rectangle clip can return a ring of
            # three points from display-space slivers and then fail (found by tests/test_valid_data_builds.py)
            near = shapely.intersection(union, shapely.box(*shapely.total_bounds(boxes_geometry[touching])))
            shares[touching] = shapely.area(shapely.intersection(boxes_geometry[touching], near)) / areas[touching]
        return shares

    def _place(self, label: _Label) -> bool:
        ax = label.ax
        style = {"fontsize": 6, "color": INK} | label.style
        anchor = label.point if label.point is not None else (0.0, 0.0)
        artist = ax.text(*anchor, label.text, ha="center", va="center", multialignment="center",
                         path_effects=HALO, zorder=9, **style)  # fmt: skip
        artist.c5_label = True
        extent = artist.get_window_extent(self.renderer)
        position = ax.transData.transform(anchor)
        pad = self.pad
        w, h = extent.width + 2 * pad, extent.height + 2 * pad
        offset = np.array([extent.x0 - pad - position[0], extent.y0 - pad - position[1]])  # box corner - position

        if label.shape is not None:
            own = self._clip(ax, _display(ax, _wrapped(ax, label.shape)))
            parts = _polygons(own)
            if not parts:
                artist.remove()
                return True  # not on this map: nothing to label
            main = max(parts, key=lambda p: p.area)
            centre = np.array(shapely.get_coordinates(shapely.maximum_inscribed_circle(main, 1.0))[0])
            shapely.prepare(own)
            near_centres, near_order = self._inside_candidates(centre, w, h)
            near_central = np.hypot((near_centres[:, 0] - centre[0]) / w, (near_centres[:, 1] - centre[1]) / h) <= 0.6
            ring, ring_cost, starts = self._ring_candidates(centre, 0.0, w, h)
        else:
            own = None
            centre = np.asarray(position, dtype=float)
            near_centres, near_order = self._side_candidates(centre, label.radius, w, h, label.prefer)
            near_central = np.zeros(len(near_centres), dtype=bool)
            ring, ring_cost, starts = self._ring_candidates(centre, label.radius, w, h)
        symbols = self._union(ax, "symbols")
        solid = self._union(ax, "solid") if self.solid.get(id(ax)) else None
        others = self._union(ax, "areas") if own is not None else shapely.Polygon()

        def boxes_of(centres):
            return np.column_stack([centres[:, 0] - w / 2, centres[:, 1] - h / 2,
                                    centres[:, 0] + w / 2, centres[:, 1] + h / 2])  # fmt: skip

        chosen = None
        # 1. at the label's own place: inside its country, or beside its symbol
        boxes = boxes_of(near_centres)
        ok = self._free(ax, boxes)
        geoms = shapely.box(*boxes.T)
        for keep_off in (label.avoid, solid):
            if keep_off is not None and ok.any():
                ok[ok] &= ~shapely.intersects(keep_off, geoms[ok])
        inside_ok = ok & shapely.contains(own, geoms) if own is not None else ok
        if inside_ok.any():
            index = np.flatnonzero(inside_ok)
            areas = np.full(len(index), w * h)
            clutter = self._shares(geoms[index], symbols, areas)
            if own is not None:
                clutter += self._shares(geoms[index], others, areas) - 1.0  # its own country is all of that
            good = index[clutter <= 0.02]
            if len(good):
                chosen = boxes[good[np.argmin(near_order[good])]], None
        # 1b. over its country's centre, mostly inside it, spilling onto no other labelled country
        if chosen is None and own is not None:
            index = np.flatnonzero(ok & near_central)
            if len(index):
                areas = np.full(len(index), w * h)
                inside = self._shares(geoms[index], own, areas)
                spill = self._shares(geoms[index], others, areas) - inside + self._shares(geoms[index], symbols, areas)
                good = (inside >= 0.85) & (spill <= 0.05)
                if good.any():
                    score = np.where(good, inside - 0.05 * near_order[index], -np.inf)
                    chosen = boxes[index[np.argmax(score)]], None
        # 2. a free spot around it, joined by a leader line
        if chosen is None and label.leader:
            boxes = boxes_of(ring)
            ok = self._free(ax, boxes)
            for keep_off in (label.avoid, solid):
                if keep_off is not None and ok.any():
                    ok[ok] &= ~shapely.intersects(keep_off, shapely.box(*boxes[ok].T))
            ends = np.column_stack([np.clip(starts[:, 0], boxes[:, 0] + pad, boxes[:, 2] - pad),
                                    np.clip(starts[:, 1], boxes[:, 1] + pad, boxes[:, 3] - pad)])  # fmt: skip
            leaders = np.column_stack([starts, ends])
            if ok.any():
                ok[ok] &= self._leaders_free(leaders[ok])
            for keep_off in (label.avoid, solid):  # nor its leader: a region's figure points at no member
                if keep_off is not None and ok.any():
                    lines = shapely.linestrings(leaders[ok].reshape(-1, 2, 2))
                    ok[ok] &= ~shapely.intersects(keep_off, lines)
            if ok.any():
                index = np.flatnonzero(ok)
                geoms = shapely.box(*boxes[index].T)
                areas = np.full(len(index), w * h)
                cost = ring_cost[index] + 4 * self._shares(geoms, symbols, areas)
                if own is not None:
                    inside = self._shares(geoms, own, areas)
                    cost += 1.2 * (self._shares(geoms, others, areas) - inside) + 0.6 * inside
                best = index[np.argmin(cost)]
                chosen = boxes[best], leaders[best]
        if chosen is None:
            artist.remove()
            return False
        box, leader = chosen
        artist.set_position(ax.transData.inverted().transform(box[:2] - offset))
        self.boxes = np.vstack([self.boxes, box])
        if leader is not None:
            self.segments = np.vstack([self.segments, leader])
            (x0, y0), (x1, y1) = ax.transData.inverted().transform(leader.reshape(2, 2))
            ax.plot([x0, x1], [y0, y1], **LEADER)
            if own is not None:  # a dot where the leader meets its country
                ax.plot([x0], [y0], "o", markersize=1.4, color=INK, zorder=8.5)
        return True

    @staticmethod
    def _inside_candidates(centre, w, h):
        """Box centres on a grid around ``centre``, nearest first (their distance as the order)."""
        i, j = np.meshgrid(np.arange(-4, 5) / 4, np.arange(-4, 5) / 2)
        steps = np.column_stack([i.ravel(), j.ravel()])
        order = np.hypot(steps[:, 0], steps[:, 1] * 0.7) + 0.01 * (steps[:, 1] < 0)  # a little higher, not lower
        return centre + steps * [w, h], order

    @staticmethod
    def _side_candidates(centre, radius, w, h, prefer):
        """Box centres touching a circle of ``radius`` on each side, the preferred sides first."""
        sides = list(prefer) + [s for s in _SIDES if s not in prefer]
        gap = 1.0
        centres = []
        for side in sides:
            ux, uy = _SIDES[side]
            if ux and uy:  # the box's corner on the circle at 45°
                c = centre + np.array([ux, uy]) * (radius / math.sqrt(2) + gap) + [ux * w / 2, uy * h / 2]
            else:
                c = centre + np.array([ux * (radius + gap + w / 2), uy * (radius + gap + h / 2)])
            centres.append(c)
        return np.array(centres), np.arange(len(centres), dtype=float)

    @staticmethod
    def _ring_candidates(centre, radius, w, h):
        """Box centres on rings around ``centre`` (beyond ``radius``); cost grows with distance; leader starts."""
        angles = np.radians(np.arange(0, 360, 22.5))
        distances = h * np.array([0.8, 1.4, 2.1, 3.0, 4.2, 5.6, 7.5])
        a, d = np.meshgrid(angles, distances)
        a, d = a.ravel(), d.ravel()
        ux, uy = np.cos(a), np.sin(a)
        centres = np.column_stack([centre[0] + ux * (radius + d + w / 2), centre[1] + uy * (radius + d + h / 2)])
        cost = d / h * 0.25 + 0.02 * (1 - ux)  # nearer first, then to the right
        edge = radius + 1.0 if radius else 0.0  # just outside a symbol: its leader does not cross it
        starts = np.column_stack([centre[0] + ux * edge, centre[1] + uy * edge])
        return centres, cost, starts


def _area_labels(ax, placer: _Placer, rows, **style) -> list[_Label]:
    """Labels for countries: ``rows`` of (text, geometry, value); biggest value, then biggest area, first."""
    out = []
    for label_text, geometry, value in rows:
        placer.area(ax, geometry)
        value = value if isinstance(value, int | float) and math.isfinite(value) else -1.0
        out.append(_Label(ax, label_text, (1, -value, -float(geometry.area), label_text), shape=geometry, style=style))
    return out


def _one_line(label: _Label) -> str:
    return label.text.replace("\n", " ")


#: Most entries an image lists beside its map (labels with no room, other figures): beyond, "and N more".
MAX_LISTED = 8
#: Most items an image draws, whatever the row count (the page and geo/ hold the rest; the image says so).
MAX_PANELS = 6  # influence: one small map per partner, most deals first (two rows of three)
MAX_SYMBOLS = 40  # resources: the largest figures of the scale's pair first
MAX_TIMELINE_ITEMS = 40  # timeline: every event first, then the largest deals


def _listed(items: list[str], most: int = MAX_LISTED) -> list[str]:
    """At most ``most`` of ``items``; the last says how many more there are."""
    if len(items) <= most:
        return items
    return [*items[: most - 1], f"and {len(items) - most + 1:,} more"]


def _unlabelled(dropped: list[_Label]) -> str:
    """'Not labelled (no room): ...' with every label in full, or only their first lines when there are many."""
    words = [_one_line(d) for d in dropped]
    if len(words) > MAX_LISTED or sum(map(len, words)) > 60 * MAX_LISTED:
        words = _listed([d.text.split("\n")[0] for d in dropped])
    return "Not labelled (no room): " + "; ".join(words)


# --- the figures ------------------------------------------------------------------------------------------------


def _handle(entry: LegendEntry):
    """Return the print swatch of a scene's legend entry (:data:`c5map.scenes.SHAPES`); None for words only."""
    if entry.shape == "none":
        return None
    if entry.shape == "hatched-box":
        return Patch(**NO_FIGURE_HATCH)
    if entry.shape in ("line", "dashed-line"):
        return Line2D([], [], color=entry.edge, linewidth=1.5, alpha=0.8, solid_capstyle="round",
                      linestyle=(0, (1, 3)) if entry.shape == "dashed-line" else "-")  # fmt: skip
    style = {"facecolor": entry.fill, "edgecolor": entry.edge, "linewidth": 0.5}
    if entry.shape in ("circle", "dashed-circle"):  # symbols are drawn translucent on the map, so is their swatch
        style |= {"alpha": REGION_CIRCLE["alpha"], "linewidth": REGION_CIRCLE["linewidth"]}
        return _circle_handle(entry.label, linestyle="--" if entry.shape == "dashed-circle" else "-", **style)
    if entry.shape == "dashed-box" and entry.fill == "none":  # an outline, drawn as a dashed line on the map
        return Line2D([], [], color=entry.edge, linestyle="--", linewidth=1)
    if entry.shape == "dashed-box":
        return Patch(linestyle="--", **style | {"linewidth": 1.0})
    return Patch(**style)


def _tuple_handlers(entries) -> dict:
    """Legend handlers of rows of swatches: one per view, circles drawn round (symbols), patches with their dashes."""
    circles = {h: _PatchHandler(circle=True) for handles, _ in entries for h in handles if getattr(h, "c5_circle", 0)}
    return PATCH_HANDLERS | {tuple: HandlerTuple(ndivide=None, pad=0)} | circles


def merged_legend(sections, first: list[str] | tuple[str, ...] = ()) -> list[tuple[tuple, str]]:
    """(swatches, label) of every swatch entry of ``sections``, one row per label.

    Entries of several views with one label (a class, "no reported figure") share a row: one swatch per view.
    Rows whose label is in ``first`` (the class labels, in class order) come first, the rest as first seen.
    """
    rows: dict[str, list] = {label: [] for label in first}
    for section in sections:
        for entry in section.swatches:
            handles = rows.setdefault(entry.label, [])
            if not any(getattr(h, "c5_entry", None) == entry for h in handles):
                handle = _handle(entry)
                handle.c5_entry = entry
                handles.append(handle)
    return [(tuple(handles), label) for label, handles in rows.items() if handles]


def influence_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Small multiples of the influence scene (:func:`c5map.scenes.influence.influence_scene`): a panel a view."""
    shapes = web_countries(list(story.members), source=countries)
    scene = influence_scene(tables, story, shapes)
    names = display_names(tables)
    views, sections = scene.views[:MAX_PANELS], scene.view_sections[:MAX_PANELS]
    subtitle = scene.text.print_subtitle
    left_out = [one.name for one in scene.views[MAX_PANELS:]] + [names.get(p, p) for p in scene.left_out]
    if left_out:
        subtitle += (
            f" {len(left_out):,} more views ({word_list(left_out, most=12)}) are on the web page; all figures in geo/."
        )
    fig = _frame(scene.text.title, subtitle, source_line(tables, tables.deals["source_id"]), figsize=(10.0, 4.4))
    width = 10.0
    bounds = region_view(shapes, list(story.members), pad=2.0)
    cols = min(max(len(views), 1), 3)
    rows = math.ceil(max(len(views), 1) / cols)
    panel_w = (width - 2 * MARGIN - (cols - 1) * 0.2) / cols
    ratio = (bounds[3] - bounds[1]) / ((bounds[2] - bounds[0]) / _stretch(bounds))
    panel_h = min(panel_w * ratio, 3.0 if rows == 1 else 2.6)
    caps = layers.capitals(tables)
    panels = []
    for i, (one, section) in enumerate(zip(views, sections, strict=True)):
        ax = fig.add_axes([0, 0, 0.1, 0.1])
        _basemap(ax, bounds)
        _influence_panel(ax, one, scene, caps, tables)
        ax.set_title(section.title, fontsize=9, color=one.colour, fontweight="bold", pad=4)
        _fit(ax.title, panel_w)
        lines = [e.label for e in section.lines if e.label != BOUND_RULE[0].upper() + BOUND_RULE[1:]]  # in the subtitle
        ax.c5_note = ax.annotate("\n".join(_listed(lines)), (0.5, 0), xycoords="axes fraction", xytext=(0, -3),
                                 textcoords="offset points", ha="center", va="top", fontsize=6.5)  # fmt: skip
        _fit(ax.c5_note, panel_w)
        ax.c5_note_text = ax.c5_note.get_text()
        ax.c5_panel = (i // cols, i % cols)
        panels.append((ax, one))
    legend = _influence_legend(fig, sections, class_labels(scene.breaks, format_usd), width)
    block = "\n".join(_listed([_section_words(s, scene) for s in scene.sections[len(scene.views) :]]))
    fig.c5_block = fig.text(MARGIN / width, 0, block, fontsize=6.5, va="top") if block else None
    if fig.c5_block is not None:
        _fit(fig.c5_block, width - 2 * MARGIN)
    if not views:
        fig.c5_empty = fig.text(0.5, 0.5, f"No deal with a member of {story.region_name} in the data.",
                                ha="center", fontsize=10)  # fmt: skip
    return _lay_out_panels(fig, panels, rows, panel_w, panel_h, width, legend, names)


def _section_words(section, scene) -> str:
    """One line of text for a section the panels do not draw: the region's figures, the events, partners left out."""
    if section.layer == EVENTS_LAYER:  # markers on the web page's map; the timeline image lists them all
        return f"Events: {len(scene.events):,} drawn on the web page's map, all listed in the timeline image"
    return f"{section.title}: " + "; ".join(e.label for e in section.lines)


def _influence_legend(fig, sections, classes: list[str], width: float):
    """One legend for every panel: each row shows the swatch of every view that draws it, in its colour."""
    entries = merged_legend(sections, classes)
    if not entries:
        return None
    most = max(len(h) for h, _ in entries)
    for ncol in range(len(entries), 0, -1):
        legend = fig.legend(
            handles=[h for h, _ in entries], labels=[lab for _, lab in entries], loc="lower center", ncol=ncol,
            fontsize=6.5, frameon=False, title="Announced deals, in each partner's colour", title_fontsize=7,
            handler_map=_tuple_handlers(entries),
            handlelength=max(2.0, 0.9 * most),
        )  # fmt: skip
        if legend.get_window_extent(_renderer(fig)).width <= (width - 2 * MARGIN) * DPI or ncol == 1:
            return legend
        legend.remove()
    return None


def _influence_panel(ax, one, scene, caps, tables) -> None:
    """Fill one panel's members and draw its arcs as the scene's view says."""
    shades = one.shades(scene.breaks)
    figures = one.figures
    reported = figures[figures["has_figure"]]
    if len(reported):
        colours = [shades[int(k)] for k in reported["value_class"]]
        _shapes(ax, reported.geometry, facecolor=colours, edgecolor=INK, linewidth=0.5)
    other = figures[figures["has_deal"] & ~figures["has_figure"]]
    _shapes(ax, other.geometry, facecolor=one.undisclosed_fill, edgecolor=one.colour, linewidth=1.0,
            linestyle="--")  # fmt: skip
    _shapes(ax, figures[~figures["has_deal"]].geometry, **NO_FIGURE_HATCH)
    for start, end, row in view_arcs(one, tables, caps):
        share = _share(row["value_usd"], scene.largest) if row["has_figure"] else 0.0
        _arc(ax, caps[start], caps[end], one.colour, 0.6 + 3 * math.sqrt(share), dashed=not row["has_figure"])


def _figure_words(row, mixed: bool) -> str:
    """Return a member's figure under its name: its value, and its basis when a panel colours several."""
    if row["has_figure"] and mixed:
        return f"{row['value_text']}\n({BASIS_WORDS.get(row['value_basis'], humanise(row['value_basis']))})"
    return str(row["value_text"]).replace(" (", "\n(", 1)


def _lay_out_panels(fig, panels, rows: int, panel_w: float, panel_h: float, width: float, legend, names):
    """Size the influence image to its rows of panels, label each member, and return the figure."""

    def layout() -> None:
        """Size the page to its rows of panels and put everything in place (inches from the top)."""
        row_heights = []
        for r in range(rows):
            in_row = [ax for ax, _ in panels if ax.c5_panel[0] == r]
            title_h = max((_height_in(ax.title) for ax in in_row), default=0.0) + 0.08
            note_h = max((_height_in(ax.c5_note) for ax in in_row), default=0.0) + 0.08
            row_heights.append((title_h, note_h))
        legend_h = _height_in(legend) + 0.1 if legend is not None else 0.0
        block = getattr(fig, "c5_block", None)
        block_h = _height_in(block) + 0.1 if block is not None else 0.0
        body = sum(t + panel_h + b + 0.12 for t, b in row_heights) if panels else 1.0
        height = max(fig.c5_header + body + block_h + legend_h + fig.c5_footer, 4.4)
        fig.set_size_inches(width, height)
        _place_frame(fig)
        top = height - fig.c5_header
        for ax, _ in panels:
            r, c = ax.c5_panel
            y = top - sum(t + panel_h + b + 0.12 for t, b in row_heights[:r]) - row_heights[r][0] - panel_h
            x = MARGIN + c * (panel_w + 0.2)
            ax.set_position([x / width, y / height, panel_w / width, panel_h / height])
        if legend is not None:
            legend.set_bbox_to_anchor((0.5, fig.c5_footer / height), transform=fig.transFigure)
        if block is not None:  # the region's figures and what the panels leave out, above the legend
            block.set_position((MARGIN / width, (fig.c5_footer + legend_h + block_h) / height))

    layout()
    _settle(fig)
    placer = _Placer(fig)
    placer.block_frame()
    labels = []
    for ax, one in panels:
        mixed = len(one.bases) > 1
        rows_ = [
            (
                names.get(row["iso3"], row["iso3"]) + ("\n" + _figure_words(row, mixed) if row["has_deal"] else ""),
                row.geometry,
                float(row["value_usd"]) if row["has_figure"] else (0.0 if row["has_deal"] else -1.0),
            )
            for _, row in one.figures.iterrows()
        ]  # hatched countries: the name only, the hatch says "no reported figure"
        labels += _area_labels(ax, placer, rows_, fontsize=5.5)
    dropped = placer.place(labels)
    if dropped:
        for ax, _ in panels:
            missing = [lab for lab in dropped if lab.ax is ax]
            if missing:
                ax.c5_note.set_text(ax.c5_note_text + "\n" + _unlabelled(missing))
                _fit(ax.c5_note, panel_w)
        layout()
        _settle(fig)
    fig.c5_dropped = dropped
    return fig


def _row_beside(members, radii: list[float], bounds, reserve, covered) -> tuple[str, list[tuple[float, float]], list]:
    """Lay circles of ``radii`` (degrees of latitude) in a row beside ``members``, never on them.

    Tries a row below and above the outline and a column right and left of it;
    each is pushed towards the outline until its gap to the nearest member is
    a third of the largest radius. Returns the side that needs the least growth
    of the view (``bounds``) and covers the least of ``covered`` (other drawn
    countries), the circles' centres (degrees) and the box that the row and
    its labels need. ``reserve(side)`` is the room its labels need beyond the
    row and past its two ends, in degrees.
    """
    stretch = _stretch(bounds)

    def round_(geometry):
        return shapely.transform(geometry, lambda xy: xy / [stretch, 1.0])

    region, others = round_(members), round_(covered)
    shapely.prepare(region)
    big = max(radii)
    gap = max(0.5, big / 3)
    spans = np.cumsum([0.0] + [2 * r + gap for r in radii])
    along = np.array([s + r for s, r in zip(spans, radii, strict=False)]) - (spans[-1] - gap) / 2
    rad = np.asarray(radii)
    west, south, east, north = bounds[0] / stretch, bounds[1], bounds[2] / stretch, bounds[3]
    x0, y0, x1, y1 = region.bounds
    cx, cy = region.centroid.x, region.centroid.y
    half = (spans[-1] - gap) / 2
    best = None
    for rank, side in enumerate(("below", "right", "above", "left")):
        horizontal = side in ("below", "above")
        sign = -1.0 if side in ("below", "left") else 1.0
        if horizontal:
            lo, hi = west + half + 0.3, east - half - 0.3
            cross = min(max(cx, lo), hi) if lo <= hi else cx
            far = (y0 if sign < 0 else y1) + sign * (big + gap)
            near = cy
        else:
            lo, hi = south + half + 0.3, north - half - 0.3
            cross = min(max(cy, lo), hi) if lo <= hi else cy
            far = (x0 if sign < 0 else x1) + sign * (big + gap)
            near = cx

        def centres(at, horizontal=horizontal, cross=cross):
            if horizontal:
                return np.column_stack([cross + along, np.full(len(rad), at)])
            return np.column_stack([np.full(len(rad), at), cross - along])

        def clear(at):
            points = shapely.points(centres(at))
            return bool((shapely.distance(region, points) - rad >= gap - 1e-9).all())

        at, step = far, -sign * max(big, gap) / 8  # from beyond the outline's box, towards the region, while clear
        while (at + step - near) * sign > 0 and clear(at + step):
            at += step
        xy = centres(at)
        room, ends = reserve(side)  # beyond the row, and past its two ends (labels wider than the end circles)
        box = [
            (xy[:, 0] - rad).min() - (room if side == "left" else ends if horizontal else 0) - 0.3,
            (xy[:, 1] - rad).min() - (room if side == "below" else 0 if horizontal else ends) - 0.3,
            (xy[:, 0] + rad).max() + (room if side == "right" else ends if horizontal else 0) + 0.3,
            (xy[:, 1] + rad).max() + (room if side == "above" else 0 if horizontal else ends) + 0.3,
        ]
        growth = max(0.0, west - box[0]) + max(0.0, south - box[1]) + max(0.0, box[2] - east)
        growth += max(0.0, box[3] - north)
        discs = shapely.buffer(shapely.points(xy), rad, quad_segs=8)
        hidden = float(shapely.area(shapely.intersection(discs, others)).sum()) / (math.pi * big) if big else 0.0
        cost = (growth + hidden, rank)
        if best is None or cost < best[0]:
            best = cost, side, xy, box
    _, side, xy, box = best
    return side, [(float(x * stretch), float(y)) for x, y in xy], (box[0] * stretch, box[1], box[2] * stretch, box[3])


def _inches_per_degree(fig, rect, bounds) -> float:
    """Inches one degree of latitude takes on a map of ``bounds`` fitted into ``rect`` (figure fractions)."""
    w_in, h_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    return min(w_in / ((bounds[2] - bounds[0]) / _stretch(bounds)), h_in / (bounds[3] - bounds[1]))


def _side_column(fig, ax) -> tuple[float, float, float]:
    """(x, top, width) in inches of the column right of a settled map, for its legends and keys."""
    x = ax.get_position().x1 * fig.get_figwidth() + 0.25
    top = ax.get_position().y1 * fig.get_figheight()
    return x, top, fig.get_figwidth() - MARGIN - x


def _trade_legends(fig, scene, x_in: float, top_in: float, column: float) -> float:
    """Draw the image's legends from the scene: exports (every exporter at once), then the region's circles."""
    y = top_in
    for section in scene.combined:
        entries = merged_legend([section], class_labels(scene.breaks, format_usd))
        if entries:
            y = _merged_legend_at(fig, entries, section.title, x_in, y, column)
    region = [s for s in scene.sections if s.layer and s.layer.startswith("Trade with ")]
    for section in region:  # the circles' own words; the size key is drawn apart, at the map's scale
        entries = merged_legend(
            [LegendSection(section.title, tuple(e for e in section.entries if not e.label.startswith("size key: ")))]
        )
        if entries:
            y = _merged_legend_at(fig, entries, section.title, x_in, y, column)
    return y


def _merged_legend_at(fig, entries, title: str, x_in: float, y: float, column: float) -> float:
    """Draw a legend of (swatches, label) rows at (x, y) inches; return its bottom."""
    most = max(len(h) for h, _ in entries)
    words = [_fitted(fig, label, column - 0.25 - 0.1 * most, fontsize=6.5) for _, label in entries]
    legend = fig.legend(
        handles=[h for h, _ in entries], labels=words, loc="upper left", borderaxespad=0, borderpad=0,
        fontsize=6.5, frameon=False, bbox_to_anchor=(x_in / fig.get_figwidth(), y / fig.get_figheight()),
        alignment="left", title=_fitted(fig, title, column, fontsize=7, fontweight="bold"),
        title_fontproperties={"size": 7, "weight": "bold"},
        handler_map=_tuple_handlers(entries), handlelength=max(2.0, 0.9 * most),
    )  # fmt: skip
    return y - _height_in(legend) - 0.15


def trade_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Draw the trade scene (:func:`c5map.scenes.trade.trade_scene`) on one map: every exporter at once.

    Each destination takes its largest exporter's class colour and its label lists every figure; flows from
    each exporter's capital; trade with the region as circles in a row beside its outline, never on a member,
    with the scene's size key. The legend and the notes are the scene's words.
    """
    region, members = story.region, list(story.members)
    palette = partner_palette_of(tables)
    names = display_names(tables)
    exports = trade_selection(tables, region).exports
    destinations = sorted(set(exports["destination"]))
    shapes = web_countries(sorted(set(destinations) | set(members)), max_zoom=4, source=countries)
    scene = trade_scene(tables, story, set(shapes["iso3"]))
    totals = scene.totals
    caps = layers.capitals(tables)
    fig = _frame(scene.text.title, scene.text.print_subtitle, source_line(tables, tables.trade["source_id"]))
    ax, rect = _map_axes(fig)
    height = fig.get_figheight()
    bounds = region_view(shapes, members, pad=3.0)
    _basemap(ax, bounds)
    shape_of = {iso3: g for iso3, g in zip(shapes["iso3"], shapes.geometry, strict=True)}
    for view in scene.exporters:
        for _, row in view.rows[view.rows["destination"].isin(view.flows)].iterrows():
            _arc(ax, caps[view.origin], caps[row["destination"]], view.colour,
                 0.8 + 5 * math.sqrt(_share(row["value_usd"], scene.largest)))  # fmt: skip
    area_rows = []
    best = scene.largest_exporter()
    for destination in sorted(best):
        view, first = best[destination]
        if destination not in shape_of:
            continue
        shade = view.shades(scene.breaks)[int(first["value_class"])]  # the largest exporter colours the country
        _shapes(ax, [shape_of[destination]], facecolor=shade, edgecolor=INK, linewidth=0.4)
        group = exports[exports["destination"] == destination].sort_values(["value_usd", "origin"],
                                                                           ascending=[False, True])  # fmt: skip
        figures = [format_usd(r["value_usd"], r["value_qualifier"]) for _, r in group.iterrows()]
        if len(group) > 1:
            figures = [f"from {names.get(o, o)}: {f}" for o, f in zip(group["origin"], figures, strict=True)]
        area_rows.append((f"{names.get(destination, destination)}\n" + "\n".join(figures), shape_of[destination],
                          float(first["value_usd"])))  # fmt: skip
    reached = set(best) | {v.origin for v in scene.exporters}
    silent = [m for m in members if m in shape_of and m not in reached]
    # as on the page: a member no export figure reaches is hatched, never blank land that reads as "no trade"
    _shapes(ax, [shape_of[m] for m in silent], **NO_FIGURE_HATCH)
    for member in members:
        if member in shape_of and member not in best:
            area_rows.append((names.get(member, member), shape_of[member], -1.0))

    circles = []
    if len(totals):
        outline_geometry = layers.region_outlines(tables, shapes).set_index("region").loc[region].geometry
        outline = _shapes(ax, [outline_geometry.boundary], edgecolor=INK, linewidth=1, linestyle="--", zorder=5)
        outline.c5_region_outline = True
        ordered = totals
        biggest = float(ordered["value_usd"].max())
        repeated = set(ordered.loc[ordered["partner"].duplicated(), "partner"])
        texts = [
            f"{names.get(p, p)}" + (f", {y}" if p in repeated else "") + f"\n{format_usd(v, q)}"
            for p, y, v, q in zip(
                ordered["partner"], ordered["year"], ordered["value_usd"], ordered["value_qualifier"], strict=True
            )
        ]  # a partner with several figures: each says its year (the legend says what it measures)
        probe = [fig.text(0, 0, t, fontsize=6.5) for t in texts]
        label_w = max(t.get_window_extent(_renderer(fig)).width for t in probe) / DPI + 0.1
        label_h = max(t.get_window_extent(_renderer(fig)).height for t in probe) / DPI + 0.1
        for t in probe:
            t.remove()
        covered = shapely.union_all([shapely.make_valid(g) for c, g in shape_of.items() if c not in members])
        for _ in range(4):  # grow the view until the row and its labels fit (the scale changes as it grows)
            radius = min(TRADE_LARGEST_DEGREES, TRADE_LARGEST_SHARE * (bounds[3] - bounds[1]))
            radii = [radius * math.sqrt(_share(v, biggest)) for v in ordered["value_usd"]]
            scale = _inches_per_degree(fig, rect, bounds)

            def reserve(side, scale=scale):  # a row's labels may need two tiers: wider than their circles
                if side in ("left", "right"):
                    return label_w / scale, label_h / 2 / scale
                return 2 * label_h / scale, label_w / scale

            side, centres, box = _row_beside(outline_geometry, radii, bounds, reserve, covered)
            grown = (min(bounds[0], box[0]), min(bounds[1], box[1]), max(bounds[2], box[2]), max(bounds[3], box[3]))
            if np.allclose(grown, bounds):
                break
            bounds = grown
            ax.c5_bounds = bounds
        stretch = _stretch(bounds)
        prefer = {"below": ("below", "below right", "below left", "right", "left"),
                  "above": ("above", "above right", "above left", "right", "left"),
                  "right": ("right", "above right", "below right", "below"),
                  "left": ("left", "above left", "below left", "below")}[side]  # fmt: skip
        for (_, row), (x, y), r, label_text in zip(ordered.iterrows(), centres, radii, texts, strict=True):
            colour = palette.get(row["partner"], INK)
            circle = ax.add_patch(_round(ax, x, y, r, facecolor=colour, zorder=7, **REGION_CIRCLE))
            circle.c5_region_figure, circle.c5_value = True, float(row["value_usd"])
            circles.append((circle, x, y, r, label_text, prefer))
        # a leader from the row to the outline: the circles are about the region, not about the nearest member
        discs = shapely.union_all([shapely.Point(x / stretch, y).buffer(max(r, 1e-6)) for _, x, y, r, _, _ in circles])
        region_round = shapely.transform(outline_geometry, lambda xy: xy / [stretch, 1.0])
        (x0, y0), (x1, y1) = shapely.get_coordinates(shapely.shortest_line(discs, region_round))
        ax.plot([x0 * stretch, x1 * stretch], [y0, y1], color=INK, linewidth=0.6, zorder=6)

    _settle(fig)
    placer = _Placer(fig)
    labels = []
    if circles:
        # transformed to display points a valid polygon can self-touch: repair before the union
        members_display = shapely.union_all(
            [shapely.make_valid(_display(ax, _wrapped(ax, shape_of[m]))) for m in members if m in shape_of]
        )
        members_display = members_display.buffer(placer.pad)
        shapely.prepare(members_display)
        for _, x, y, r, label_text, prefer in circles:
            centre = ax.transData.transform((x, y))
            r_px = ax.transData.transform((x, y + r))[1] - centre[1]
            placer.symbol(ax, shapely.Point(*centre).buffer(r_px, quad_segs=8), hard=True)
            labels.append(_Label(ax, label_text, (0, -r, label_text), point=(x, y), radius=r_px, avoid=members_display,
                                 prefer=prefer, style={"fontsize": 6.5}))  # fmt: skip
    labels += _area_labels(ax, placer, area_rows, fontsize=6)

    x_in, top_in, column = _side_column(fig, ax)
    y = _trade_legends(fig, scene, x_in, top_in, column)
    if len(totals):
        ppd = ax.transData.transform((0, 1))[1] - ax.transData.transform((0, 0))[1]  # pixels per degree
        y = _size_key(
            fig, x_in, y, "Circle area by value (one scale)", sorted(scene.size_key, reverse=True),
            lambda v: radius * math.sqrt(_share(v, scene.region_largest)) * ppd / DPI, format_usd,
            facecolor="#bbbbbb", **REGION_CIRCLE,
        ) - 0.15  # fmt: skip
    layers_last = sorted(scene.sections, key=lambda section: section.layer in {v.name for v in scene.exporters})
    lines = list(dict.fromkeys(e.label for section in (*scene.combined, *layers_last) for e in section.lines))
    if lines:  # the scene's notes: the rule for bounds, and what the bounded drawing leaves out
        note = fig.text(x_in / fig.get_figwidth(), y / height, "\n".join(_listed(lines)), fontsize=6, va="top")
        _fit(note, column)
        y -= _height_in(note) + 0.1
    placer.block_frame()
    dropped = placer.place(labels)
    if dropped:
        _fit(fig.text(x_in / fig.get_figwidth(), y / height, _unlabelled(dropped), fontsize=6, va="top"), column)
    fig.c5_dropped = dropped
    return fig


#: Radius (inches on paper) of the uniform symbol of a site off the resources scale: one size whatever the view.
RESOURCE_UNIFORM_IN = 0.04
#: Matplotlib style of each kind of mark on the resources image; its legend swatch is drawn the same.
RESOURCE_STYLES = {
    "sized": {"facecolor": "none", "edgecolor": RESOURCE_COLOUR, "linewidth": 1.5},
    "country": {"facecolor": "none", "edgecolor": INK, "linewidth": 1.5, "linestyle": ":"},
    "uniform": {"facecolor": RESOURCE_COLOUR, "edgecolor": "white", "linewidth": 0.6},
    "approximate": {"facecolor": "none", "edgecolor": RESOURCE_COLOUR, "linewidth": 0.8, "linestyle": ":"},
    "region": {"facecolor": matplotlib.colors.to_rgba(RESOURCE_COLOUR, 0.18), "edgecolor": RESOURCE_COLOUR,
               "linewidth": 1.0, "linestyle": "--"},
}  # fmt: skip


@dataclass
class _ResourceMarks:
    """The resources an image draws, by how (each at most :data:`MAX_SYMBOLS`), and what it only counts.

    ``sized``: circles of the page's scale (sites and country totals), largest first; ``areas``: deposits
    known only by their region; ``uniform``: sites off the scale; ``listed``: country figures off the scale,
    written beside the map; ``notes``: what is not drawn, counted.
    """

    sized: pd.DataFrame
    areas: pd.DataFrame
    uniform: pd.DataFrame
    listed: pd.DataFrame
    notes: list[str]


def _resource_marks(resources: pd.DataFrame, scale: ResourceScale) -> _ResourceMarks:
    """Sort the resources into the marks of :class:`_ResourceMarks`, as the web page does, bounded in number."""
    located = (resources["lon"].notna() & resources["lat"].notna()).to_numpy(bool)
    regional = (resources["location_precision"] == "region").to_numpy(bool)
    on_scale = scale.on_scale(resources)
    quantity = pd.to_numeric(resources["quantity"], errors="coerce")
    every_sized = resources[on_scale].assign(_q=quantity[on_scale])
    sized = every_sized.sort_values(["_q", "resource_id"], ascending=[False, True]).head(MAX_SYMBOLS)
    areas = resources[located & regional].sort_values("resource_id")
    uniform = resources[located & ~regional & ~on_scale].sort_values("resource_id")
    notes = []
    if len(every_sized) > len(sized):
        rest = every_sized[~every_sized.index.isin(sized.index)]
        what = "tonnages" if scale.unit == "tonnes" else f"figures of {scale.words}"
        notes.append(f"{len(rest):,} smaller {what} not drawn ({scale.key_label(float(rest['_q'].sum()))} in all; "
                     "each is on the web page and in geo/)")  # fmt: skip
    for kind, frame in (("deposits known only by their region", areas), ("other sites", uniform)):
        if len(frame) > MAX_SYMBOLS:
            notes.append(f"{len(frame) - MAX_SYMBOLS:,} more {kind} not drawn (each is on the web page and in geo/)")
    listed = resources[~located & ~on_scale]
    return _ResourceMarks(sized, areas.head(MAX_SYMBOLS), uniform.head(MAX_SYMBOLS), listed, notes)


def _resource_patch(ax, x: float, y: float, radius: float, row: pd.Series, kind: str, zorder: float):
    """Add one resource mark of ``kind`` (:data:`RESOURCE_STYLES`), tagged with its resource id and kind."""
    patch = ax.add_patch(_round(ax, x, y, radius, zorder=zorder, **RESOURCE_STYLES[kind]))
    patch.c5_resource, patch.c5_mark = str(row["resource_id"]), kind
    return patch


def _draw_resources(ax, marks: _ResourceMarks, scale: ResourceScale, shape_of: dict, largest: float, uniform: float):
    """Draw the marks: every located resource at its point, sized on ``scale`` or uniform, region areas.

    ``largest`` is the radius (degrees of latitude) of the scale's largest figure, ``uniform`` that of the
    uniform symbol. Returns what labels need, ``(x, y, radius, uncertainty, text, priority, area)`` (degrees;
    ``area``: a region's label, written on its area), and the kinds drawn.
    """
    symbols, drawn = [], set()
    for _, row in marks.sized.iterrows():
        km = UNCERTAINTY_KM.get(row["location_precision"], 0.0) if pd.notna(row["lon"]) else 0.0
        if pd.notna(row["lon"]):
            x, y = _x(ax, float(row["lon"])), float(row["lat"])
        elif row["country"] in shape_of:
            point = shape_of[row["country"]].representative_point()
            x, y = _x(ax, point.x), point.y
        else:
            continue
        if km:
            _resource_patch(ax, x, y, km / 111.32, row, "approximate", 5)
        radius = largest * math.sqrt(_share(row["quantity"], scale.largest))
        kind = "sized" if pd.notna(row["lon"]) else "country"
        _resource_patch(ax, x, y, radius, row, kind, 6).c5_value = float(row["quantity"])
        drawn |= {kind, "approximate"} if km else {kind}
        figure = format_quantity(row["quantity"], row["unit"], row["value_qualifier"])
        symbols.append((x, y, radius, km / 111.32, f"{row['name']}\n{figure}", (0, 0, -float(row["quantity"])), False))
    for _, row in marks.areas.iterrows():
        x, y, radius = _x(ax, float(row["lon"])), float(row["lat"]), UNCERTAINTY_KM["region"] / 111.32
        _resource_patch(ax, x, y, radius, row, "region", 5)
        symbols.append((x, y, radius, 0.0, figure_label(row), (0, 1, 0.0), True))
        drawn.add("region")
    for _, row in marks.uniform.iterrows():
        x, y = _x(ax, float(row["lon"])), float(row["lat"])
        km = UNCERTAINTY_KM.get(row["location_precision"], 0.0)
        if km:
            _resource_patch(ax, x, y, km / 111.32, row, "approximate", 5)
        _resource_patch(ax, x, y, uniform, row, "uniform", 6.5)
        drawn |= {"uniform", "approximate"} if km else {"uniform"}
        symbols.append((x, y, uniform, km / 111.32, figure_label(row), (0, 2, 0.0), False))
    return symbols, drawn


def _resource_labels(ax, placer: _Placer, symbols) -> list[_Label]:
    """Labels of the marks of :func:`_draw_resources`; symbols kept clear (call after :func:`_settle`)."""
    labels = []
    for x, y, radius, uncertainty, label_text, priority, area in symbols:
        style = {"fontsize": 6.5}
        centre = np.asarray(ax.transData.transform((x, y)))
        per_degree = ax.transData.transform((x, y + 1))[1] - centre[1]
        r_px, ring = radius * per_degree, 1.5 * DPI / 72 + 4
        if area:  # on the region's area, no leader line or dot: nothing at its centre may read as a site
            label = _Label(ax, label_text, (*priority, label_text), point=(x, y), leader=False, style=style)
            # with no room there: beside the area, a leader from its edge (see _place_resource_labels)
            label.c5_beside = _Label(ax, label_text, (*priority, label_text), point=(x, y), radius=r_px, style=style)
            labels.append(label)
            continue
        placer.symbol(ax, shapely.Point(*centre).buffer(r_px + ring).difference(
            shapely.Point(*centre).buffer(max(r_px - ring, 0))))  # fmt: skip
        if uncertainty:
            placer.symbol(ax, shapely.Point(*centre).buffer(uncertainty * per_degree))
        labels.append(_Label(ax, label_text, (*priority, label_text), point=(x, y), radius=r_px, style=style))
    return labels


def _place_resource_labels(placer: _Placer, labels: list[_Label]) -> list[_Label]:
    """Place the labels; a region's figure with no room on its area is tried beside it. Return those not placed."""
    dropped = placer.place(labels)
    beside = [label.c5_beside for label in dropped if hasattr(label, "c5_beside")]
    return [label for label in dropped if not hasattr(label, "c5_beside")] + placer.place(beside)


def _resource_lines(tables: Tables, marks: _ResourceMarks) -> list[str]:
    """Write the side column's lines: what is counted, not drawn; country figures off the scale; the deals."""
    names = display_names(tables)
    lines = list(marks.notes)
    for _, row in marks.listed.head(MAX_LISTED).iterrows():  # a bounded list: the rest are counted
        figure = format_quantity(row["quantity"], row["unit"], row["value_qualifier"])
        lines.append(f"{names.get(row['country'], row['country'])}, {humanise(row['commodity'])}: {figure}")
    if len(marks.listed) > MAX_LISTED:
        lines.append(f"and {len(marks.listed) - MAX_LISTED:,} more country figures")
    minerals = resource_deals(tables)
    for _, deal in minerals.head(MAX_LISTED).iterrows():
        who = (
            f"{names.get(deal['country'], deal['country'])}, domestic programme"
            if deal["partner"] == deal["country"]
            else f"{names.get(deal['partner'], deal['partner'])} → {names.get(deal['country'], deal['country'])}"
        )
        lines.append(
            f"{date_words(text(deal['date']))} {who}: {format_usd(deal['value_usd'], deal['value_qualifier'])} "
            f"({BASIS_WORDS.get(deal['value_basis'], deal['value_basis'])})"
        )  # fmt: skip
    if len(minerals) > MAX_LISTED:
        lines.append(f"and {len(minerals) - MAX_LISTED:,} more deals")
    return lines


def _resource_handles(drawn: set[str], scale: ResourceScale) -> list[Patch]:
    """Legend swatches of the kinds drawn, styled as drawn (:data:`RESOURCE_STYLES`), with the web's words."""
    words = {
        "sized": f"site: circle area by {scale.words}",
        "country": f"country total (no site implied): circle area by {scale.words}",
        "uniform": UNIFORM_WORDS,
        "approximate": "dotted ring: where an approximate site lies",
        "region": "area where a deposit known only by its region may lie (not a site), its figure on it",
    }
    return [_circle_handle(words[kind], **RESOURCE_STYLES[kind]) for kind in words if kind in drawn]


def resources_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Draw every located resource at its point, circles of one commodity in one unit, the deals beside.

    The scale is the web page's (:func:`c5map.resource_scale.resource_scale`): the same pair, the same key
    values. Sites off it get a uniform symbol and a label of their figure; a deposit known only by its region
    is a dashed area with its figure on it, never a site.
    """
    resources = tables.resources
    names = display_names(tables)
    codes = sorted(set(story.members) | set(resources["country"]))
    shapes = web_countries(codes, max_zoom=4, source=countries)
    shape_of = {iso3: g for iso3, g in zip(shapes["iso3"], shapes.geometry, strict=True)}
    scale = resource_scale(resources)
    commodities = [humanise(c) for c in sorted(set(resources["commodity"].dropna()))]
    title, _ = story.words("resources", f"Resources in and around {story.region_name}", "")
    subtitle = f"{word_list(commodities).capitalize()}: deposits and reserves" if commodities else "No resource"
    subtitle += f"; {scale.title}" if scale.unit else ""
    fig = _frame(title, subtitle, source_line(tables, resources["source_id"]))
    ax, rect = _map_axes(fig)
    height = fig.get_figheight()
    bounds = region_view(shapes, codes, pad=2.0)
    _basemap(ax, bounds)
    _shapes(ax, shapes.geometry.boundary, edgecolor="#6b6b6b", linewidth=0.4)
    largest = min(RESOURCE_LARGEST_DEGREES, RESOURCE_LARGEST_SHARE * (bounds[3] - bounds[1]))
    marks = _resource_marks(resources, scale)
    uniform = RESOURCE_UNIFORM_IN / _inches_per_degree(fig, rect, bounds)
    symbols, drawn = _draw_resources(ax, marks, scale, shape_of, largest, uniform)
    lines = _resource_lines(tables, marks)

    _settle(fig)
    placer = _Placer(fig)
    labels = _resource_labels(ax, placer, symbols)
    labels += _area_labels(ax, placer, [(names.get(c, c), shape_of[c], -1.0) for c in codes if c in shape_of],
                           fontsize=6, color="#555555")  # fmt: skip
    x_in, y, column = _side_column(fig, ax)
    handles = _resource_handles(drawn, scale)
    if handles:
        legend = _legend(fig, handles, x_in, y, column, title="Deposits and reserves")
        y -= _height_in(legend) + 0.15
    if drawn & {"sized", "country"}:  # the web page's key values, at this image's own scale
        ppd = ax.transData.transform((0, 1))[1] - ax.transData.transform((0, 0))[1]
        y = _size_key(
            fig, x_in, y, scale.title[:1].upper() + scale.title[1:], sorted(scale.key_values, reverse=True),
            lambda v: largest * math.sqrt(_share(v, scale.largest)) * ppd / DPI,
            scale.key_label, facecolor="none", edgecolor=INK, linewidth=0.8,
        ) - 0.2  # fmt: skip
    placer.block_frame()
    dropped = _place_resource_labels(placer, labels)
    lines += _listed([f"{_one_line(d)} (not labelled on the map: no room)" for d in dropped])
    if lines:
        heading = fig.text(x_in / fig.get_figwidth(), y / height, "Other figures and deals", fontsize=8,
                           fontweight="bold", va="top")  # fmt: skip
        y -= _height_in(heading) + 0.08
        listing = fig.text(x_in / fig.get_figwidth(), y / height, "\n".join(lines), fontsize=6.3, va="top",
                           linespacing=1.6)  # fmt: skip
        _fit(listing, column)
    fig.c5_dropped = dropped
    fig.c5_scale = scale  # the scale drawn: the web page's (tests compare them)
    return fig


def timeline_items_to_list(
    items: list[dict], values: dict[str, float] | None = None, most: int = MAX_TIMELINE_ITEMS
) -> tuple[list[dict], dict[str, int]]:
    """Choose the timeline items an image lists, and count the rest of each kind (said on the image).

    All when they fit; else every event first, then the largest deals (``values``: deal id to US dollars),
    then resource finds.

    Examples
    --------
    >>> items = [{"id": str(k), "kind": "resource", "date": "2025"} for k in range(3)]
    >>> kept, left = timeline_items_to_list(items, most=2)
    >>> len(kept), left
    (2, {'resource': 1})
    """
    if len(items) <= most:
        return list(items), {}
    by_kind = {kind: [i for i in items if i["kind"] == kind] for kind in ("event", "deal", "resource")}
    values = values or {}
    by_kind["deal"].sort(key=lambda i: (-values.get(i["id"], 0.0), i["id"]))
    kept: list[dict] = []
    for kind in ("event", "deal", "resource"):
        kept += by_kind[kind][: most - len(kept)]
    chosen = {id(i) for i in kept}
    left = {kind: sum(id(i) not in chosen for i in rows) for kind, rows in by_kind.items()}
    return sorted(kept, key=lambda i: (i["date"], i["id"])), {k: n for k, n in left.items() if n}


def timeline_figure(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None):
    """Draw a dated strip of the web timeline's items (a chart: time, not place, is the axis here)."""
    from c5map.maps.timeline import timeline_items

    every = timeline_items(tables, web_countries(list(story.members), source=countries))
    deals = tables.deals[tables.deals["value_usd"].notna()]
    listed, left = timeline_items_to_list(every, dict(zip(deals["deal_id"], deals["value_usd"], strict=True)))
    items = [(i["date"], i["text"], i["colour"]) for i in listed]
    span = year_span(d for d, _, _ in items)
    title, _ = story.words(
        "timeline", f"{story.region_name}: a timeline" + (f", {span_text(span)}" if span else ""), ""
    )
    kinds = {"event": "events", "deal": "smaller deals", "resource": "resource finds"}
    left_words = word_list([f"{n:,} {kinds[k]}" for k, n in left.items()])
    fig = _frame(
        title,
        "Events (black), deals (partner colour) and resource finds (orange), by date as precise as the source "
        "gives it" + (f"; not listed: {left_words} (all are on the web page)" if left else ""),
        source_line(
            tables,
            list(tables.events["source_id"]) + list(tables.deals["source_id"]) + list(tables.resources["source_id"]),
        ),  # fmt: skip
    )
    height = fig.get_figheight()
    ax = fig.add_axes([0.03, (fig.c5_footer + 0.2) / height, 0.94, 1 - (fig.c5_header + fig.c5_footer + 0.2) / height])
    if span is None:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No dated event or deal in the data.", ha="center", transform=ax.transAxes, fontsize=10)
        return fig
    first, last = span

    def position(date: str) -> float:
        year, month, day = parse_partial_date(date)
        return year + ((month or 7) - 1) / 12 + ((day or 15) - 1) / 365

    for k, (date, label, colour) in enumerate(items):
        y = len(items) - k
        ax.plot([position(date)], [y], "o", color=colour, markersize=4)
        entry = ax.text(position(date) - 0.08, y, f"{date_words(date)}  {label}", ha="right", va="center", fontsize=5.8)
        entry.c5_label = True
    ax.set_xlim(first - 6, last + 1.2)
    ax.set_ylim(0, len(items) + 1)
    ax.set_yticks([])
    step = max(1, math.ceil((last - first + 1) / 15))  # at most about 15 year ticks
    ax.set_xticks(range(first, last + 1, step))
    ax.tick_params(axis="x", labelsize=6.5)
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    return fig


FIGURES: dict[str, Callable] = {
    "influence": influence_figure,
    "trade": trade_figure,
    "resources": resources_figure,
    "timeline": timeline_figure,
}


def _png(fig) -> bytes:
    """Encode the figure as a 256-colour PNG.

    Flat map colours and anti-aliased edges fit in a palette with no visible
    change; the file is about a quarter of full RGBA and quicker to encode.
    FASTOCTREE is deterministic, so rebuilds stay byte-identical.
    """
    from PIL import Image  # matplotlib's own dependency

    fig.set_dpi(DPI)
    fig.canvas.draw()
    rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB")
    buffer = io.BytesIO()
    rgb.quantize(256, method=Image.Quantize.FASTOCTREE).save(buffer, format="png", dpi=(DPI, DPI))
    return buffer.getvalue()


def _svg_words(fig) -> tuple[str, str]:
    """Return the page's title and a description (subtitle and source) as one-line strings for the SVG."""
    title, subtitle, source = (" ".join(part.get_text().split()) for part in fig.c5_frame)
    return title, f"{subtitle} {source}".strip()


def _with_desc(svg: bytes, description: str) -> bytes:
    """Put a ``<desc>`` after matplotlib's ``<title>``: the text screen readers and editors show for the image."""
    from xml.sax.saxutils import escape

    desc = f" <desc>{escape(description)}</desc>\n".encode()
    head, sep, rest = svg.partition(b"</title>\n")
    return head + sep + desc + rest if sep else svg


def render_images(
    tables: Tables,
    countries: gpd.GeoDataFrame | None = None,
    names: list[str] | None = None,
    *,
    story: Story | None = None,
) -> dict[str, bytes]:
    """Render figures as ``png/<map>.png`` (300 dpi) and ``svg/<map>.svg``; byte-identical reruns.

    Parameters
    ----------
    tables : c5map.tables.Tables
    countries : geopandas.GeoDataFrame, optional
        Boundaries to draw instead of Natural Earth 1:10m.
    names : list of str, optional
        Which of :data:`FIGURES` to draw; default all.
    story : c5map.story.Story, optional
        The region and words (default :func:`c5map.story.story_for`).

    Returns
    -------
    dict
        Relative path -> file bytes.
    """
    out: dict[str, bytes] = {}
    story = story or story_for(tables)
    with matplotlib.rc_context(STYLE):
        for name in names or list(FIGURES):
            fig = FIGURES[name](tables, story, countries=countries)
            for text in fig.findobj(Text):  # right-to-left names keep the text around them in place
                text.set_text(isolate_bidi(text.get_text()))
            _finish(fig)
            out[f"png/{name}.png"] = _png(fig)
            buffer = io.BytesIO()
            title, description = _svg_words(fig)
            metadata = {"Title": title, "Date": None, "Creator": None}
            fig.savefig(buffer, format="svg", dpi=DPI, metadata=metadata, facecolor="white")
            out[f"svg/{name}.svg"] = _with_desc(buffer.getvalue(), description)
    return out
