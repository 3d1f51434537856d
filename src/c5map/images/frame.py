"""The page of a print image: its frame (title, subtitle, source), map axes and the shapes on them.

All images are 300 dpi matplotlib figures on an Agg canvas of their own (never pyplot): importing c5map
leaves the user's backend as it was. Across ±180° whole parts of shapes move by 360°, never vertices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.patches import Ellipse
from matplotlib.path import Path
from matplotlib.text import Text

from c5map import layers
from c5map.boundaries import load_countries
from c5map.i18n import gettext
from c5map.maps.style import (
    INK,
    LAND_COLOUR,
    LAND_EDGE,
    NO_FIGURE_EDGE,
    SEA_COLOUR,
)

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


@dataclass(frozen=True)
class Mark:
    """One thing an image draws, and what it stands for: how tests and other outputs read an image.

    ``kind`` is ``"label"`` (a name or figure written on a map or the timeline), ``"resource"`` (``ident``
    the resource id, ``style`` its kind of mark in :data:`c5map.images.resources.RESOURCE_STYLES`),
    ``"region-figure"`` (a circle of trade with the region) or ``"size-key"`` (a key circle); ``value`` is
    the figure a symbol is sized by (NaN where none).
    """

    artist: Artist
    kind: str
    value: float = math.nan
    ident: str = ""
    style: str = ""


class PrintFigure(Figure):
    """The page of a print image: a matplotlib figure on an Agg canvas of its own, with its frame and marks.

    ``frame_texts`` are the title, subtitle and source line; ``header_in`` and ``footer_in`` the inches they
    take at the top and the bottom (:meth:`place_frame` puts them back after the page changes height);
    ``marks`` what the image has drawn (:class:`Mark`), in drawing order.
    """

    def __init__(self, title: str, subtitle: str, source: str, figsize: tuple[float, float] = FIGSIZE):
        super().__init__(figsize=figsize, dpi=DPI, facecolor="white")
        FigureCanvasAgg(self)  # text extents need a renderer; no pyplot figure manager, nothing global
        width = figsize[0] - 2 * MARGIN
        x = MARGIN / figsize[0]
        credit = gettext("Made with Natural Earth")
        self.frame_texts: tuple[Text, Text, Text] = (
            self.text(x, 0, title, fontsize=15, fontweight="bold", va="top"),
            self.text(x, 0, subtitle, fontsize=9, color="#444", va="top"),
            self.text(x, 0, f"{source} · {credit}", fontsize=6.5, color="#555", va="bottom"),
        )
        self._frame_words = tuple(part.get_text() for part in self.frame_texts)
        for part in self.frame_texts:
            _fit(part, width)
        self.header_in = self.footer_in = 0.0
        self.marks: list[Mark] = []
        self.place_frame()

    def resize(self, width: float, height: float) -> None:
        """Make the page ``width`` by ``height`` inches, the frame's words wrapped again to the new width."""
        self.set_size_inches(width, height)
        for part, words in zip(self.frame_texts, self._frame_words, strict=True):
            part.set_text(words)
            part.set_x(MARGIN / width)
            _fit(part, width - 2 * MARGIN)
        self.place_frame()

    def place_frame(self) -> None:
        """Put the title and subtitle at the top and the source line at the bottom of the page as it is now."""
        title, subtitle, source = self.frame_texts
        height = self.get_figheight()
        y = height - 0.15
        title.set_y(y / height)
        y -= _height_in(title) + 0.07
        subtitle.set_y(y / height)
        y -= _height_in(subtitle)
        self.header_in = height - y + 0.12
        source.set_y(0.1 / height)
        self.footer_in = 0.1 + _height_in(source) + 0.12

    def mark(self, artist, kind: str, value: float = math.nan, ident: str = "", style: str = ""):
        """Record what ``artist`` stands for (:class:`Mark`) and return the artist."""
        self.marks.append(Mark(artist, kind, float(value), ident, style))
        return artist

    def map_axes(self) -> list[MapAxes]:
        """Return the figure's maps (its other axes are charts, such as the timeline)."""
        return [ax for ax in self.axes if isinstance(ax, MapAxes)]


@dataclass(frozen=True)
class Image:
    """A print image as drawn: its figure, what it drew, and what it could not label for want of room.

    ``dropped`` are the labels left out, in one line each (the image lists them beside the map); ``scale``
    is the size scale its symbols use where it has one (the resources image: the web page's scale).
    """

    figure: PrintFigure
    marks: tuple[Mark, ...]
    dropped: tuple[str, ...] = ()
    scale: object = None

    def marks_of(self, kind: str) -> list[Mark]:
        """Return the marks of one ``kind`` (see :class:`Mark`), in drawing order."""
        return [m for m in self.marks if m.kind == kind]

    @property
    def labels(self) -> list[Text]:
        """Every label written on a map or the timeline."""
        return [m.artist for m in self.marks_of("label")]

    @property
    def maps(self) -> list[MapAxes]:
        """The image's map axes, each with its ``bounds``."""
        return self.figure.map_axes()


def _drawn(fig: PrintFigure, dropped=(), scale=None) -> Image:
    """Fix every map's extent and return the finished :class:`Image` (``dropped``: labels left out)."""
    _finish(fig)
    return Image(fig, tuple(fig.marks), tuple(label.text.replace("\n", " ") for label in dropped), scale)


class MapAxes(Axes):
    """Axes of a map in longitude and latitude: ``bounds`` (west, south, east, north) are applied by :func:`_finish`.

    A frame whose east edge runs past 180° shows the region across the antimeridian (see :func:`_x`).
    ``note`` is the text under a small multiple's panel (the words it was given in ``note_words``) and
    ``cell`` its (row, column) in the grid; both unset on a single map.
    """

    bounds: tuple[float, float, float, float] | None = None
    note: Text | None = None
    note_words: str = ""
    cell: tuple[int, int] | None = None


def _frame(title: str, subtitle: str, source: str, figsize: tuple[float, float] = FIGSIZE) -> PrintFigure:
    """Start a page with its title, subtitle and source line, each wrapped to the page's width."""
    return PrintFigure(title, subtitle, source, figsize)


def _map_axes(fig: PrintFigure, rect=None) -> tuple[MapAxes, list[float]]:
    """Add map axes; by default between a page's header and footer, leaving the right third for the side column.

    Returns the axes and their rectangle in figure fractions.
    """
    height = fig.get_figheight()
    if rect is None:
        rect = [MARGIN / 10, fig.footer_in / height, 0.66, 1 - (fig.header_in + fig.footer_in) / height]
    ax = fig.add_axes(rect, axes_class=MapAxes)
    ax.set_anchor("NW")
    return ax, rect


def _basemap(ax: MapAxes, bounds: tuple[float, ...]) -> None:
    ax.bounds = tuple(bounds)  # applied by _finish, once every layer is drawn
    ax.set_facecolor(SEA_COLOUR)
    _shapes(ax, load_countries("110m").geometry, facecolor=LAND_COLOUR, edgecolor=LAND_EDGE, linewidth=0.4)


def _x(ax, x: float) -> float:
    """Longitude on the axes: a frame that runs east of 180° (across the antimeridian) takes west longitudes +360."""
    west, _, east, _ = ax.bounds or (-180.0, 0.0, 180.0, 0.0)
    return x + 360 if east > 180 and x < west else x


def _wrapped(ax, geometry):
    """Return ``geometry`` placed as :func:`_x` places points: a part wholly west of the frame moves by +360°.

    Whole parts move, never single vertices: a ring or a line with vertices
    on both sides of the frame's west edge would otherwise be stretched
    across the whole panel (a band of land, a line at one latitude).
    Natural Earth and :func:`c5map.geodesic.great_circle` split at ±180°, so
    no part crosses the antimeridian itself.
    """
    west, _, east, _ = ax.bounds or (-180.0, 0.0, 180.0, 0.0)
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
        if not isinstance(ax, MapAxes) or ax.bounds is None:
            continue
        west, south, east, north = ax.bounds
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
    return Ellipse((x, y), 2 * radius * _stretch(ax.bounds), 2 * radius, **style)


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
