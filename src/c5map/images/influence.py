"""The influence image: small multiples of the influence scene, one panel a view."""

from __future__ import annotations

import math

import geopandas as gpd

from c5map import layers
from c5map.boundaries import web_countries
from c5map.format import format_count, format_usd
from c5map.i18n import gettext
from c5map.images.frame import (
    DPI,
    MARGIN,
    NO_FIGURE_HATCH,
    Image,
    _arc,
    _basemap,
    _drawn,
    _fit,
    _frame,
    _height_in,
    _map_axes,
    _renderer,
    _settle,
    _shapes,
    _share,
    _stretch,
    _x,
)
from c5map.images.labels import MAX_PANELS, _area_labels, _listed, _Placer, _unlabelled
from c5map.images.legend import _tuple_handlers, merged_legend
from c5map.maps.common import (
    display_names,
    region_view,
    source_line,
)
from c5map.maps.style import (
    INK,
    class_labels,
)
from c5map.scenes import bound_rule
from c5map.scenes.influence import EVENTS_LAYER, influence_scene, view_arcs
from c5map.story import Story, word_list
from c5map.tables import Tables

#: Inches between one row of panels' notes and the next row's titles (the titles' own colour sets them apart).
ROW_GAP = 0.06
#: Inches: the tallest panel of the small multiples (one or two views of a tall region would fill a page).
TALLEST_PANEL = 4.6


def influence_image(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None) -> Image:
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
    # at most three panels a row, the rows evenly filled (4: two by two); a wide region's panels two a row, so
    # that its maps, not the words under them, fill the page
    most = 2 if _shape(region_view(shapes, list(story.members), pad=2.0)) < 0.75 else 3
    rows = math.ceil(max(len(views), 1) / most)
    cols = math.ceil(max(len(views), 1) / rows)
    panel_w = (width - 2 * MARGIN - (cols - 1) * 0.2) / cols
    ratio = (bounds[3] - bounds[1]) / ((bounds[2] - bounds[0]) / _stretch(bounds))
    panel_h = min(panel_w * ratio, TALLEST_PANEL)  # as wide as the page allows: no gutter beside the grid
    panel_w = panel_h / ratio  # as wide as the map drawn in it: titles and notes fit the map, not an empty frame
    caps = layers.capitals(tables)
    panels = []
    for i, (one, section) in enumerate(zip(views, sections, strict=True)):
        ax, _ = _map_axes(fig, [0, 0, 0.1, 0.1])
        _basemap(ax, bounds)
        _influence_panel(ax, one, scene, caps, tables)
        ax.set_title(section.title, fontsize=9, color=one.colour, fontweight="bold", pad=4)
        _fit(ax.title, panel_w)
        lines = [e.label for e in section.lines if e.label != bound_rule()]  # in the subtitle
        ax.note = ax.annotate("\n".join(_listed(lines)), (0.5, 0), xycoords="axes fraction", xytext=(0, -3),
                              textcoords="offset points", ha="center", va="top", fontsize=6.5)  # fmt: skip
        _fit(ax.note, panel_w)
        ax.note_words = ax.note.get_text()
        ax.cell = (i // cols, i % cols)
        panels.append((ax, one))
    spare = len(views) and len(views) < rows * cols  # an empty cell at the grid's end: the legend goes there
    legend = _influence_legend(fig, sections, class_labels(scene.breaks, format_usd), panel_w if spare else width,
                               in_cell=bool(spare))  # fmt: skip
    if spare and _height_in(legend) > panel_h + 0.4:  # too tall for the cell: under the grid
        legend.remove()
        legend = _influence_legend(fig, sections, class_labels(scene.breaks, format_usd), width)
    block = "\n".join(_listed([_section_words(s, scene) for s in scene.sections[len(scene.views) :]]))
    block_text = fig.text(MARGIN / width, 0, block, fontsize=6.5, va="top") if block else None
    if block_text is not None:
        _fit(block_text, width - 2 * MARGIN)
    if not views:
        nothing = gettext("No deal with a member of {region} in the data.").format(region=story.region_words)
        fig.text(0.5, 0.5, nothing, ha="center", fontsize=10)
    dropped = _lay_out_panels(fig, panels, (rows, panel_w, panel_h, width), legend, block_text, names)
    return _drawn(fig, dropped)


def _shape(bounds) -> float:
    """Height over width of a map of ``bounds`` as drawn."""
    return (bounds[3] - bounds[1]) / ((bounds[2] - bounds[0]) / _stretch(bounds))


def _section_words(section, scene) -> str:
    """One line of text for a section the panels do not draw: the region's figures, the events, partners left out."""
    if section.layer == gettext(EVENTS_LAYER):  # markers on the web page's map; the timeline image lists them all
        words = gettext("Events: {n} drawn on the web page's map, all listed in the timeline image")
        return words.format(n=format_count(len(scene.events)))
    return f"{section.title}: " + "; ".join(e.label for e in section.lines)


def _influence_legend(fig, sections, classes: list[str], width: float, in_cell: bool = False):
    """One legend for every panel: each row shows the swatch of every view that draws it, in its colour.

    ``width``: of the page, or with ``in_cell`` of the grid's empty cell it goes in (``cell`` set on it).
    """
    entries = merged_legend(sections, classes)
    if not entries:
        return None
    most = max(len(h) for h, _ in entries)
    for ncol in range(len(entries), 0, -1):
        legend = fig.legend(
            handles=[h for h, _ in entries], labels=[lab for _, lab in entries], loc="lower center", ncol=ncol,
            fontsize=6.5, frameon=False, title=gettext("Announced deals, in each partner's colour"), title_fontsize=7,
            handler_map=_tuple_handlers(entries),
            handlelength=max(2.0, 0.9 * most),
        )  # fmt: skip
        if in_cell:
            legend.set_loc("upper left")
            legend.set_alignment("left")
        room = width if in_cell else width - 2 * MARGIN
        if legend.get_window_extent(_renderer(fig)).width <= room * DPI or ncol == 1:
            legend.in_cell = in_cell
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
    _tiny_points(ax, one, scene, shades)
    for start, end, row in view_arcs(one, tables, caps):
        share = _share(row["value_usd"], scene.largest) if row["has_figure"] else 0.0
        _arc(ax, caps[start], caps[end], one.colour, 0.6 + 3 * math.sqrt(share), dashed=not row["has_figure"])


#: Diameter (points) of the symbol of a member too small to see (``scene.tiny``), its fill's colour or hatching.
TINY_POINT_PT = 6.0


def _tiny_points(ax, one, scene, shades) -> None:
    """Draw each member too small to see (:attr:`scene.tiny`) as a point, filled as its country is in this view."""
    figures = one.figures.set_index("iso3") if "iso3" in one.figures.columns else one.figures
    for point in scene.tiny:
        if point.iso3 not in figures.index:
            continue
        row = figures.loc[point.iso3]
        if row["has_figure"]:
            style = {"facecolor": shades[int(row["value_class"])], "edgecolor": INK, "linewidth": 0.6}
        elif row["has_deal"]:
            style = {"facecolor": one.undisclosed_fill, "edgecolor": one.colour, "linewidth": 0.8,
                     "linestyle": "--"}  # fmt: skip
        else:
            style = dict(NO_FIGURE_HATCH, linewidth=0.6)
        ax.scatter([_x(ax, point.lon)], [point.lat], s=TINY_POINT_PT**2, zorder=4.5, **style)


def _lay_out_panels(fig, panels, grid, legend, block, names) -> list:
    """Size the influence image to its rows of panels and label each member; return the labels left out.

    ``grid`` is (rows, panel width, panel height, page width) in inches; ``block`` the text of what the
    panels do not draw, above the legend.
    """
    rows, panel_w, panel_h, width = grid

    def layout() -> None:
        """Size the page to its rows of panels and put everything in place (inches from the top)."""
        row_heights = []
        for r in range(rows):
            in_row = [ax for ax, _ in panels if ax.cell[0] == r]
            title_h = max((_height_in(ax.title) for ax in in_row), default=0.0) + 0.08
            note_h = max((_height_in(ax.note) for ax in in_row), default=0.0) + 0.08
            row_heights.append((title_h, note_h))
        in_cell = legend is not None and legend.in_cell
        legend_h = _height_in(legend) + 0.1 if legend is not None and not in_cell else 0.0
        block_h = _height_in(block) + 0.1 if block is not None else 0.0
        body = sum(t + panel_h + b + ROW_GAP for t, b in row_heights) if panels else 1.0
        height = max(fig.header_in + body + block_h + legend_h + fig.footer_in, 4.4)
        fig.set_size_inches(width, height)
        fig.place_frame()
        top = height - fig.header_in
        for ax, _ in panels:
            r, c = ax.cell
            y = top - sum(t + panel_h + b + ROW_GAP for t, b in row_heights[:r]) - row_heights[r][0] - panel_h
            columns = max(ax.cell[1] for ax, _ in panels) + 1
            x = (width - columns * panel_w - (columns - 1) * 0.2) / 2 + c * (panel_w + 0.2)  # the grid centred
            ax.set_position([x / width, y / height, panel_w / width, panel_h / height])
        if in_cell:  # the grid's last cell, after the last panel, level with its panel
            r, c = panels[-1][0].cell
            last = panels[-1][0].get_position()
            x = last.x1 + 0.2 / width if c + 1 < columns else (width - columns * panel_w - (columns - 1) * 0.2) / 2
            legend.set_bbox_to_anchor((x, last.y1), transform=fig.transFigure)
        elif legend is not None:
            legend.set_bbox_to_anchor((0.5, fig.footer_in / height), transform=fig.transFigure)
        if block is not None:  # the region's figures and what the panels leave out, above the legend
            block.set_position((MARGIN / width, (fig.footer_in + legend_h + block_h) / height))

    layout()
    _settle(fig)
    placer = _Placer(fig)
    placer.block_frame()
    labels = []
    for ax, one in panels:
        written = one.map_figures()  # the web page's words; hatched countries: the name only
        rows_ = [
            (
                names.get(row["iso3"], row["iso3"])
                + ("\n" + written[row["iso3"]].replace(" (", "\n(", 1) if row["iso3"] in written else ""),
                row.geometry,
                float(row["value_usd"]) if row["has_figure"] else (0.0 if row["has_deal"] else -1.0),
            )
            for _, row in one.figures.iterrows()
        ]
        labels += _area_labels(ax, placer, rows_, fontsize=5.5)
    dropped = placer.place(labels)
    if dropped:
        for ax, _ in panels:
            missing = [lab for lab in dropped if lab.ax is ax]
            if missing:
                ax.note.set_text(ax.note_words + "\n" + _unlabelled(missing))
                _fit(ax.note, panel_w)
        layout()
        _settle(fig)
    return dropped
