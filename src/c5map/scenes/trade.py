"""The trade scene: exports by destination and trade with a region, decided once for the page and the image.

:func:`trade_scene` builds one :class:`TradeScene`: which export figures are
drawn (:class:`TradeSelection`), one view per exporter (its classes, flows and
the members it has no figure for), one class scale, the region-level figures
on one circle scale with its size key, the legend sections, what is left out
and the words. ``c5map.maps.trade`` draws the views one at a time on a Leaflet
page; ``c5map.images.trade.trade_image`` draws them all on one map
(:attr:`TradeScene.combined`), each destination in the colour of its largest
exporter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from c5map import layers
from c5map.classify import class_breaks
from c5map.format import format_count, format_usd
from c5map.i18n import N_, gettext, ngettext
from c5map.maps.common import display_names, partner_palette_of
from c5map.maps.style import INK, class_colours, class_labels, class_of, size_key_values
from c5map.scenes import LegendEntry, LegendSection, SceneText, bound_rule, class_entries, no_figure_entry
from c5map.story import Story, kind_words, span_text, word_list, year_span
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
        note when their exporter has no layer. Made when first asked for: the notes count these by
        ``undrawn_keys`` (a million rows of a bilateral table are never copied whole for them).
    other : pandas.DataFrame
        Figures between two countries that are not exports (total trade), or with another region:
        not drawn, counted in a note and listed in the data table.
    totals : pandas.DataFrame
        Every figure with the region at one end: region-level, never drawn on a member.
    """

    exports: pd.DataFrame
    exporters: list[tuple[str, int]]
    other: pd.DataFrame
    totals: pd.DataFrame
    trade: pd.DataFrame = field(repr=False)  # the whole table the rows come from
    undrawn: np.ndarray = field(repr=False)  # positions in it of undrawn_exports, in table order

    @cached_property
    def undrawn_exports(self) -> pd.DataFrame:
        """The undrawn export figures, every column (see the class)."""
        return self.trade.take(self.undrawn)

    @cached_property
    def undrawn_keys(self) -> pd.DataFrame:
        """``origin, year, value_usd`` of :attr:`undrawn_exports`, same rows and index: what the notes count."""
        return self.trade[["origin", "year", "value_usd"]].take(self.undrawn)

    @property
    def left_out(self) -> int:
        """How many figures between two countries are not drawn (exports and others)."""
        return len(self.undrawn) + len(self.other)

    def undrawn_exporters(self) -> list[str]:
        """Origins with export figures but no layer, largest first."""
        drawn = {o for o, _ in self.exporters}
        keys = self.undrawn_keys
        rest = keys[~keys["origin"].isin(drawn)]
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
    export_rows = is_exports & between_countries
    if export_rows.any() and trade.index.is_unique:
        # exports_to_draw keeps each exporter's latest year only: those rows are found on two columns, and only
        # they are copied whole (a bilateral table's million export rows are not)
        keys = trade[["origin", "year"]][export_rows]
        latest = (keys["year"] == keys.groupby("origin")["year"].transform("max")).to_numpy(bool, na_value=False)
        exports, exporters = exports_to_draw(trade.take(np.flatnonzero(export_rows)[latest]))
        drawn = np.zeros(len(trade), dtype=bool)
        drawn[trade.index.get_indexer(exports.index)] = True
        undrawn = np.flatnonzero(export_rows & ~drawn)
    else:
        all_exports = trade[export_rows]
        exports, exporters = exports_to_draw(all_exports)
        undrawn = np.flatnonzero(export_rows)[~all_exports.index.isin(exports.index)]
    at_region = ((trade["destination"] == region) | (trade["origin"] == region)).to_numpy(bool)
    return TradeSelection(
        exports=exports,
        exporters=exporters,
        other=trade[~export_rows & ~at_region],
        totals=trade[at_region],
        trade=trade,
        undrawn=undrawn,
    )


def undrawn_note(selection: TradeSelection, origin: str, names: dict[str, str]) -> str:
    """Say what one exporter's layer leaves out; "" when it draws every figure of that exporter."""
    keys = selection.undrawn_keys
    rest = keys[keys["origin"] == origin]
    if rest.empty:
        return ""
    year = dict(selection.exporters).get(origin)
    older = int((rest["year"] != year).sum())
    smaller = len(rest) - older
    parts = [ngettext("{n} figure of earlier years", "{n} figures of earlier years", older)] if older else []
    parts += [ngettext("{n} smaller destination", "{n} smaller destinations", smaller)] if smaller else []
    parts = [p.format(n=format_count(n)) for p, n in zip(parts, [k for k in (older, smaller) if k], strict=True)]
    return gettext("Not drawn: {what} of {exporter}; in the data table").format(
        what=gettext(" and ").join(parts), exporter=names.get(origin, origin))  # fmt: skip


def undrawn_summary(selection: TradeSelection, names: dict[str, str]) -> str:
    """Say in one sentence what no layer draws, for an image with no room for a note per exporter."""
    drawn = {o for o, _ in selection.exporters}
    keys = selection.undrawn_keys
    rest = keys[keys["origin"].isin(drawn)]
    year = rest["origin"].map(dict(selection.exporters))
    older = int((rest["year"] != year).sum())
    smaller = len(rest) - older
    parts = [ngettext("{n} export figure of earlier years", "{n} export figures of earlier years", older)] if (
        older) else []  # fmt: skip
    parts += [ngettext("{n} smaller destination", "{n} smaller destinations", smaller)] if smaller else []
    parts = [p.format(n=format_count(n)) for p, n in zip(parts, [k for k in (older, smaller) if k], strict=True)]
    sentences = [gettext("Not drawn: {what} of the exporters shown").format(what=gettext(" and ").join(parts))] if (
        parts) else []  # fmt: skip
    in_table = gettext("{note}; in the data table").split("{note}")[-1]
    return ". ".join(sentences + [n.replace(in_table, "") for n in undrawn_notes(selection, names)])


def undrawn_notes(selection: TradeSelection, names: dict[str, str]) -> list[str]:
    """Return notes for the figures no layer carries: exporters beyond the bound, figures that are not exports."""
    notes = []
    origins = selection.undrawn_exporters()
    if origins:
        keys = selection.undrawn_keys
        counted = keys[keys["origin"].isin(origins)]
        words = ngettext(
            "Exports from {exporters} not drawn ({n} figure, smaller than those drawn)",
            "Exports from {exporters} not drawn ({n} figures, smaller than those drawn)",
            len(counted),
        )
        words = words.format(exporters=word_list([names.get(o, o) for o in origins], most=6),
                             n=format_count(len(counted)))  # fmt: skip
        notes.append(gettext("{note}; in the data table").format(note=words))
    if len(selection.other):
        kinds = word_list(sorted({kind_words(str(m)) for m in selection.other["measure"]}))
        words = gettext("{n} other figures between two countries ({kinds}) not drawn").format(
            n=format_count(len(selection.other)), kinds=kinds)  # fmt: skip
        notes.append(gettext("{note}; in the data table").format(note=words))
    return notes


def undrawn_rows(selection: TradeSelection) -> tuple[pd.DataFrame, int]:
    """Return the figures not drawn that the data table lists (largest first, at most :data:`MAX_UNDRAWN_ROWS`).

    Only rows as large as the :data:`MAX_UNDRAWN_ROWS`-th largest can be listed: those are copied and sorted,
    not a bilateral table's million (the same rows, in the same order, as sorting them all).
    """
    beyond = max(0, selection.left_out - MAX_UNDRAWN_ROWS)
    undrawn, other = selection.undrawn, selection.other
    values = np.concatenate([
        selection.undrawn_keys["value_usd"].to_numpy(dtype=float, na_value=np.nan),
        other["value_usd"].to_numpy(dtype=float, na_value=np.nan),
    ])  # fmt: skip
    known = values[~np.isnan(values)]
    if beyond and len(known) >= MAX_UNDRAWN_ROWS:  # NaN sorts last: none of it is listed
        cut = np.partition(known, len(known) - MAX_UNDRAWN_ROWS)[len(known) - MAX_UNDRAWN_ROWS]
        listed = values >= cut
        undrawn, other = undrawn[listed[: len(undrawn)]], other[listed[len(undrawn) :]]
    rest = pd.concat([selection.trade.take(undrawn), other])
    rest = rest.sort_values(["value_usd", "flow_id"], ascending=[False, True], kind="stable")
    return rest.head(MAX_UNDRAWN_ROWS), beyond


def region_measure(row, region: str, region_name: str, partner_name: str) -> str:
    """Say what a region-level trade figure measures, from the region's side."""
    if row["measure"] == "total_trade":
        return gettext("total trade")
    origin, destination = (region_name, partner_name) if row["origin"] == region else (partner_name, region_name)
    return gettext("exports from {origin} to {destination}").format(origin=origin, destination=destination)


@dataclass(frozen=True)
class ExporterView:
    """One exporter's layer of the page: its latest year's figures, drawn by destination.

    Attributes
    ----------
    origin : str
        The exporter's code.
    year : int
        The year drawn (its latest).
    name : str
        The layer's name: "Exports from Russia, 2023".
    colour : str
        The exporter's colour.
    rows : pandas.DataFrame
        Its drawn figures, one per destination, with ``value_class`` (true to each qualifier).
    silent : tuple of str
        Members it has no figure for: hatched "no reported figure", never blank land that reads as "no trade".
    flows : tuple of str
        Destinations a flow line is drawn to (both capitals known).
    """

    origin: str
    year: int
    name: str
    colour: str
    rows: pd.DataFrame
    silent: tuple[str, ...]
    flows: tuple[str, ...]

    def shades(self, breaks) -> list[str]:
        """Return the class colours of this exporter on the page's scale, light to dark."""
        return class_colours(self.colour, len(breaks) + 1)

    def map_figures(self) -> dict[str, str]:
        """Return the figure written under each destination's name on the map (ISO3 -> words), largest first."""
        rows = self.rows.sort_values(["value_usd", "destination"], ascending=[False, True])
        return {
            str(dest): format_usd(value, qualifier)
            for dest, value, qualifier in zip(
                rows["destination"], rows["value_usd"], rows["value_qualifier"], strict=True
            )
        }


@dataclass(frozen=True)
class TradeScene:
    """Everything the trade page and image show (see :func:`trade_scene`).

    Attributes
    ----------
    text : SceneText
        Title, the page's subtitle and the image's.
    selection : TradeSelection
        Which figures are drawn, which are region-level, which are left out.
    exporters : tuple of ExporterView
        One per drawn exporter, the largest first (the first opens the page).
    breaks : tuple of float
        Class breaks of every exporter (one scale).
    largest : float
        The largest trade figure: flow widths are scaled to it.
    sections : tuple of LegendSection
        One per exporter (same order), then the region's, then "Not drawn".
    combined : tuple of LegendSection
        The legend of every exporter drawn at once (the image): the classes, hatch and flows it shows.
    totals : pandas.DataFrame
        The region-level figures drawn (with ``partner``), largest first; ``totals_left_out`` more are not.
    totals_left_out : int
    size_key : tuple of float
        The values of the region circles' size key (:func:`c5map.maps.style.size_key_values`).
    """

    text: SceneText
    selection: TradeSelection
    exporters: tuple[ExporterView, ...]
    breaks: tuple[float, ...]
    largest: float
    sections: tuple[LegendSection, ...]
    combined: tuple[LegendSection, ...]
    totals: pd.DataFrame
    totals_left_out: int
    size_key: tuple[float, ...]

    @property
    def region_largest(self) -> float:
        """The largest region-level figure drawn: the largest circle."""
        return float(self.totals["value_usd"].max()) if len(self.totals) else 0.0

    def largest_exporter(self) -> dict[str, tuple[ExporterView, pd.Series]]:
        """Each destination's largest drawn figure and its exporter: the image colours it so."""
        return largest_by_destination(self.exporters)


def largest_by_destination(exporters, codes=None) -> dict[str, tuple[ExporterView, pd.Series]]:
    """Map each destination (of ``codes``, if given) to its largest drawn figure and that figure's exporter."""
    best: dict[str, tuple[ExporterView, pd.Series]] = {}
    for view in exporters:
        for _, row in view.rows.iterrows():
            dest = str(row["destination"])
            if (codes is None or dest in codes) and (dest not in best or row["value_usd"] > best[dest][1]["value_usd"]):
                best[dest] = (view, row)
    return best


def _capital_words(tables: Tables, code: str, name: str) -> str:
    return layers.capital_names(tables).get(code, gettext("{partner}'s capital").format(partner=name))


def exporter_section(view: ExporterView, breaks, selection: TradeSelection, tables: Tables) -> LegendSection:
    """Return the legend section of one exporter's layer: its class scale, what it draws, what it leaves out."""
    names = display_names(tables)
    classes = set(int(k) for k in view.rows["value_class"]) if len(view.rows) else set()
    entries = class_entries(class_labels(breaks, format_usd), view.shades(breaks), classes)  # the whole scale
    if view.rows["value_qualifier"].isin(BOUND_QUALIFIERS).any():
        entries.append(LegendEntry(bound_rule(), shape="none"))
    if view.silent:
        entries.append(no_figure_entry())
    if view.flows:
        capital = _capital_words(tables, view.origin, names.get(view.origin, view.origin))
        words = gettext("flows from {capital}, width by value").format(capital=capital)
        entries.append(LegendEntry(words, edge=view.colour, shape="line", size=5))
    if note := undrawn_note(selection, view.origin, names):  # on the layer the figures belong to
        entries.append(LegendEntry(note, shape="none"))
    return LegendSection(view.name, tuple(entries), layer=view.name)


def region_trade_section(scene_totals: pd.DataFrame, left_out: int, key: tuple[float, ...], story: Story,
                         tables: Tables) -> LegendSection:  # fmt: skip
    """Return the legend section of trade with the region as a whole: a circle per figure, one scale, its key."""
    from c5map.maps.style import symbol_radius

    names = display_names(tables)
    palette = partner_palette_of(tables)
    biggest = float(scene_totals["value_usd"].max())
    entries = [
        LegendEntry(gettext("the region's outline"), fill="none", edge=INK, shape="dashed-box",
                    hint=gettext("select it for these figures"))
    ]  # fmt: skip
    for _, row in scene_totals.iterrows():
        partner = row["partner"]
        what = region_measure(row, story.region, story.region_words, names.get(partner, partner))
        value = format_usd(row["value_usd"], row["value_qualifier"])
        entries.append(LegendEntry(
            gettext("{partner}, {what}, {year}: {value}").format(partner=names.get(partner, partner), what=what,
                                                                 year=row["year"], value=value),
            fill=palette.get(partner, INK), edge="#ffffff", shape="circle",
            size=max(2 * symbol_radius(row["value_usd"], biggest, biggest_px=REGION_SYMBOL_PX), 2.0),
        ))  # fmt: skip
    entries += [
        LegendEntry(gettext("size key: {figure}").format(figure=format_usd(v)), fill="#bbbbbb", edge="#ffffff",
                    shape="circle",
                    size=max(2 * symbol_radius(v, biggest, biggest_px=REGION_SYMBOL_PX), 2.0))
        for v in key
    ]  # fmt: skip
    if left_out:
        words = ngettext("{n} older or smaller figures not drawn", "{n} older or smaller figures not drawn", left_out)
        words = gettext("{note}; in the data table").format(note=words.format(n=format_count(left_out)))
        entries.append(LegendEntry(words, shape="none"))
    name = gettext("Trade with {region} as a whole").format(region=story.region_words)
    heading = gettext("{layer} (circle area = value, one scale)").format(layer=name)
    return LegendSection(heading, tuple(entries), layer=name)


def _combined_section(exporters: list[ExporterView], breaks, members, drawn_codes, tables) -> LegendSection:
    """Return the legend of every exporter at once: each destination in its largest exporter's class colour."""
    best = largest_by_destination(exporters, drawn_codes)
    labels = class_labels(breaks, format_usd)
    entries = []
    for k, label in enumerate(labels):
        entries += [LegendEntry(label, fill=view.shades(breaks)[k]) for view in exporters
                    if any(v is view and int(r["value_class"]) == k for v, r in best.values())]  # fmt: skip
    if any(r["value_qualifier"] in BOUND_QUALIFIERS for _, r in best.values()):
        entries.append(LegendEntry(bound_rule(), shape="none"))
    reached = set(best) | {v.origin for v in exporters}
    if any(m in drawn_codes and m not in reached for m in members):
        entries.append(no_figure_entry())
    names = display_names(tables)
    for view in exporters:
        if view.flows:
            capital = _capital_words(tables, view.origin, names.get(view.origin, view.origin))
            words = gettext("flows from {capital}, width by value").format(capital=capital)
            entries.append(LegendEntry(words, edge=view.colour, shape="line", size=5))
    return LegendSection(gettext("Exports by destination, in each exporter's colour"), tuple(entries))


def trade_words(selection: TradeSelection, story: Story, names: dict[str, str]) -> tuple[str, str]:
    """Return the trade page's derived (title, subtitle)."""
    exports, totals = selection.exports, selection.totals
    region = story.region
    partner_codes = [d if o == region else o for o, d in zip(totals["origin"], totals["destination"], strict=True)]
    sentences = []
    if selection.exporters:
        exporter_names = word_list([names.get(o, o) for o, _ in selection.exporters])
        sentences.append(gettext("Exports from {exporters} by destination ({years}).").format(
            exporters=exporter_names, years=span_text(year_span(exports["year"]))))  # fmt: skip
    if len(totals):
        sentences.append(gettext("Trade of {partners} with {region} as a whole, on one scale ({years}).").format(
            partners=word_list([names.get(p, p) for p in dict.fromkeys(partner_codes)]), region=story.region_words,
            years=span_text(year_span(totals["year"]))))  # fmt: skip
    return trade_headline(selection, story, names), " ".join(sentences) or gettext("No trade figure in the data.")


def trade_headline(selection: TradeSelection, story: Story, names: dict[str, str]) -> str:
    """Return a title that states a finding: the largest figure of trade with the region, as the data gives it.

    A "less than" figure never leads. With no region-level figure, the largest export figure drawn; with
    neither, a plain title.
    """
    region = story.region
    totals = selection.totals[selection.totals["value_qualifier"] != "under"]
    if len(totals):
        top = totals.sort_values(["value_usd", "flow_id"], ascending=[False, True]).iloc[0]
        partner = top["destination"] if top["origin"] == region else top["origin"]
        value = format_usd(top["value_usd"], top["value_qualifier"])
        measure = region_measure(top, region, story.region_words, names.get(partner, partner))
        if top["measure"] == "total_trade":  # the figure itself; bounds make "ahead of" a guess
            return gettext("{partner}'s total trade with {region}: {value} in {year}").format(
                partner=names.get(partner, partner), region=story.region_words, value=value, year=top["year"]
            )
        words = gettext("{measure}: {value} in {year}").format(measure=measure, value=value, year=top["year"])
        return words[:1].upper() + words[1:]
    exports = selection.exports[selection.exports["value_qualifier"] != "under"]
    if len(exports):
        top = exports.sort_values(["value_usd", "flow_id"], ascending=[False, True]).iloc[0]
        value = format_usd(top["value_usd"], top["value_qualifier"])
        words = gettext(
            "{value} of exports from {origin} to {destination} in {year}: the largest export figure around {region}"
        ).format(
            value=value,
            origin=names.get(top["origin"], top["origin"]),
            destination=names.get(top["destination"], top["destination"]),
            year=top["year"],
            region=story.region_words,
        )
        return words[:1].upper() + words[1:]  # fmt: skip
    return gettext("Trade with and around {region}").format(region=story.region_words)


PRINT_SUBTITLE = N_("Export flows by destination; trade with the region as a whole, circle area by value")


def trade_scene(tables: Tables, story: Story, drawn_codes, selection: TradeSelection | None = None) -> TradeScene:
    """Decide the trade page and image once.

    Parameters
    ----------
    drawn_codes : collection of str
        Codes of the countries the renderer has shapes for (a destination without one gets its flow only).
    selection : TradeSelection, optional
        :func:`trade_selection` of the story's region, if the renderer already made it (to choose its shapes).
    """
    names = display_names(tables)
    palette = partner_palette_of(tables)
    caps = layers.capitals(tables)
    selection = trade_selection(tables, story.region) if selection is None else selection
    exports = selection.exports
    breaks = class_breaks(exports["value_usd"], "trade")  # the 1-2-5 ladder, or the build's scheme
    drawn_codes = set(drawn_codes)
    views = []
    for origin, year in selection.exporters:
        rows = exports[(exports["origin"] == origin) & (exports["year"] == year)]
        rows = rows.assign(value_class=[class_of(v, breaks, q) for v, q in
                                        zip(rows["value_usd"], rows["value_qualifier"], strict=True)])  # fmt: skip
        coloured = set(rows.loc[rows["destination"].isin(drawn_codes), "destination"])
        silent = tuple(c for c in story.members if c != origin and c not in coloured and c in drawn_codes)
        flows = tuple(d for d in rows["destination"] if origin in caps and d in caps)
        name = gettext("Exports from {exporter}, {year}").format(exporter=names.get(origin, origin), year=year)
        views.append(ExporterView(origin, year, name, palette.get(origin, INK), rows, silent, flows))
    sections = [exporter_section(v, breaks, selection, tables) for v in views]
    totals, totals_left_out = region_totals_to_draw(selection.totals, story.region)
    key: tuple[float, ...] = ()
    if len(totals):
        key = tuple(size_key_values(float(totals["value_usd"].max())))
        sections.append(region_trade_section(totals, totals_left_out, key, story, tables))
    if notes := undrawn_notes(selection, names):  # figures no layer carries: where every layer's reader sees them
        sections.append(LegendSection(gettext("Not drawn"), tuple(LegendEntry(n, shape="none") for n in notes)))
    title, subtitle = story.words("trade", *trade_words(selection, story, names))
    _, print_subtitle = story.print_words("trade", title, gettext(PRINT_SUBTITLE))
    trade = tables.trade
    return TradeScene(
        text=SceneText(title, subtitle, print_subtitle),
        selection=selection,
        exporters=tuple(views),
        breaks=tuple(breaks),
        largest=float(trade["value_usd"].max()) if len(trade) else 0.0,
        sections=tuple(sections),
        combined=(_combined_section(views, breaks, story.members, drawn_codes, tables),),
        totals=totals,
        totals_left_out=totals_left_out,
        size_key=key,
    )
