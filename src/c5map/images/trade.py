"""The trade image: the trade scene on one map, every exporter at once, the region's circles beside it."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import shapely
from matplotlib.patches import Circle

from c5map import layers
from c5map.boundaries import load_countries, web_countries
from c5map.format import format_usd
from c5map.i18n import gettext
from c5map.images.frame import (
    DPI,
    NO_FIGURE_HATCH,
    REGION_CIRCLE,
    TRADE_LARGEST_DEGREES,
    TRADE_LARGEST_SHARE,
    Image,
    _arc,
    _basemap,
    _drawn,
    _fit,
    _frame,
    _height_in,
    _map_axes,
    _renderer,
    _round,
    _settle,
    _shapes,
    _share,
    _stretch,
    _wrapped,
)
from c5map.images.labels import _area_labels, _display, _Label, _listed, _Placer, _unlabelled
from c5map.images.layout import KEYS_GAP, KeyBlock, lay_out_map_page, planned_rect
from c5map.images.legend import _merged_legend_at, _size_key, merged_legend
from c5map.maps.common import (
    display_names,
    partner_palette_of,
    region_view,
    source_line,
)
from c5map.maps.style import (
    INK,
    class_labels,
)
from c5map.scenes import LegendSection
from c5map.scenes.trade import trade_scene, trade_selection
from c5map.story import Story
from c5map.tables import Tables


def _region_layer_prefix() -> str:
    """Return how the scene's layer of trade with the region starts, in the locale in use ("Trade with ")."""
    return gettext("Trade with {region} as a whole").split("{")[0]


def _size_key_prefix() -> str:
    """Return how the scene's size key entries start, in the locale in use ("size key: ")."""
    return gettext("size key: {figure}").split("{")[0]


def _row_beside(members, radii: list[float], bounds, reserve, covered) -> tuple[str, list[tuple[float, float]], tuple]:
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
        cost = (hidden > 1e-9, growth + hidden, rank)  # over no other country's land first
        if best is None or cost < best[0]:
            best = cost, side, xy, box
    (on_land, *_), side, xy, box = best
    if on_land:
        return "", [], ()
    return side, [(float(x * stretch), float(y)) for x, y in xy], (box[0] * stretch, box[1], box[2] * stretch, box[3])


def _inches_per_degree(fig, rect, bounds) -> float:
    """Inches one degree of latitude takes on a map of ``bounds`` fitted into ``rect`` (figure fractions)."""
    w_in, h_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    return min(w_in / ((bounds[2] - bounds[0]) / _stretch(bounds)), h_in / (bounds[3] - bounds[1]))


def _trade_legend_blocks(fig, scene) -> list[KeyBlock]:
    """Return the scene's legends, a key block each: exports (every exporter at once), then the region's circles."""
    legends = []
    for section in scene.combined:
        legends.append((merged_legend([section], class_labels(scene.breaks, format_usd)), section.title))
    region = [s for s in scene.sections if s.layer and s.layer.startswith(_region_layer_prefix())]
    for section in region:  # the circles' own words; the size key is drawn apart, at the map's scale
        kept = tuple(e for e in section.entries if not e.label.startswith(_size_key_prefix()))
        entries = merged_legend([LegendSection(section.title, kept)])
        legends.append((entries, section.title))
    return [
        lambda x, top, width, _, entries=entries, title=title: (
            _merged_legend_at(fig, entries, title, x, top, width) + 0.15
        )  # _merged_legend_at leaves room below for the next legend; the layout keeps its own gaps
        for entries, title in legends
        if entries
    ]


def _region_circles(fig, ax, rect, tables, story, scene, shapes, shape_of, palette, names):
    """Draw the region's figures as circles in a row beside its outline, never on a member; grow the view to fit.

    Returns the circles ``(patch, x, y, radius, label text, preferred sides)``, the radius (degrees) of the
    largest, which the size key uses, and None; or, where other countries' land is all round the region, no
    circles, the radius and a key block that draws them beside the map (:func:`_region_key`).
    """
    region, members, totals = story.region, list(story.members), scene.totals
    bounds = ax.bounds
    circles = []
    outline_geometry = layers.region_outlines(tables, shapes).set_index("region").loc[region].geometry
    _shapes(ax, [outline_geometry.boundary], edgecolor=INK, linewidth=1, linestyle="--", zorder=5)
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
    # every other country's land the map draws: a circle on it would read as a figure located there
    land = load_countries("110m")
    land = land[~land["iso3"].isin(members)].geometry
    covered = shapely.union_all(
        [shapely.make_valid(g) for g in [*land, *(g for c, g in shape_of.items() if c not in members)]]
    )
    for _ in range(4):  # grow the view until the row and its labels fit (the scale changes as it grows)
        radius = min(TRADE_LARGEST_DEGREES, TRADE_LARGEST_SHARE * (bounds[3] - bounds[1]))
        radii = [radius * math.sqrt(_share(v, biggest)) for v in ordered["value_usd"]]
        scale = _inches_per_degree(fig, rect, bounds)

        def reserve(side, scale=scale):  # a row's labels may need two tiers: wider than their circles
            if side in ("left", "right"):
                return label_w / scale, label_h / 2 / scale
            return 2 * label_h / scale, label_w / scale

        side, centres, box = _row_beside(outline_geometry, radii, bounds, reserve, covered)
        if not side:  # land all round: the circles go beside the map, at its scale
            ax.bounds = bounds
            return [], radius, _region_key(fig, ordered, texts, palette, radius, biggest)
        grown = (min(bounds[0], box[0]), min(bounds[1], box[1]), max(bounds[2], box[2]), max(bounds[3], box[3]))
        if np.allclose(grown, bounds):
            break
        bounds = grown
        ax.bounds = bounds
    stretch = _stretch(bounds)
    prefer = {"below": ("below", "below right", "below left", "right", "left"),
              "above": ("above", "above right", "above left", "right", "left"),
              "right": ("right", "above right", "below right", "below"),
              "left": ("left", "above left", "below left", "below")}[side]  # fmt: skip
    for (_, row), (x, y), r, label_text in zip(ordered.iterrows(), centres, radii, texts, strict=True):
        colour = palette.get(row["partner"], INK)
        circle = ax.add_patch(_round(ax, x, y, r, facecolor=colour, zorder=7, **REGION_CIRCLE))
        fig.mark(circle, "region-figure", float(row["value_usd"]), ident=str(row["partner"]))
        circles.append((circle, x, y, r, label_text, prefer))
    # a leader from the row to the outline: the circles are about the region, not about the nearest member
    discs = shapely.union_all([shapely.Point(x / stretch, y).buffer(max(r, 1e-6)) for _, x, y, r, _, _ in circles])
    region_round = shapely.transform(outline_geometry, lambda xy: xy / [stretch, 1.0])
    (x0, y0), (x1, y1) = shapely.get_coordinates(shapely.shortest_line(discs, region_round))
    ax.plot([x0 * stretch, x1 * stretch], [y0, y1], color=INK, linewidth=0.6, zorder=6)
    return circles, radius, None


def _region_key(fig, ordered, texts, palette, radius: float, biggest: float) -> KeyBlock:
    """Return a key block of the region's circles in a row, each with its words under it, at the map's scale.

    For a region with other countries' land all round it: a circle on that land would read as a figure
    located there. The block is drawn off the map (never on a panel over it).
    """

    def draw(x_in: float, top_in: float, width_in: float, per_degree: float) -> float:
        width, height = fig.get_figwidth(), fig.get_figheight()
        radii = [radius * math.sqrt(_share(v, biggest)) * per_degree for v in ordered["value_usd"]]
        biggest_r, x, bottom = max(radii), x_in, top_in
        for (_, row), r, words in zip(ordered.iterrows(), radii, texts, strict=True):
            label = fig.text(0, 0, words, fontsize=6.5, ha="center", va="top", multialignment="center")
            step = max(2 * r, _height_in(label) and label.get_window_extent(_renderer(fig)).width / DPI)
            if x > x_in and x + step > x_in + width_in:  # the next row
                x, top_in = x_in, bottom - 0.1
            centre = (x + step / 2, top_in - biggest_r)
            circle = Circle(centre, r, transform=fig.dpi_scale_trans, facecolor=palette.get(row["partner"], INK),
                            zorder=2, **REGION_CIRCLE)  # fmt: skip
            fig.mark(fig.add_artist(circle), "region-figure", float(row["value_usd"]), ident=str(row["partner"]))
            label.set_position((centre[0] / width, (top_in - 2 * biggest_r - 0.05) / height))
            bottom = min(bottom, top_in - 2 * biggest_r - 0.05 - _height_in(label))
            x += step + 0.2
        return bottom

    draw.off_map = True
    return draw


def _trade_notes(fig, scene, x_in: float, y: float, column: float) -> float:
    """Write the scene's notes (the rule for bounds, what the bounded drawing leaves out); return their bottom."""
    layers_last = sorted(scene.sections, key=lambda section: section.layer in {v.name for v in scene.exporters})
    lines = list(dict.fromkeys(e.label for section in (*scene.combined, *layers_last) for e in section.lines))
    return _note(fig, "\n".join(_listed(lines)), x_in, y, column)


def _note(fig, words: str, x_in: float, y: float, column: float) -> float:
    """Write ``words`` in the key's small type, wrapped to ``column`` inches; return their bottom."""
    if not words:
        return y
    note = fig.text(x_in / fig.get_figwidth(), y / fig.get_figheight(), words, fontsize=6, va="top")
    _fit(note, column)
    return y - _height_in(note)


def trade_image(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None) -> Image:
    """Draw the trade scene (:func:`c5map.scenes.trade.trade_scene`) on one map: every exporter at once.

    Each destination takes its largest exporter's class colour and its label lists every figure; flows from
    each exporter's capital; trade with the region as circles in a row beside its outline, never on a member,
    with the scene's size key. The legend and the notes are the scene's words.
    """
    region, members = story.region, list(story.members)
    palette = partner_palette_of(tables)
    names = display_names(tables)
    selection = trade_selection(tables, region)
    exports = selection.exports
    destinations = sorted(set(exports["destination"]))
    shapes = web_countries(sorted(set(destinations) | set(members)), max_zoom=4, source=countries)
    scene = trade_scene(tables, story, set(shapes["iso3"]), selection)
    totals = scene.totals
    caps = layers.capitals(tables)
    fig = _frame(scene.text.title, scene.text.print_subtitle, source_line(tables, tables.trade["source_id"]))
    bounds = region_view(shapes, members, pad=3.0)
    ax, rect = _map_axes(fig, planned_rect(fig, bounds))
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

    circles, radius, region_key = [], 0.0, None
    if len(totals):
        circles, radius, region_key = _region_circles(
            fig, ax, rect, tables, story, scene, shapes, shape_of, palette, names
        )

    members = [m for m in members if m in shape_of]
    return _trade_page(fig, ax, scene, (circles, radius, region_key), area_rows, members, shape_of)


def _trade_page(fig, ax, scene, region, area_rows, members, shape_of) -> Image:
    """Lay out the page (map, legends, size key, notes), then label the map; list what has no room under the keys."""
    circles, radius, region_key = region
    blocks = _trade_legend_blocks(fig, scene)
    if region_key is not None:  # the circles under their own legend, together, beside the map
        region_layer = any(s.layer and s.layer.startswith(_region_layer_prefix()) for s in scene.sections)
        words = blocks.pop() if region_layer else None

        def region_block(x, top, width, per_degree, words=words):
            top = words(x, top, width, per_degree) - KEYS_GAP if words is not None else top
            return region_key(x, top, width, per_degree)

        region_block.off_map = True
        blocks.append(region_block)
    if circles or region_key is not None:
        blocks.append(
            lambda x, top, width, per_degree: _size_key(
                fig,
                x,
                top,
                gettext("Circle area by value (one scale)"),
                sorted(scene.size_key, reverse=True),
                lambda v: radius * math.sqrt(_share(v, scene.region_largest)) * per_degree,
                format_usd,
                width_in=width,
                facecolor="#bbbbbb",
                **REGION_CIRCLE,
            )  # fmt: skip
        )
    blocks.append(lambda x, top, width, _: _trade_notes(fig, scene, x, top, width))
    keep_clear = [_wrapped(ax, shape_of[m]) for m in members]
    keep_clear += [_wrapped(ax, shape_of[d]) for d in scene.largest_exporter() if d in shape_of]
    symbols = [shapely.Point(x, y).buffer(r * _stretch(ax.bounds)) for _, x, y, r, _, _ in circles]
    page = lay_out_map_page(fig, ax, blocks, keep_clear, symbols=symbols)
    _settle(fig)
    placer = _Placer(fig)
    labels = []
    if circles:
        # transformed to display points a valid polygon can self-touch: repair before the union
        members_display = shapely.union_all(
            [shapely.make_valid(_display(ax, _wrapped(ax, shape_of[m]))) for m in members]
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
    placer.block_frame()
    dropped = placer.place(labels)
    if dropped:  # the same map, its labels where they are; the list under everything
        words = _unlabelled(dropped)
        page.add_below(lambda x, top, width, _: _note(fig, words, x, top, width))
        _settle(fig)
    return _drawn(fig, dropped)
