"""The timeline image: the web timeline's items as a dated strip, what does not fit counted."""

from __future__ import annotations

import math

import geopandas as gpd
from matplotlib.patches import Circle, Rectangle

from c5map.format import format_count
from c5map.i18n import N_, gettext
from c5map.images.frame import FIGSIZE, MARGIN, Image, PrintFigure, _drawn, _fit, _frame, _height_in
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
    """Draw the timeline scene as a chronology: one dated line an item, a rule where the year changes.

    A list, not a time axis: the web page compresses the empty years between items, and a page of print does
    it the same way, so ten years with one item take no room from the year with twenty. Past
    :data:`CHRONOLOGY_ROWS` items it runs in two columns.
    """
    from c5map.boundaries import load_countries

    scene = timeline_scene(tables, story, load_countries("10m") if countries is None else countries)
    deals = tables.deals[tables.deals["value_usd"].notna()]
    listed, left = timeline_items_to_list(scene.items, dict(zip(deals["deal_id"], deals["value_usd"], strict=True)))
    kinds = {"event": N_("events"), "deal": N_("smaller deals"), "resource": N_("resource finds")}
    counted = [gettext("{n} {kind}").format(n=format_count(n), kind=gettext(kinds[k])) for k, n in left.items()]
    counted += [gettext("{n} earlier items").format(n=format_count(scene.earlier))] if scene.earlier else []
    not_listed = gettext("; not listed: {counts} (all are in geo/)")
    subtitle = scene.text.print_subtitle + (not_listed.format(counts=word_list(counted)) if counted else "")
    sources = list(tables.events["source_id"]) + list(tables.deals["source_id"]) + list(tables.resources["source_id"])
    fig = _frame(scene.text.title, subtitle, source_line(tables, sources), figsize=(FIGSIZE[0], 4.4))
    if scene.span is None or not listed:
        fig.text(0.5, 0.5, gettext("No dated event or deal in the data."), ha="center", fontsize=10)
        return _drawn(fig)
    _chronology(fig, listed)
    return _drawn(fig)


#: Items a timeline's thumbnail lists (the latest) and the width of its page, in inches.
THUMBNAIL_ITEMS, THUMBNAIL_PAGE_IN = 10, 5.0


def timeline_thumbnail(tables: Tables, story: Story, countries: gpd.GeoDataFrame | None = None) -> PrintFigure:
    """Draw the timeline's thumbnail: the headline over the latest items, one column, in type that reads small.

    The page is at most :data:`THUMBNAIL_PAGE_IN` wide, so at the thumbnail's width in pixels (see
    :mod:`c5map.images.thumbnail`) its 7.5 pt entries are at least 12 px.
    """
    from c5map.boundaries import load_countries
    from c5map.images.thumbnail import HEADLINE_PX, THUMBNAIL_WIDTH

    scene = timeline_scene(tables, story, load_countries("10m") if countries is None else countries)
    deals = tables.deals[tables.deals["value_usd"].notna()]
    listed, _ = timeline_items_to_list(scene.items, dict(zip(deals["deal_id"], deals["value_usd"], strict=True)))
    fig = _frame(scene.text.title, "", "", figsize=(THUMBNAIL_PAGE_IN, 3.0))
    fig._frame_words = (scene.text.title, "", "")  # the headline only: the full image has the rest
    fig.frame_texts[0].set_fontsize(HEADLINE_PX * 72 / (THUMBNAIL_WIDTH / THUMBNAIL_PAGE_IN))
    fig.resize(THUMBNAIL_PAGE_IN, 3.0)
    if listed:
        _chronology(fig, listed[-THUMBNAIL_ITEMS:], most_columns=1)
    return fig


#: Most items in one column of the chronology; more run in two.
CHRONOLOGY_ROWS = 12
DATE_COLUMN_IN = 1.25  # the dates, right-aligned against the dots
#: Each year's rows on a pale band, alternating, as a printed chronology table groups them.
YEAR_BANDS = ("#f3f2ee", "#e8e7e1")


def _chronology(fig, listed: list[dict], most_columns: int = 2) -> None:
    """Write the items in date order, in one or two columns, and size the page to them."""
    columns = 1 if len(listed) <= CHRONOLOGY_ROWS or most_columns == 1 else 2
    per_column = math.ceil(len(listed) / columns)
    width = fig.get_figwidth()
    column_in = (width - 2 * MARGIN - (columns - 1) * 0.3) / columns
    rows = []  # (column, date text, entry text, dot colour, year, entry height)
    for k, item in enumerate(listed):
        entry = fig.text(0, 0, item["text"], fontsize=7.5, va="top")
        _fit(entry, column_in - DATE_COLUMN_IN - 0.2)
        date = fig.text(0, 0, date_words(item["date"]), fontsize=7.5, va="top", ha="right", fontweight="bold")
        dot = fig.add_artist(Circle((0, 0), 0.035, color=item["colour"], transform=fig.dpi_scale_trans))
        rows.append((k // per_column, date, entry, dot, parse_partial_date(item["date"])[0], _height_in(entry) + 0.07))
        fig.mark(entry, "label")
    heights = [sum(r[5] for r in rows if r[0] == col) for col in range(columns)]
    # each column as wide as its widest line: the page ends where the text does, not at a fixed width
    date_in = max(_width_in(r[1]) for r in rows) + 0.05
    widths = [date_in + 0.17 + max(_width_in(r[2]) for r in rows if r[0] == col) for col in range(columns)]
    width = 2 * MARGIN + sum(widths) + (columns - 1) * 0.3
    fig.resize(width, fig.get_figheight())
    height = fig.header_in + max(heights) + 0.05 + fig.footer_in
    fig.resize(width, height)
    x = MARGIN
    for column in range(columns):
        y, year, band = height - fig.header_in - 0.05, None, 0
        for _, date, entry, dot, this_year, row_h in (r for r in rows if r[0] == column):
            if year is not None and this_year != year:  # a new year: the other band
                band += 1
            year = this_year
            fig.add_artist(Rectangle((x, y - row_h + 0.035), widths[column], row_h, transform=fig.dpi_scale_trans,
                                     facecolor=YEAR_BANDS[band % 2], edgecolor="none", zorder=0.5))  # fmt: skip
            date.set_position(((x + date_in - 0.05) / width, y / height))
            dot.set_center((x + date_in + 0.06, y - 0.055))  # inches: on the first line's middle
            entry.set_position(((x + date_in + 0.17) / width, y / height))
            y -= row_h
        x += widths[column] + 0.3


def _width_in(text) -> float:
    """Width in inches of a text as drawn."""
    fig = text.get_figure(root=True)
    return text.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
