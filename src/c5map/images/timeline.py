"""The timeline image: the web timeline's items as a dated strip, what does not fit counted."""

from __future__ import annotations

import math

import geopandas as gpd

from c5map.images.frame import Image, _drawn, _frame
from c5map.images.labels import MAX_TIMELINE_ITEMS
from c5map.maps.common import (
    date_words,
    source_line,
)
from c5map.scenes.timeline import timeline_scene
from c5map.story import Story, word_list
from c5map.tables import Tables, parse_partial_date


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


def timeline_image(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None) -> Image:
    """Draw the timeline scene as a dated strip (a chart: time, not place, is the axis here)."""
    from c5map.boundaries import load_countries

    scene = timeline_scene(tables, story, load_countries("10m") if countries is None else countries)
    deals = tables.deals[tables.deals["value_usd"].notna()]
    listed, left = timeline_items_to_list(scene.items, dict(zip(deals["deal_id"], deals["value_usd"], strict=True)))
    items = [(i["date"], i["text"], i["colour"]) for i in listed]
    span = scene.span
    kinds = {"event": "events", "deal": "smaller deals", "resource": "resource finds"}
    counted = [f"{n:,} {kinds[k]}" for k, n in left.items()]
    counted += [f"{scene.earlier:,} earlier items"] if scene.earlier else []
    subtitle = scene.text.print_subtitle + (f"; not listed: {word_list(counted)} (all are in geo/)" if counted else "")
    fig = _frame(
        scene.text.title,
        subtitle,
        source_line(
            tables,
            list(tables.events["source_id"]) + list(tables.deals["source_id"]) + list(tables.resources["source_id"]),
        ),  # fmt: skip
    )
    height = fig.get_figheight()
    ax = fig.add_axes([0.03, (fig.footer_in + 0.2) / height, 0.94, 1 - (fig.header_in + fig.footer_in + 0.2) / height])
    if span is None:
        ax.set_axis_off()
        ax.text(0.5, 0.5, "No dated event or deal in the data.", ha="center", transform=ax.transAxes, fontsize=10)
        return _drawn(fig)
    first, last = span

    def position(date: str) -> float:
        year, month, day = parse_partial_date(date)
        return year + ((month or 7) - 1) / 12 + ((day or 15) - 1) / 365

    for k, (date, label, colour) in enumerate(items):
        y = len(items) - k
        ax.plot([position(date)], [y], "o", color=colour, markersize=4)
        entry = ax.text(position(date) - 0.08, y, f"{date_words(date)}  {label}", ha="right", va="center", fontsize=5.8)
        fig.mark(entry, "label")
    ax.set_xlim(first - 6, last + 1.2)
    ax.set_ylim(0, len(items) + 1)
    ax.set_yticks([])
    step = max(1, math.ceil((last - first + 1) / 15))  # at most about 15 year ticks
    ax.set_xticks(range(first, last + 1, step))
    ax.tick_params(axis="x", labelsize=6.5)
    for spine in ("left", "right", "top"):
        ax.spines[spine].set_visible(False)
    return _drawn(fig)
