"""The resources image: sites at their precision, one size scale of one commodity and unit."""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.patches import Patch

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_count, format_quantity
from c5map.i18n import N_, gettext, ngettext
from c5map.images.frame import (
    DPI,
    RESOURCE_LARGEST_DEGREES,
    RESOURCE_LARGEST_SHARE,
    Image,
    _basemap,
    _drawn,
    _fit,
    _frame,
    _height_in,
    _map_axes,
    _round,
    _settle,
    _shapes,
    _share,
    _stretch,
    _wrapped,
    _x,
)
from c5map.images.labels import MAX_LISTED, MAX_SYMBOLS, _area_labels, _Label, _listed, _one_line, _Placer
from c5map.images.layout import lay_out_map_page, planned_rect
from c5map.images.legend import _circle_handle, _legend, _size_key
from c5map.images.trade import _inches_per_degree, _note
from c5map.maps.common import (
    display_names,
    region_view,
    source_line,
)
from c5map.maps.style import (
    INK,
    RESOURCE_COLOUR,
)
from c5map.resource_scale import ResourceScale, commodity_words, figure_label
from c5map.scenes.resources import (
    DEALS_LAYER,
    DEPOSITS_LAYER,
    UNCERTAINTY_KM,
    area_words,
    kind_entries,
    resources_scene,
    site_words,
)
from c5map.story import Story
from c5map.tables import Tables

#: Radius (inches on paper) of the uniform symbol of a site off the resources scale: one size whatever the view.
RESOURCE_UNIFORM_IN = 0.04
#: Matplotlib style of each kind of mark on the resources image; its legend swatch is drawn the same.
RESOURCE_STYLES = {
    # a sized site is filled pale, as on the web page (fill 0.15), and so is the size key that measures it
    "sized": {"facecolor": matplotlib.colors.to_rgba(RESOURCE_COLOUR, 0.15), "edgecolor": RESOURCE_COLOUR,
              "linewidth": 1.5},
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
        what = gettext("tonnages") if scale.unit == "tonnes" else gettext("figures of {measure}").format(
            measure=scale.words)  # fmt: skip
        words = gettext("{n} smaller {what} not drawn ({total} in all; each is on the web page and in geo/)")
        notes.append(words.format(n=format_count(len(rest)), what=what, total=scale.key_label(float(rest["_q"].sum()))))
    for words, frame in (
        (N_("{n} more deposits known only by their region not drawn (each is on the web page and in geo/)"), areas),
        (N_("{n} more other sites not drawn (each is on the web page and in geo/)"), uniform),
    ):
        if len(frame) > MAX_SYMBOLS:
            notes.append(gettext(words).format(n=format_count(len(frame) - MAX_SYMBOLS)))
    listed = resources[~located & ~on_scale]
    return _ResourceMarks(sized, areas.head(MAX_SYMBOLS), uniform.head(MAX_SYMBOLS), listed, notes)


def _resource_patch(ax, x: float, y: float, radius: float, row: pd.Series, kind: str, zorder: float):
    """Add one resource mark of ``kind`` (:data:`RESOURCE_STYLES`), tagged with its resource id and kind."""
    patch = ax.add_patch(_round(ax, x, y, radius, zorder=zorder, **RESOURCE_STYLES[kind]))
    value = float(row["quantity"]) if kind in ("sized", "country") else math.nan  # the figure it is sized by
    return ax.figure.mark(patch, "resource", value, ident=str(row["resource_id"]), style=kind)


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
        _resource_patch(ax, x, y, radius, row, kind, 6)
        drawn |= {kind, "approximate"} if km else {kind}
        words = site_words(row, True).replace(": ", "\n", 1)  # the page's words, on two lines
        symbols.append((x, y, radius, km / 111.32, words, (0, 0, -float(row["quantity"])), False))
    for _, row in marks.areas.iterrows():
        x, y, radius = _x(ax, float(row["lon"])), float(row["lat"]), UNCERTAINTY_KM["region"] / 111.32
        _resource_patch(ax, x, y, radius, row, "region", 5)
        symbols.append((x, y, radius, 0.0, area_words(row), (0, 1, 0.0), True))
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
            # with no room there: beside the area, a leader from its edge (see _place_resource_labels)
            beside = _Label(ax, label_text, (*priority, label_text), point=(x, y), radius=r_px, style=style)
            labels.append(_Label(ax, label_text, (*priority, label_text), point=(x, y), leader=False, style=style,
                                 beside=beside))  # fmt: skip
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
    beside = [label.beside for label in dropped if label.beside is not None]
    return [label for label in dropped if label.beside is None] + placer.place(beside)


def _resource_lines(tables: Tables, marks: _ResourceMarks, scene) -> list[str]:
    """Write the side column's lines: what is counted, not drawn; country figures off the scale; the scene's deals."""
    names = display_names(tables)
    lines = list(marks.notes)
    for _, row in marks.listed.head(MAX_LISTED).iterrows():  # a bounded list: the rest are counted
        figure = format_quantity(row["quantity"], row["unit"], row["value_qualifier"])
        lines.append(f"{names.get(row['country'], row['country'])}, {commodity_words(row['commodity'])}: {figure}")
    if len(marks.listed) > MAX_LISTED:
        more = len(marks.listed) - MAX_LISTED
        lines.append(ngettext("and {count} more country figure", "and {count} more country figures", more).format(
            count=format_count(more)))  # fmt: skip
    deals = [e.label for s in scene.sections if s.layer == gettext(DEALS_LAYER) for e in s.entries]
    lines += _listed(deals)  # the page's legend rows of the deals, with their figures: listed, not drawn
    return lines


#: The image's kinds of mark and the scene's (:data:`c5map.scenes.resources.KINDS`) they draw.
_SCENE_KIND = {"sized": "scaled", "country": "country", "uniform": "uniform", "approximate": "approximate",
               "region": "region"}  # fmt: skip


def _resource_handles(drawn: set[str], scale: ResourceScale) -> list[Patch]:
    """Legend swatches of the kinds drawn, styled as drawn (:data:`RESOURCE_STYLES`), with the scene's words."""
    words = kind_entries(scale)
    return [_circle_handle(words[_SCENE_KIND[kind]].label, **RESOURCE_STYLES[kind]) for kind in _SCENE_KIND
            if kind in drawn]  # fmt: skip


def resources_image(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None) -> Image:
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
    scene = resources_scene(tables, story, set(shapes["iso3"]), layers.capitals(tables))
    scale = scene.scale  # the page's scale: the same pair, the same key values
    fig = _frame(scene.text.title, scene.text.print_subtitle, source_line(tables, resources["source_id"]))
    bounds = region_view(shapes, codes, pad=2.0)
    ax, rect = _map_axes(fig, planned_rect(fig, bounds))
    _basemap(ax, bounds)
    _shapes(ax, shapes.geometry.boundary, edgecolor="#6b6b6b", linewidth=0.4)
    largest = min(RESOURCE_LARGEST_DEGREES, RESOURCE_LARGEST_SHARE * (bounds[3] - bounds[1]))
    marks = _resource_marks(resources, scale)
    uniform = RESOURCE_UNIFORM_IN / _inches_per_degree(fig, rect, bounds)
    symbols, drawn = _draw_resources(ax, marks, scale, shape_of, largest, uniform)
    lines = _resource_lines(tables, marks, scene)

    members = [shape_of[m] for m in story.members if m in shape_of]
    return _resources_page(fig, ax, (symbols, drawn, lines, largest), scale, [
        (names.get(c, c), shape_of[c], -1.0) for c in codes if c in shape_of], members)  # fmt: skip


def _resources_page(fig, ax, drawing, scale: ResourceScale, area_rows, members) -> Image:
    """Lay out the page (map, legend, size key, other figures), then label the map; list what has no room.

    The keys keep off the ``members`` (geometries) and the symbols.
    """
    symbols, drawn, lines, largest = drawing
    keep_clear = [_wrapped(ax, shape) for shape in members]
    marks = [
        shapely.Point(x, y).buffer(max(radius, uncertainty) * _stretch(ax.bounds) + 1.0)
        for x, y, radius, uncertainty, _, _, _ in symbols
    ]  # the symbols, with room for a label beside each
    blocks = []
    handles = _resource_handles(drawn, scale)
    if handles:
        blocks.append(lambda x, top, width, _: top - _height_in(
            _legend(fig, handles, x, top, width, title=gettext(DEPOSITS_LAYER))))  # fmt: skip
    if drawn & {"sized", "country"}:  # the web page's key values, at this image's own scale
        blocks.append(lambda x, top, width, per_degree: _size_key(
            fig, x, top, scale.title[:1].upper() + scale.title[1:], sorted(scale.key_values, reverse=True),
            lambda v: largest * math.sqrt(_share(v, scale.largest)) * per_degree,
            scale.key_label, width_in=width, facecolor=RESOURCE_STYLES["sized"]["facecolor"],
            edgecolor=RESOURCE_COLOUR, linewidth=0.8,
        ))  # fmt: skip
    blocks.append(lambda x, top, width, _: _other_figures(fig, lines, x, top, width))
    page = lay_out_map_page(fig, ax, blocks, keep_clear, symbols=marks)
    _settle(fig)
    placer = _Placer(fig)
    labels = _resource_labels(ax, placer, symbols)
    labels += _area_labels(ax, placer, area_rows, fontsize=6, color="#555555")
    placer.block_frame()
    dropped = _place_resource_labels(placer, labels)
    if dropped:  # the same map, its labels where they are; the list under everything
        more = _listed([f"{_one_line(d)} (not labelled on the map: no room)" for d in dropped])
        page.add_below(lambda x, top, width, _: _note(fig, "\n".join(more), x, top, width))
        _settle(fig)
    return _drawn(fig, dropped, scale)  # the scale drawn: the web page's


def _other_figures(fig, lines: list[str], x_in: float, top_in: float, width_in: float) -> float:
    """Write the figures and deals the map does not draw, under a heading; return their bottom."""
    if not lines:
        return top_in
    width, height = fig.get_figwidth(), fig.get_figheight()
    heading = fig.text(x_in / width, top_in / height, gettext("Other figures and deals"), fontsize=8, fontweight="bold",
                       va="top")  # fmt: skip
    y = top_in - _height_in(heading) - 0.08
    listing = fig.text(x_in / width, y / height, "\n".join(lines), fontsize=6.3, va="top", linespacing=1.6)
    _fit(listing, width_in)
    return y - _height_in(listing)
