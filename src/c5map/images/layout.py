"""Page layout of the single-map images: the map sized to its own shape, its keys where the map leaves room.

A map image is its map and a few key blocks (legends, a size key, notes), each a function that draws itself
at a place in inches and says where it ends. :func:`lay_out_map_page` tries the map as wide as the page with
the keys in columns below it, and a narrower map with a column of keys beside it (those that do not fit beside
go below); it keeps the layout that leaves the least of the page empty and sizes the page to it, so no page
has a gutter or a column with nothing in it. Measures are in inches; everything is drawn once, in its place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import shapely
from matplotlib.patches import Rectangle

from c5map.images.frame import MARGIN, PrintFigure, _stretch

#: A key block: ``draw(x_in, top_in, width_in, inches_per_degree)`` draws it and returns its bottom (inches).
KeyBlock = Callable[[float, float, float, float], float]

PAGE_WIDTH = 10.0  # inches: a half page in print, a full slide
GAP = 0.25  # inches between the map and a column of keys, and between columns
SIDE_COLUMN = 2.75  # inches: the column of keys beside a map
TALLEST_MAP = 6.6  # inches: a map taller than this is narrowed
INSET_WIDTH, INSET_PAD = 2.4, 0.1  # inches: the column of keys on a map, and its panel's padding
INSET_ALPHA = 0.9  # the panel's white over the map: the map shows through, faintly
INSET_COVERS = 0.02  # at most this share of the keys' panel may cover what the map is about
SHORTEST_MAP = 4.2  # inches: a map beside its keys is as tall as they are, but not shorter than this
KEYS_GAP = 0.18  # inches between two key blocks in a column, and between the map and the keys below it


def map_shape(bounds) -> float:
    """Height over width of a map of ``bounds`` as :func:`c5map.images.frame._finish` draws it."""
    return (bounds[3] - bounds[1]) / ((bounds[2] - bounds[0]) / _stretch(bounds))


class _Drawn:
    """What a piece of code draws on a page (texts, legends, artists, marks), to measure it or take it off again."""

    NAMES = ("texts", "legends", "artists", "lines", "patches")

    def __init__(self, fig: PrintFigure):
        self.fig = fig
        self.before = {name: {id(a) for a in getattr(fig, name)} for name in self.NAMES}
        self.marks = len(fig.marks)

    def artists(self) -> list:
        """Everything drawn since this record began."""
        return [a for name, before in self.before.items() for a in getattr(self.fig, name) if id(a) not in before]

    def remove(self) -> None:
        """Take off everything drawn on the page since this record began, and its marks (not the maps' labels)."""
        removed = self.artists()
        for artist in removed:
            artist.remove()
        gone = {id(a) for a in removed}
        self.fig.marks[self.marks :] = [m for m in self.fig.marks[self.marks :] if id(m.artist) not in gone]


def measure(fig: PrintFigure, block: KeyBlock, width: float, per_degree: float) -> tuple[float, float]:
    """Height and width in inches of ``block`` drawn ``width`` inches wide; nothing it drew is left on the page."""
    drawn = _Drawn(fig)
    top = fig.get_figheight()
    bottom = block(0.0, top, width, per_degree)
    renderer = fig.canvas.get_renderer()
    right = max((a.get_window_extent(renderer).x1 for a in drawn.artists()), default=0.0) / fig.dpi
    drawn.remove()
    return top - bottom, min(right, width)


@dataclass(frozen=True)
class _Plan:
    """Where the map and each key block go: sizes and places in inches, ``top`` measured down from the map's top."""

    map_w: float
    map_h: float
    places: tuple[tuple[int, float, float, float], ...]  # (block index, x, top below the map's top, width)
    height: float  # from the map's top to the bottom of the lowest thing
    empty: float  # square inches of the content area with nothing in it
    width: float  # of the page
    inset: tuple = ()  # the keys' panels on the map: (x, top, width, height) each


def _columns(heights: list[float], n: int) -> tuple[list[list[int]], list[float]]:
    """Share blocks (in order) among ``n`` columns, each to the shortest so far; return columns and their heights."""
    columns: list[list[int]] = [[] for _ in range(n)]
    filled = [0.0] * n
    for k, h in enumerate(heights):
        c = min(range(n), key=lambda i: (filled[i], i))
        columns[c].append(k)
        filled[c] += h + (KEYS_GAP if columns[c][:-1] else 0.0)
    return columns, filled


def _plans(fig, blocks: list[KeyBlock], bounds, width: float) -> list[_Plan]:
    """Every layout tried: the map as wide as the page with the keys below, or beside a column of keys.

    Beside, the map is as tall as its column of keys (at least :data:`SHORTEST_MAP`, at most
    :data:`TALLEST_MAP`) or as tall as it may be, and the page as wide as the two.
    """
    content, shape = width - 2 * MARGIN, map_shape(bounds)
    widest = min(content, TALLEST_MAP / shape)
    sizes = [widest]  # the keys below
    column_h = 0.0
    for _ in range(2):  # the size key's circles follow the map's scale: measure again at the new scale
        map_w = min(content - GAP - SIDE_COLUMN, max(SHORTEST_MAP, min(column_h, TALLEST_MAP)) / shape)
        per_degree = map_w * shape / (bounds[3] - bounds[1])
        column_h = sum(measure(fig, b, SIDE_COLUMN, per_degree)[0] + KEYS_GAP for b in blocks) - KEYS_GAP
    sizes += sorted({map_w, min(content - GAP - SIDE_COLUMN, TALLEST_MAP / shape)})
    plans = []
    for k, map_w in enumerate(sizes):
        plans += _plans_of(fig, blocks, bounds, map_w, beside=k > 0, width=width)
    return plans


def _plans_of(fig, blocks, bounds, map_w: float, beside: bool, width: float) -> list[_Plan]:
    """Return the layouts of a map ``map_w`` inches wide: keys in a column beside it or not, the rest below."""
    map_h = map_w * map_shape(bounds)
    per_degree = map_h / (bounds[3] - bounds[1])
    content = map_w + GAP + SIDE_COLUMN if beside else width - 2 * MARGIN
    places, y, inked = [], 0.0, 0.0
    if beside:  # down the column while the blocks end above the map's bottom
        for k, block in enumerate(blocks):
            h, w = measure(fig, block, SIDE_COLUMN, per_degree)
            if y + h > map_h + 0.2:
                break
            places.append((k, map_w + GAP, y, SIDE_COLUMN))
            inked += h * w
            y += h + KEYS_GAP
    rest = list(range(len(places), len(blocks)))
    side_used = y - KEYS_GAP if places else 0.0
    plans = []
    for n in (1, 2, 3, 4) if rest else (1,):
        column_w = (content - (n - 1) * GAP) / n
        sizes = [measure(fig, blocks[k], column_w, per_degree) for k in rest]
        columns, filled = _columns([h for h, _ in sizes], n)
        below, top_of_keys = [], max(map_h, side_used) + KEYS_GAP
        for c, column in enumerate(columns):
            top = top_of_keys
            for i in column:
                below.append((rest[i], c * (column_w + GAP), top, column_w))
                top += sizes[i][0] + KEYS_GAP
        height = max(map_h, side_used) + (KEYS_GAP + max(filled) if rest else 0.0)
        empty = content * height - map_w * map_h - inked - sum(h * w for h, w in sizes)
        plans.append(_Plan(map_w, map_h, tuple(places + below), height, empty, content + 2 * MARGIN))
    return plans


class MapPage:
    """A laid-out single-map page: where its map and keys went (:func:`lay_out_map_page`)."""

    def __init__(self, fig: PrintFigure, ax, blocks: list[KeyBlock], plan: _Plan):
        self.fig, self.ax, self.blocks, self.plan = fig, ax, list(blocks), plan
        self.drawn = _Drawn(fig)
        self.per_degree = plan.map_h / (ax.bounds[3] - ax.bounds[1])
        self._draw()

    def _draw(self) -> None:
        fig, plan = self.fig, self.plan
        fig.resize(plan.width, fig.get_figheight())
        height = fig.header_in + plan.height + fig.footer_in
        fig.resize(plan.width, height)
        map_top = height - fig.header_in
        self.ax.set_position([MARGIN / plan.width, (map_top - plan.map_h) / height, plan.map_w / plan.width,
                              plan.map_h / height])  # fmt: skip
        self.drawn = _Drawn(fig)
        for x, top, w, h in plan.inset:  # the keys' own ground: a pale panel over the map, under every key
            fig.add_artist(Rectangle((MARGIN + x, map_top - top - h), w, h, transform=fig.dpi_scale_trans,
                                     facecolor="white", alpha=INSET_ALPHA, edgecolor="#999999", linewidth=0.4,
                                     zorder=0.5))  # fmt: skip
        for k, x, top, column_w in plan.places:
            self.blocks[k](MARGIN + x, map_top - top, column_w, self.per_degree)

    def add_below(self, block: KeyBlock) -> None:
        """Add ``block`` under everything, as wide as the page; the map keeps its size and place on it."""
        self.drawn.remove()
        width = self.plan.width - 2 * MARGIN
        h, _ = measure(self.fig, block, width, self.per_degree)
        self.blocks.append(block)
        place = (len(self.blocks) - 1, 0.0, self.plan.height + KEYS_GAP, width)
        self.plan = replace(self.plan, places=(*self.plan.places, place), height=self.plan.height + KEYS_GAP + h)
        self._draw()


def lay_out_map_page(fig: PrintFigure, ax, blocks: list[KeyBlock], keep_clear=(), *, symbols=(),
                     width: float = PAGE_WIDTH) -> MapPage:  # fmt: skip
    """Size the page to its map and keys, put the map in place and draw the keys; return the :class:`MapPage`.

    The keys go on the map where they cover none of ``keep_clear`` (what the map is about, in its data
    coordinates as drawn), beside it or below it: the layout that leaves the least of the page empty
    (:func:`_plans`, :func:`_inset_plan`), keys on the map and then a bigger map breaking ties. The map keeps
    its shape (``ax.bounds``). Keys on the map never touch ``symbols`` (data coordinates as drawn). Call this
    before placing the map's labels: they keep off the keys.
    """
    fig.resize(width, fig.get_figheight())
    blocks = [block for block in blocks if measure(fig, block, INSET_WIDTH, 0.1)[0] > 0.01]  # none with nothing
    plans = _plans(fig, blocks, ax.bounds, width)
    inset = _inset_plan(fig, blocks, ax.bounds, width, keep_clear, symbols)
    plans += [inset] if inset is not None else []

    def empty_share(plan: _Plan) -> float:
        fig.resize(plan.width, fig.get_figheight())  # the frame's words wrap to the page
        return plan.empty / (plan.width * (fig.header_in + plan.height + fig.footer_in))

    return MapPage(fig, ax, blocks, min(plans, key=lambda p: (round(empty_share(p), 3), -len(p.inset), -p.map_w)))


def _inset_plan(fig, blocks, bounds, width: float, keep_clear, symbols=()) -> _Plan | None:
    """Return the keys on the map, in the corners where they cover none of ``keep_clear``; None if none fits.

    Each block in turn goes to the corner whose panel, grown by it, covers least of ``keep_clear`` (at most
    :data:`INSET_COVERS` of the panel); blocks that fit in no corner go in columns below the map. The map
    is as big as the page allows (:data:`TALLEST_MAP` high at most) and the page as wide as the map.
    """
    shape = map_shape(bounds)
    map_w = min(width - 2 * MARGIN, TALLEST_MAP / shape)
    map_h = map_w * shape
    per_degree = map_h / (bounds[3] - bounds[1])
    column = min(INSET_WIDTH, 0.4 * map_w)
    west, south, east, north = bounds
    scale = np.array([map_w / (east - west), map_h / (south - north)])

    def inches(geometries):  # from the map's top left, x right, y down
        union = shapely.union_all([shapely.make_valid(g) for g in geometries if g is not None and not g.is_empty])
        union = shapely.transform(union, lambda xy: (xy - [west, north]) * scale)
        shapely.prepare(union)
        return union

    covered, hard = inches(keep_clear), inches(symbols)
    stacks: dict[tuple[bool, bool], list[tuple[int, float]]] = {}  # (right, top) -> blocks and heights
    left_over = []
    for k, block in enumerate(blocks):
        h, _ = measure(fig, block, column, per_degree)
        best = None
        if getattr(block, "off_map", False):  # drawn beside the map, never over it
            left_over.append(k)
            continue
        for rank, corner in enumerate(((True, True), (True, False), (False, False), (False, True))):
            grown = [*stacks.get(corner, []), (k, h)]
            box = _corner_box(corner, grown, map_w, map_h, column)
            share = shapely.area(shapely.intersection(box, covered)) / shapely.area(box)
            taller = box.bounds[3] - box.bounds[1] > 0.8 * map_h or box.intersects(hard)
            if share <= INSET_COVERS and not taller and (best is None or (share, rank) < best[0]):
                best = (share, rank), corner
        if best is None:
            left_over.append(k)
        else:
            stacks.setdefault(best[1], []).append((k, h))
    if not stacks:
        return None
    places, panels = [], []
    for corner, stack in stacks.items():
        x0, y0, x1, y1 = _corner_box(corner, stack, map_w, map_h, column).bounds
        panels.append((x0, y0, x1 - x0, y1 - y0))
        y = y0 + INSET_PAD
        for k, h in stack:
            places.append((k, x0 + INSET_PAD, y, column))
            y += h + KEYS_GAP
    height, empty = map_h, 0.0
    if left_over:  # in columns under the map
        below = min(_plans_of(fig, [blocks[k] for k in left_over], bounds, map_w, False, map_w + 2 * MARGIN),
                    key=lambda p: p.empty)  # fmt: skip
        places += [(left_over[k], x, top, w) for k, x, top, w in below.places]
        height, empty = below.height, below.empty
    return _Plan(map_w, map_h, tuple(places), height, empty, map_w + 2 * MARGIN, tuple(panels))


def _corner_box(corner: tuple[bool, bool], stack, map_w: float, map_h: float, column: float):
    """Return the panel (inches from the map's top left, y down) of a stack of (block, height) in a corner."""
    w = column + 2 * INSET_PAD
    h = sum(height for _, height in stack) + KEYS_GAP * (len(stack) - 1) + 2 * INSET_PAD
    x0 = map_w - w if corner[0] else 0.0
    y0 = 0.0 if corner[1] else map_h - h
    return shapely.box(x0, y0, x0 + w, y0 + h)


def planned_rect(fig: PrintFigure, bounds, width: float = PAGE_WIDTH) -> list[float]:
    """Return a first rectangle (figure fractions) for a map of ``bounds``, at most the page's width and 6.6 in high.

    The map's scale while its symbols are sized; :func:`lay_out_map_page` puts it in its place.
    """
    map_w = min(width - 2 * MARGIN, TALLEST_MAP / map_shape(bounds))
    height = fig.get_figheight()
    return [MARGIN / width, 0.0, map_w / fig.get_figwidth(), map_w * map_shape(bounds) / height]
