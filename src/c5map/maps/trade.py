"""Trade totals: export flows and a choropleth of destinations; partners' trade with a region on one scale."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
import pandas as pd

from c5map import layers
from c5map.boundaries import CONTEXT_ZOOM, MAX_ZOOM, web_countries
from c5map.format import format_usd
from c5map.maps.arcs import add_arc
from c5map.maps.common import display_names, page_view, partner_palette_of, source_label, source_line, text
from c5map.maps.figures import add_data_table, page_figures
from c5map.maps.labels import add_labels
from c5map.maps.legend import NO_FIGURE_ENTRY, LegendEntry, LegendSection, add_legend
from c5map.maps.page import DEFAULT_TILES, NO_FIGURE_STYLE, PageText, new_map
from c5map.maps.safety import layer_key, stable_ids, tooltip_html
from c5map.maps.shapes import ShapeLayer, SharedShapes
from c5map.maps.style import (
    BOUND_RULE,
    FILL_OPACITY,
    INK,
    class_colours,
    class_labels,
    class_of,
    line_weight,
    nice_breaks,
    symbol_radius,
)
from c5map.story import Story, humanise, span_text, story_for, word_list, year_span
from c5map.tables import Tables

#: Most exporters drawn (one layer each) and most destinations per exporter: a page stays readable and light.
MAX_EXPORTERS = 8
#: Qualifiers that make a figure a bound (:func:`c5map.maps.style.class_of` classes them by their side).
BOUND_QUALIFIERS = ("under", "nearly", "over")
MAX_DESTINATIONS = 25
#: Radius (px) of the largest circle comparing partners' trade with a region, in the legend panel.
REGION_SYMBOL_PX = 22.0
#: Most region-level figures drawn (circles in the legend and the image, rows of the outline's tooltip).
MAX_REGION_FIGURES = 12
#: Most rows the page's "get the data" CSV holds of the figures it does not draw; beyond, they are counted
#: and named in geo/flow_figures.csv (a bilateral table of a million rows is not a page's download).
MAX_UNDRAWN_ROWS = 5_000


@dataclass(frozen=True)
class TradeSelection:
    """The trade table split the way the page and the image draw it, decided once for both.

    Attributes
    ----------
    exports : pandas.DataFrame
        Export figures between two countries that are drawn: each drawn exporter's latest year, its
        :data:`MAX_DESTINATIONS` largest destinations.
    exporters : list of (str, int)
        (origin, year) of every drawn exporter, largest exports first: the first opens the page.
    undrawn_exports : pandas.DataFrame
        Export figures between two countries that are not drawn (earlier years, smaller destinations,
        exporters beyond :data:`MAX_EXPORTERS`): named in a note on their exporter's layer, or in one
        note when their exporter has no layer.
    other : pandas.DataFrame
        Figures between two countries that are not exports (total trade), or with another region:
        not drawn, counted in a note and listed in the data table.
    totals : pandas.DataFrame
        Every figure with the region at one end: region-level, never drawn on a member.
    """

    exports: pd.DataFrame
    exporters: list[tuple[str, int]]
    undrawn_exports: pd.DataFrame
    other: pd.DataFrame
    totals: pd.DataFrame

    @property
    def left_out(self) -> int:
        """How many figures between two countries are not drawn (exports and others)."""
        return len(self.undrawn_exports) + len(self.other)

    def undrawn_exporters(self) -> list[str]:
        """Origins with export figures but no layer, largest first."""
        drawn = {o for o, _ in self.exporters}
        rest = self.undrawn_exports[~self.undrawn_exports["origin"].isin(drawn)]
        order = rest.groupby("origin")["value_usd"].sum().sort_values(ascending=False, kind="stable")
        return [str(o) for o in order.index]


def exports_to_draw(exports: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[str, int]]]:
    """Keep each exporter's latest year, the largest exporters and their largest destinations.

    Returns the drawn rows and the drawn (origin, year) pairs, the largest exports first (then by code).
    """
    if exports.empty:
        return exports, []
    latest = exports.groupby("origin")["year"].transform("max")
    recent = exports[exports["year"] == latest]
    sums = recent.groupby("origin")["value_usd"].sum()
    order = sorted(sums.index, key=lambda o: (-float(sums[o]), str(o)))[:MAX_EXPORTERS]
    recent = recent[recent["origin"].isin(order)]
    kept = recent.sort_values(["origin", "value_usd"], ascending=[True, False]).groupby("origin").head(MAX_DESTINATIONS)
    years = dict(zip(kept["origin"], kept["year"], strict=True))
    return kept, [(str(o), int(years[o])) for o in order]


def region_totals_to_draw(totals, region: str):
    """Order the region-level figures largest first, at most :data:`MAX_REGION_FIGURES` of them.

    Beyond that bound, each partner's latest year (per measure and direction)
    is kept, the largest first. Returns the figures (with a ``partner``
    column) and how many were left out.
    """
    ordered = totals.assign(
        partner=[d if o == region else o for o, d in zip(totals["origin"], totals["destination"], strict=True)]
    ).sort_values(["value_usd", "partner", "flow_id"], ascending=[False, True, True])
    if len(ordered) <= MAX_REGION_FIGURES:
        return ordered, 0
    sides = ordered["origin"] == region  # exports from the region and to it are apart, as total trade is
    latest = ordered.groupby([ordered["partner"], ordered["measure"], sides])["year"].transform("max")
    kept = ordered[ordered["year"] == latest].head(MAX_REGION_FIGURES)
    return kept, len(ordered) - len(kept)


def trade_selection(tables: Tables, region: str) -> TradeSelection:
    """Split the trade table the way the page and the image draw it (see :class:`TradeSelection`)."""
    trade = tables.trade
    regions = list(tables.region_members())
    between_countries = (~trade["origin"].isin(regions) & ~trade["destination"].isin(regions)).to_numpy(bool)
    is_exports = (trade["measure"] == "exports").to_numpy(bool)
    all_exports = trade[is_exports & between_countries]
    exports, exporters = exports_to_draw(all_exports)
    at_region = ((trade["destination"] == region) | (trade["origin"] == region)).to_numpy(bool)
    return TradeSelection(
        exports=exports,
        exporters=exporters,
        undrawn_exports=all_exports[~all_exports.index.isin(exports.index)],
        other=trade[~(is_exports & between_countries) & ~at_region],
        totals=trade[at_region],
    )


def undrawn_note(selection: TradeSelection, origin: str, names: dict[str, str]) -> str:
    """Say what one exporter's layer leaves out; "" when it draws every figure of that exporter."""
    rest = selection.undrawn_exports[selection.undrawn_exports["origin"] == origin]
    if rest.empty:
        return ""
    year = dict(selection.exporters).get(origin)
    older = int((rest["year"] != year).sum())
    smaller = len(rest) - older
    parts = [f"{older:,} figure{'s' * (older != 1)} of earlier years"] if older else []
    parts += [f"{smaller:,} smaller destination{'s' * (smaller != 1)}"] if smaller else []
    return f"Not drawn: {' and '.join(parts)} of {names.get(origin, origin)}; in the data table"


def undrawn_summary(selection: TradeSelection, names: dict[str, str]) -> str:
    """Say in one sentence what no layer draws, for an image with no room for a note per exporter."""
    drawn = {o for o, _ in selection.exporters}
    rest = selection.undrawn_exports[selection.undrawn_exports["origin"].isin(drawn)]
    year = rest["origin"].map(dict(selection.exporters))
    older = int((rest["year"] != year).sum())
    smaller = len(rest) - older
    parts = [f"{older:,} export figure{'s' * (older != 1)} of earlier years"] if older else []
    parts += [f"{smaller:,} smaller destination{'s' * (smaller != 1)}"] if smaller else []
    sentences = [f"Not drawn: {' and '.join(parts)} of the exporters shown"] if parts else []
    return ". ".join(sentences + [n.replace("; in the data table", "") for n in undrawn_notes(selection, names)])


def undrawn_notes(selection: TradeSelection, names: dict[str, str]) -> list[str]:
    """Return notes for the figures no layer carries: exporters beyond the bound, figures that are not exports."""
    notes = []
    origins = selection.undrawn_exporters()
    if origins:
        counted = selection.undrawn_exports[selection.undrawn_exports["origin"].isin(origins)]
        notes.append(
            f"Exports from {word_list([names.get(o, o) for o in origins], most=6)} not drawn "
            f"({len(counted):,} figure{'s' * (len(counted) != 1)}, smaller than those drawn); in the data table"
        )
    if len(selection.other):
        kinds = word_list(sorted({humanise(str(m)) for m in selection.other["measure"]}))
        notes.append(f"{len(selection.other):,} other figures between two countries ({kinds}) not drawn; "
                     "in the data table")  # fmt: skip
    return notes


def undrawn_rows(selection: TradeSelection) -> tuple[pd.DataFrame, int]:
    """Return the figures not drawn that the data table lists (largest first, at most :data:`MAX_UNDRAWN_ROWS`)."""
    rest = pd.concat([selection.undrawn_exports, selection.other])
    rest = rest.sort_values(["value_usd", "flow_id"], ascending=[False, True], kind="stable")
    return rest.head(MAX_UNDRAWN_ROWS), max(0, len(rest) - MAX_UNDRAWN_ROWS)


def _region_measure(row, region: str, region_name: str, partner_name: str) -> str:
    """Say what a region-level trade figure measures, from the region's side."""
    if row["measure"] == "total_trade":
        return "total trade"
    if row["origin"] == region:
        return f"exports from {region_name} to {partner_name}"
    return f"exports from {partner_name} to {region_name}"


def trade_map(
    tables: Tables,
    *,
    tiles: str | None = DEFAULT_TILES,
    region: str | None = None,
    countries: gpd.GeoDataFrame | None = None,
    story: Story | None = None,
) -> folium.Map:
    """Build the trade map.

    One layer per exporter, for its latest year: great-circle flows from the exporter's
    capital, width by value, and the destinations coloured by value. One
    layer compares the partners' total trade with ``region`` as
    proportional circles on a single scale (area by value), side by side
    over the region.

    A large bilateral table stays readable and light: at most
    :data:`MAX_EXPORTERS` exporters (the largest by total) and their
    :data:`MAX_DESTINATIONS` largest destinations are drawn; the legend says
    when rows were left out.

    The page opens on the region; ``region`` defaults to the only region of
    ``regions.csv``, ``story`` to :func:`c5map.story.story_for`.

    Returns
    -------
    folium.Map
        An ordinary folium map.
    """
    story = story or story_for(tables, region)
    region, members = story.region, list(story.members)
    palette = partner_palette_of(tables)
    trade = tables.trade
    selection = trade_selection(tables, region)
    exports, totals, exporters = selection.exports, selection.totals, selection.exporters
    destinations = sorted(set(exports["destination"]) | set(members))
    countries = web_countries(
        [c for c in destinations if c not in tables.region_members()],
        max_zoom=CONTEXT_ZOOM,
        source=countries,
        detail=members,
        detail_zoom=MAX_ZOOM,
    )
    names = display_names(tables)
    caps = layers.capitals(tables)
    largest = float(trade["value_usd"].max()) if len(trade) else 0.0
    breaks = nice_breaks(list(exports["value_usd"]), classes=4)
    exporter_names = word_list([names.get(o, o) for o in dict.fromkeys(o for o, _ in exporters)])
    partner_codes = [d if o == region else o for o, d in zip(totals["origin"], totals["destination"], strict=True)]
    sentences = []
    if exporters:
        sentences.append(f"Exports from {exporter_names} by destination ({span_text(year_span(exports['year']))}).")
    if len(totals):
        sentences.append(
            f"Trade of {word_list([names.get(p, p) for p in dict.fromkeys(partner_codes)])} with "
            f"{story.region_name} as a whole, on one scale ({span_text(year_span(totals['year']))})."
        )
    title, subtitle = story.words(
        "trade",
        f"Trade with and around {story.region_name}",
        " ".join(sentences) or "No trade figure in the data.",
    )
    page = PageText(title=title, subtitle=subtitle, source=source_line(tables, trade["source_id"]), byline=story.byline)
    view, seam = page_view(countries, members, pad=2.0)
    with stable_ids(f"trade:{region}"):
        m = new_map(page, view, tiles, max_zoom=MAX_ZOOM, seam=seam)
        shapes = SharedShapes(countries[countries["iso3"].isin(destinations)], seam=seam)
        m.add_child(shapes)
        sections, hidden, exclusive = [], [], []
        pairs = set(zip(exports["origin"], exports["destination"], strict=True))
        drawn_ids = set(countries["iso3"])
        for index, (origin, year) in enumerate(exporters):
            colour = palette.get(origin, INK)
            shades = class_colours(colour, len(breaks) + 1)
            name = f"Exports from {names.get(origin, origin)}, {year}"
            group = folium.FeatureGroup(name=layer_key(name), show=index == 0, overlay=False)  # one at a time
            exclusive.append(name)
            if index:
                hidden.append(name)
            rows = exports[(exports["origin"] == origin) & (exports["year"] == year)]
            styles, tips = {}, {}
            drawn_classes, drawn_arcs, bound_drawn = set(), 0, False  # the legend lists only what this layer draws
            for _, row in rows.iterrows():
                dest = row["destination"]
                value_text = format_usd(row["value_usd"], row["value_qualifier"])
                tip = tooltip_html(
                    names.get(dest, dest),
                    [
                        (f"Exports from {names.get(origin, origin)}, {year}", value_text),
                        *([("Note", text(row["note"]))] if text(row["note"]) else []),
                        ("Source", source_label(tables, row["source_id"], row["attributed_to"])),
                    ],
                )
                if dest in drawn_ids:
                    value_class = class_of(row["value_usd"], breaks, row["value_qualifier"])
                    drawn_classes.add(value_class)
                    bound_drawn |= row["value_qualifier"] in BOUND_QUALIFIERS
                    styles[dest] = {
                        "fillColor": shades[value_class],
                        "fillOpacity": FILL_OPACITY,
                        "color": INK,
                        "weight": 1,
                    }
                    tips[dest] = tip
                if origin in caps and dest in caps:
                    drawn_arcs += 1
                    add_arc(
                        group,
                        m,
                        layers.great_circle(*caps[origin], *caps[dest]),
                        seam,
                        colour=colour,
                        weight=line_weight(row["value_usd"], largest),
                        both_ways=(dest, origin) in pairs,
                        tooltip=tip,
                    )
            # a member this exporter has no figure for is hatched, as on the influence page: blank land would
            # read as "no trade", and a reader could not tell it from the context countries
            silent = [c for c in members if c != origin and c not in styles and c in drawn_ids]
            for member in silent:
                styles[member] = dict(NO_FIGURE_STYLE)
                tips[member] = tooltip_html(
                    names.get(member, member),
                    [(f"Exports from {names.get(origin, origin)}, {year}", "no reported figure")],
                    note="The data reports no export figure here; that is not zero.",
                )
            group.add_child(ShapeLayer(shapes, styles, tips))
            group.add_to(m)
            entries = [
                LegendEntry(label, fill=shade)
                for k, (label, shade) in enumerate(zip(class_labels(breaks, format_usd), shades, strict=True))
                if k in drawn_classes
            ]
            if bound_drawn:
                entries.append(LegendEntry(BOUND_RULE[0].upper() + BOUND_RULE[1:], shape="none"))
            if silent:
                entries.append(NO_FIGURE_ENTRY)
            if drawn_arcs:
                entries.append(LegendEntry("flow from the capital, width by value", edge=colour, shape="line", size=5))
            if note := undrawn_note(selection, origin, names):  # on the layer the figures belong to
                entries.append(LegendEntry(note, shape="none"))
            sections.append(LegendSection(name, tuple(entries), layer=name))
        if len(totals):
            # Region-level figures are never drawn on the members: the outline carries them in its tooltip, and
            # the legend compares them as circles on one scale, off the map.
            outlines = layers.region_outlines(tables, countries)
            outline_shapes = SharedShapes(outlines[outlines["region"] == region], "region", seam=seam)
            m.add_child(outline_shapes)
            name = f"Trade with {story.region_name} as a whole"
            group = folium.FeatureGroup(name=layer_key(name), show=True)
            ordered, totals_left_out = region_totals_to_draw(totals, region)
            biggest = float(ordered["value_usd"].max())
            rows, entries = [], []
            for _, row in ordered.iterrows():
                partner = row["partner"]
                value_text = format_usd(row["value_usd"], row["value_qualifier"])
                what = _region_measure(row, region, story.region_name, names.get(partner, partner))
                rows.append((f"{names.get(partner, partner)}, {what}, {row['year']}", value_text))
                if text(row["note"]):
                    rows.append(("Note", text(row["note"])))
                rows.append(("Source", source_label(tables, row["source_id"], row["attributed_to"])))
                entries.append(
                    LegendEntry(
                        f"{names.get(partner, partner)}, {what}, {row['year']}: {value_text}",
                        fill=palette.get(partner, INK),
                        edge="#ffffff",
                        shape="circle",
                        size=max(2 * symbol_radius(row["value_usd"], biggest, biggest_px=REGION_SYMBOL_PX), 2.0),
                    )
                )
            tip = tooltip_html(
                f"{story.region_name} as a whole",
                rows,
                note="Region-level figures: never split between the countries.",
            )
            group.add_child(
                ShapeLayer(
                    outline_shapes,
                    {region: {"fill": False, "color": INK, "weight": 2.5, "dashArray": "8 6"}},
                    {region: tip},
                )
            )
            group.add_to(m)
            entries.insert(0, LegendEntry("the region's outline: hover it for these figures", edge=INK,
                                          shape="dashed-box"))  # fmt: skip
            if totals_left_out:
                entries.append(LegendEntry(f"{totals_left_out:,} older or smaller figures not drawn (see geo/ for all)",
                                           fill="#ffffff", edge="#ffffff"))  # fmt: skip
            sections.append(LegendSection(f"{name} (circle area = value, one scale)", tuple(entries), layer=name))
        notes = undrawn_notes(selection, names)
        if notes:  # figures no layer carries: said where every layer's reader sees it
            sections.append(LegendSection("Not drawn", tuple(LegendEntry(n, shape="none") for n in notes)))
        folium.LayerControl(collapsed=False, position="topright").add_to(m)
        add_legend(m, sections, hidden, exclusive)
        add_labels(m, tables, members, {o for o, _ in exporters} | set(exports["destination"]), seam=seam)
        listed, beyond = undrawn_rows(selection)
        left = f" {selection.left_out:,} figures between two countries are not drawn: listed below" if (
            selection.left_out) else ""  # fmt: skip
        left += f" ({beyond:,} of them only in geo/flow_figures.csv)." if beyond else ("." if left else "")
        add_data_table(
            m,
            page_figures(tables, trade=pd.concat([totals, exports, listed])),
            f"Trade figures for {story.region_name} as a whole, and the exports drawn on the map.{left}",
        )
    return m
