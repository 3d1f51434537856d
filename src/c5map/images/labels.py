"""Label placement of the print images: every label with a halo, never over another or a panel."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely

from c5map.format import format_count
from c5map.i18n import gettext
from c5map.images.frame import HALO, HALO_PT, LABEL_GAP_PT, LEADER, _renderer, _wrapped
from c5map.maps.style import (
    INK,
)

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
    #: Where to try next when there is no room here (a region's figure: beside its area, not on it).
    beside: _Label | None = None


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
        self.block(*fig.texts, *fig.legends, *fig.artists)  # artists: the keys' panels and size keys on a map
        labels = {id(m.artist) for m in fig.marks if m.kind == "label"}
        for ax in fig.axes:
            self.block(ax.title, *(t for t in ax.texts if id(t) not in labels))
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

    # One search over a label's candidate spots in priority order (inside, beside, around), each tested against
    # the same taken boxes, leaders and areas: split, that state would travel through every helper. Kept long.
    def _place(self, label: _Label) -> bool:
        ax = label.ax
        style = {"fontsize": 6, "color": INK} | label.style
        anchor = label.point if label.point is not None else (0.0, 0.0)
        artist = ax.text(*anchor, label.text, ha="center", va="center", multialignment="center",
                         path_effects=HALO, zorder=9, **style)  # fmt: skip
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
        self.fig.mark(artist, "label")
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
    return [*items[: most - 1], gettext("and {n} more").format(n=format_count(len(items) - most + 1))]


def _unlabelled(dropped: list[_Label]) -> str:
    """'Not labelled (no room): ...' with every label in full, or only their first lines when there are many."""
    words = [_one_line(d) for d in dropped]
    if len(words) > MAX_LISTED or sum(map(len, words)) > 60 * MAX_LISTED:
        words = _listed([d.text.split("\n")[0] for d in dropped])
    return gettext("Not labelled (no room): {labels}").format(labels="; ".join(words))
