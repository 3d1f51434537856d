"""The influence scene: who courts a region, with what, decided once for the page and the image.

:func:`influence_scene` builds one :class:`InfluenceScene` from the tables and
the story: the views (one per outside partner with figures of any kind, the
story's weight first, then the members' own deals within the region), one
class scale, every member's class and style, the arcs, the legend sections,
the region-level figures, the events and what is left out. ``c5map.maps.influence``
draws it as a Leaflet page, ``c5map.images.influence.influence_image`` as small multiples.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from c5map import layers
from c5map.classify import class_breaks
from c5map.format import format_count, format_usd
from c5map.i18n import N_, gettext, ngettext
from c5map.maps.common import date_words, display_names, partner_palette_of, region_view, text
from c5map.maps.style import INK, class_colours, class_labels, class_of, tint
from c5map.scenes import LegendEntry, LegendSection, SceneText, bound_rule, class_entries, no_figure_entry
from c5map.scenes.tiny import PointSymbol, tiny_members
from c5map.story import BASIS_WORDS, Story, humanise, kind_words, word_list
from c5map.tables import Tables

EVENTS_LAYER = N_("Events")
#: A page stays light whatever the tables hold: at most this many partner views (the story's weight first),
#: figures listed in one tooltip or legend section, and event markers (the most recent). What is left out is
#: counted on the page; every figure stays in the data table's CSV and in geo/.
MAX_PARTNER_LAYERS = 12
MAX_LISTED = 12
MAX_EVENTS = 200
#: The colour of the members' deals within their own region (not a partner's: no partner takes it).
WITHIN_COLOUR = "#8C510A"
#: Qualifiers that make a figure a bound, classed on its side (:func:`c5map.maps.style.class_of`).
BOUNDS = ("under", "nearly", "over")
#: Degrees of sea and land around the members in the page's opening view (:func:`c5map.maps.common.page_view`).
OPENING_PAD = 3.0


@dataclass(frozen=True)
class InfluenceView:
    """One view of the influence page and one panel of its image: a partner, or the region's own members.

    Attributes
    ----------
    code : str
        The partner's ISO3 code, or the region code for deals within the region.
    name : str
        What the reader is told: the partner's name, or "Within <region>".
    colour : str
        The view's hue.
    figures : geopandas.GeoDataFrame
        :func:`c5map.layers.partner_country_figures` (or ``within_region_figures``), with ``value_class``:
        the class of each disclosed figure, true to its qualifier (:func:`~c5map.maps.style.class_of`), -1 for none.
    trade : pandas.DataFrame
        The partner's trade figures with the region and its members (never added to deals).
    within : bool
        True for the members' own deals.
    """

    code: str
    name: str
    colour: str
    figures: gpd.GeoDataFrame
    trade: pd.DataFrame
    within: bool = False

    def shades(self, breaks) -> list[str]:
        """Return the class colours of this view on the page's scale, light to dark."""
        return class_colours(self.colour, len(breaks) + 1)

    @property
    def undisclosed_fill(self) -> str:
        """The pale fill of a member whose deals are all of undisclosed value."""
        return tint(self.colour, 0.12)

    @property
    def bases(self) -> list[str]:
        """The value bases of the figures coloured, in :data:`c5map.layers.BASIS_ORDER`."""
        found = set(self.figures.loc[self.figures["has_figure"], "value_basis"])
        return sorted(found, key=lambda b: (b not in layers.BASIS_ORDER, layers.BASIS_ORDER.index(b)
                                            if b in layers.BASIS_ORDER else 0, b))  # fmt: skip

    def map_figures(self) -> dict[str, str]:
        """Return the figure written under each member's name on the map, web and print alike (ISO3 -> words).

        Largest first: where room is short, the largest figures are named first.

        The figure coloured, with its qualifier, and its kind when the view colours several kinds (never
        added); "value undisclosed" where every deal's value is; nothing where there is no deal (the hatch says it).
        """
        mixed = len(self.bases) > 1
        words = {}
        ordered = self.figures.assign(_v=self.figures["value_usd"].where(self.figures["has_figure"], -1.0))
        ordered = ordered.sort_values(["_v", "iso3"], ascending=[False, True])  # largest first: named first
        for iso3, value, basis, has_deal, has_figure in zip(
            ordered["iso3"], ordered["value_text"], ordered["value_basis"],
            ordered["has_deal"], ordered["has_figure"], strict=True,
        ):  # fmt: skip
            if has_figure:
                kind = gettext(BASIS_WORDS[basis]) if basis in BASIS_WORDS else humanise(basis)
                words[str(iso3)] = f"{value} ({kind})" if mixed else str(value)
            elif has_deal:
                words[str(iso3)] = gettext("value undisclosed")
        return words

    @property
    def heading(self) -> str:
        """What the view colours, said once for the legend and the image's panel."""
        bases = [gettext(BASIS_WORDS[b]) if b in BASIS_WORDS else b for b in self.bases]
        who = self.name if self.within else gettext("Deals with {partner}").format(partner=self.name)
        if len(bases) == 1:
            return gettext("{who}: value of {basis}").format(who=who, basis=bases[0])
        if bases:
            return gettext("{who}: the largest figure of one kind in each country (kinds never added)").format(who=who)
        if self.figures["has_deal"].any():
            return gettext("{who}: values undisclosed").format(who=who)
        if len(self.trade):
            return gettext("{partner}: no announced deal; trade figures listed").format(partner=self.name)
        return gettext("{partner}: no announced deal").format(partner=self.name)


def influence_partners(tables: Tables, story: Story) -> list[str]:
    """Partners outside the region with any figure in it (deals, trade), the story's weight first.

    Every one has a view on the influence page; a member is never among them (see :func:`influence_views`).
    """
    return list(story.partners)


def influence_breaks(views: list[InfluenceView] | list[gpd.GeoDataFrame]) -> list[float]:
    """Class breaks of the influence page: one scale for every view's disclosed figures.

    The 1-2-5 ladder, or the scheme the build chose (:func:`c5map.classify.class_breaks`).
    """
    frames = [v.figures if isinstance(v, InfluenceView) else v for v in views]
    values = [float(x) for f in frames for x in f.loc[f["has_figure"], "value_usd"]]
    return class_breaks(values, "influence")


def influence_views(
    tables: Tables, story: Story, countries: gpd.GeoDataFrame, most: int = MAX_PARTNER_LAYERS
) -> tuple[list[InfluenceView], list[str], list[float]]:
    """Decide the influence page's views once, for the web page and the image alike.

    Returns
    -------
    views : list of InfluenceView
        Up to ``most`` outside partners (the story's weight first), then the members' own deals
        within the region when there are any.
    left_out : list of str
        The partners beyond ``most``, by code: named in a note.
    breaks : list of float
        The class breaks of every view (one scale).
    """
    names = display_names(tables)
    palette = partner_palette_of(tables)
    partners = influence_partners(tables, story)
    kept, left_out = partners[:most], partners[most:]
    frames = [
        (p, names.get(p, p), palette.get(p, INK), layers.partner_country_figures(tables, countries, p,
                                                                                  region=story.region), False)
        for p in kept
    ]  # fmt: skip
    within = layers.within_region_figures(tables, countries, region=story.region)
    if within["has_deal"].any():
        frames.append((story.region, gettext("Within {region}").format(region=story.region_words), WITHIN_COLOUR,
                       within, True))  # fmt: skip
    breaks = influence_breaks([f for *_, f, _ in frames])
    near = layers.region_trade(tables, story.region)  # every view's trade in it: the big table scanned once
    views = []
    for code, name, colour, figures, is_within in frames:
        figures = figures.assign(value_class=[
            class_of(v, breaks, q) if has else -1
            for v, q, has in zip(figures["value_usd"], figures["value_qualifier"], figures["has_figure"], strict=True)
        ])  # fmt: skip
        trade = tables.trade.iloc[:0] if is_within else layers.partner_trade(tables, code, story.region, near=near)
        views.append(InfluenceView(code, name, colour, figures, trade, is_within))
    return views, left_out, breaks


def trade_line(row, names: dict[str, str], region: str, region_name: str) -> str:
    """One trade figure as the influence page lists it: "Exports from Russia to Kazakhstan, 2023: $16.1bn"."""
    origin, destination = str(row["origin"]), str(row["destination"])
    ends = {c: (region_name if c == region else names.get(c, c)) for c in (origin, destination)}
    value = format_usd(row["value_usd"], row["value_qualifier"])
    words = N_("Total trade of {origin} with {destination}, {year}: {value}") if row["measure"] == "total_trade" else (
        N_("Exports from {origin} to {destination}, {year}: {value}"))  # fmt: skip
    return gettext(words).format(origin=ends[origin], destination=ends[destination], year=row["year"], value=value)


def view_layer_name(one: InfluenceView) -> str:
    """Name a view in the layer control: "China: deals", "Russia: trade (no deal)", "Within Central Asia"."""
    if one.within:
        return one.name
    words = N_("{partner}: deals") if one.figures["has_deal"].any() else N_("{partner}: trade (no deal)")
    return gettext(words).format(partner=one.name)


def largest_deal(views: list[InfluenceView]) -> tuple[InfluenceView, pd.Series] | None:
    """Return the largest disclosed figure a partner outside the region announced in one member, with its view.

    A "less than" figure is never the largest (its value is only a bound above); ties go to the first view.
    """
    best = None
    for view in views:
        if view.within:
            continue
        figures = view.figures[view.figures["has_figure"] & (view.figures["value_qualifier"] != "under")]
        for _, row in figures.iterrows():
            if best is None or row["value_usd"] > best[1]["value_usd"]:
                best = (view, row)
    return best


def headline(views: list[InfluenceView], story: Story, names: dict[str, str]) -> str:
    """Return a title that states a finding, true on any data: the largest member-level figure and its kind."""
    found = largest_deal(views)
    if found is None:
        if views:
            return gettext("Who is courting {region}").format(region=story.region_words)
        return gettext("{region}: announced deals").format(region=story.region_heading)
    view, row = found
    basis = gettext(BASIS_WORDS[row["value_basis"]]) if row["value_basis"] in BASIS_WORDS else str(row["value_basis"])
    member = names.get(row["iso3"], row["iso3"])
    words = gettext("{value} of {basis} between {partner} and {member}: the largest deal figure for {region}")
    words = words.format(value=str(row["value_text"]), basis=basis, partner=view.name, member=member,
                         region=story.region_words)  # fmt: skip
    return words[:1].upper() + words[1:]


def influence_words(views: list[InfluenceView], story: Story, has_regional: bool, names: dict[str, str]):
    """Return the influence page's derived (title, subtitle): a finding, then what is drawn."""
    outside = [v for v in views if not v.within]
    dealing = [v.name for v in outside if v.figures["has_deal"].any()]
    trading = [v.name for v in outside if not v.figures["has_deal"].any() and len(v.trade)]
    words = []
    if dealing:
        words.append(gettext("Announced deals with {partners}, one partner at a time.").format(
            partners=word_list(dealing)))  # fmt: skip
    if trading:
        words.append(gettext("Trade figures of {partners}.").format(partners=word_list(trading)))
    if any(v.within for v in views):
        words.append(gettext("Members' own deals in the region: a view of their own."))
    if not words:
        words.append(gettext("No deal with a member reported."))
    if has_regional:
        words.append(gettext("Region-level figures are on the dashed outline."))
    return headline(views, story, names), " ".join(words)


def view_arcs(one: InfluenceView, tables: Tables, caps: dict) -> list[tuple[str, str, pd.Series]]:
    """(from, to, member figures row) of every arc a view draws: a partner's capital to each member it deals in."""
    arcs = []
    for _, row in one.figures[one.figures["has_deal"]].iterrows():
        iso3 = row["iso3"]
        starts = [one.code]
        if one.within:  # from each member that deals here, never a member to itself (its own programme)
            ids = set(row["deal_ids"].split("; "))
            deals = tables.deals[tables.deals["deal_id"].isin(ids)]
            starts = sorted(set(deals["partner"]) - {iso3})
        arcs += [(s, iso3, row) for s in starts if s in caps and iso3 in caps and s != iso3]
    return arcs


def _region_of(tables: Tables, row) -> tuple[str, str]:
    """(region code, region name) at one end of a trade row, or ("", "") when both ends are countries."""
    regions = {str(r): str(n) for r, n in zip(tables.regions["region"], tables.regions["region_name"], strict=True)}
    for end in (str(row["origin"]), str(row["destination"])):
        if end in regions:
            return end, regions[end]
    return "", ""


def view_section(one: InfluenceView, breaks, tables: Tables, caps: dict) -> LegendSection:
    """Return the legend section of one view: what it draws, then its trade figures (never added to deals)."""
    names = display_names(tables)
    figures = one.figures
    reported = figures[figures["has_figure"]]
    classes = set(int(k) for k in reported["value_class"])
    entries = class_entries(class_labels(breaks, format_usd), one.shades(breaks), classes)  # the whole scale
    if reported["value_qualifier"].isin(BOUNDS).any():
        entries.append(LegendEntry(bound_rule(), shape="none"))
    if (figures["has_deal"] & ~figures["has_figure"]).any():
        entries.append(LegendEntry(gettext("deals of undisclosed value"), fill=one.undisclosed_fill, edge=one.colour,
                                   shape="dashed-box", hint=gettext("select one for its deals")))  # fmt: skip
    if (~figures["has_deal"]).any():
        entries.append(no_figure_entry())
    arcs = view_arcs(one, tables, caps)
    if any(row["has_figure"] for *_, row in arcs):
        origin = gettext("the member's capital") if one.within else layers.capital_names(tables).get(
            one.code, gettext("{partner}'s capital").format(partner=one.name))  # fmt: skip
        entries.append(LegendEntry(gettext("arc from {origin}, width by value").format(origin=origin),
                                   edge=one.colour, shape="line", size=4))  # fmt: skip
    if any(not row["has_figure"] for *_, row in arcs):
        entries.append(LegendEntry(gettext("dotted arc: value undisclosed"), edge=one.colour, shape="dashed-line",
                                   size=2))  # fmt: skip
    listed = one.trade.head(MAX_LISTED)
    entries += [LegendEntry(gettext("Trade, not a deal: {figure}").format(
        figure=trade_line(t, names, *_region_of(tables, t))), shape="none") for _, t in listed.iterrows()]  # fmt: skip
    if len(one.trade) > MAX_LISTED:
        more = len(one.trade) - MAX_LISTED
        entries.append(LegendEntry(ngettext("and {n} more trade figures: see the data table",  # English: plural
                                            "and {n} more trade figures: see the data table", more).format(
            n=format_count(more)), shape="none"))  # fmt: skip
    return LegendSection(one.heading, tuple(entries), layer=view_layer_name(one))


def region_section(tables: Tables, story: Story, regional: pd.DataFrame) -> LegendSection:
    """Return the legend section of the region's outline: its region-level figures, never split between members."""
    names = display_names(tables)
    region_layer = gettext("{region} as a whole").format(region=story.region_heading)
    listed = regional.sort_values(["partner", "date", "figure_id"])
    more = len(listed) - MAX_LISTED
    listed = listed.head(MAX_LISTED)
    entries = [
        LegendEntry(gettext("the region's outline"), fill="none", edge=INK, shape="dashed-box",
                    hint=gettext("select it for its figures"))
    ]  # fmt: skip
    entries += [
        LegendEntry(
            gettext("{partner}: {value} ({kind}, {date})").format(
                partner=names.get(r["partner"], r["partner"]),
                value=r["value_text"],
                kind=kind_words(r["measure"]),
                date=date_words(text(r["date"])),
            ),
            shape="none",
        )  # fmt: skip
        for _, r in listed.iterrows()
    ]
    if more > 0:
        entries.append(LegendEntry(gettext("and {n} more: see the data table").format(n=format_count(more)),
                                   shape="none"))  # fmt: skip
    # caveats where the reader looks, not only on hover ("may overlap the country deals")
    entries += [LegendEntry(gettext("Note: {note}").format(note=note), shape="none")
                for note in dict.fromkeys(listed["note"]) if note]  # fmt: skip
    return LegendSection(region_layer, tuple(entries), layer=region_layer)


def events_to_draw(tables: Tables) -> tuple[gpd.GeoDataFrame, int]:
    """Located events drawn as markers (the most recent :data:`MAX_EVENTS`), and how many older ones are not."""
    events = layers.event_points(tables)
    older = max(0, len(events) - MAX_EVENTS)
    events = events.sort_values(["date", "event_id"], ascending=False, kind="stable").head(MAX_EVENTS).sort_index()
    return events, older


def events_section(events: gpd.GeoDataFrame, older: int) -> LegendSection | None:
    """Return the legend section of the events layer, or None when no event is drawn."""
    if not len(events):
        return None
    older_words = ngettext("{n} older events not drawn", "{n} older events not drawn", older)  # English: plural
    return LegendSection(
        gettext(EVENTS_LAYER),
        (LegendEntry(gettext("event in a known city"), fill=INK, edge="#ffffff", shape="circle"),)
        + ((LegendEntry(older_words.format(n=format_count(older)), shape="none"),) if older else ()),
        layer=gettext(EVENTS_LAYER),
    )


@dataclass(frozen=True)
class InfluenceScene:
    """Everything the influence page and image show (see :func:`influence_scene`).

    Attributes
    ----------
    text : SceneText
        Title, the page's subtitle and the image's.
    views : tuple of InfluenceView
        The views, in the order the page offers them (the first opens).
    breaks : tuple of float
        The class breaks of every view (one scale).
    largest : float
        The largest disclosed figure: arc widths are scaled to it.
    sections : tuple of LegendSection
        One per view (same order), then the region's, the events', and the partners left out.
    regional : geopandas.GeoDataFrame
        The region-level figures (:func:`c5map.layers.region_figures` of the region).
    events : geopandas.GeoDataFrame
        The events drawn as markers.
    left_out : tuple of str
        Partners beyond :data:`MAX_PARTNER_LAYERS`, by code.
    opening : int
        The view the page opens on: the one whose figure the derived title states (:func:`headline`), else
        the first. A title of the story's own opens the first view.
    tiny : tuple of PointSymbol
        Members too small to see at the opening zoom, drawn as a point in their class's colour as well
        (:func:`c5map.scenes.tiny.tiny_members`).
    """

    text: SceneText
    views: tuple[InfluenceView, ...]
    breaks: tuple[float, ...]
    largest: float
    sections: tuple[LegendSection, ...]
    regional: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    left_out: tuple[str, ...]
    opening: int = 0
    tiny: tuple[PointSymbol, ...] = ()

    @property
    def view_sections(self) -> tuple[LegendSection, ...]:
        """The sections of the views, one each, in order."""
        return self.sections[: len(self.views)]


PRINT_SUBTITLE = N_("Announced deals by partner; hatched: no reported deal (not zero); outlined: deals of undisclosed "
                     "value. Region-level figures and trade are listed, never split between countries nor added to "
                     "deals.")  # fmt: skip


def influence_scene(tables: Tables, story: Story, countries: gpd.GeoDataFrame) -> InfluenceScene:
    """Decide the influence page and image once: views, classes, legend, region-level figures, events, words.

    Parameters
    ----------
    countries : geopandas.GeoDataFrame
        The members' shapes (``iso3``, ``name``, geometry), as the renderer draws them.
    """
    names = display_names(tables)
    views, left_out, breaks = influence_views(tables, story, countries)
    caps = layers.capitals(tables)
    regional = layers.region_figures(tables, countries)
    regional = regional[regional["region"] == story.region]
    values = [float(v) for one in views for v in one.figures.loc[one.figures["has_figure"], "value_usd"]]
    events, older = events_to_draw(tables)
    sections = [view_section(one, breaks, tables, caps) for one in views]
    if len(regional):
        sections.append(region_section(tables, story, regional))
    if (section := events_section(events, older)) is not None:
        sections.append(section)
    if left_out:
        others = word_list([names.get(p, p) for p in left_out])
        # English writes the plural even for one (as it always has); other languages take their plural forms
        heading = ngettext("{n} more partners", "{n} more partners", len(left_out)).format(
            n=format_count(len(left_out)))  # fmt: skip
        words = gettext("{partners}: fewer figures, not drawn; in the data table").format(partners=others)
        sections.append(LegendSection(heading, (LegendEntry(words, shape="none"),)))
    derived = influence_words(views, story, bool(len(regional)), names)
    title, subtitle = story.words("influence", *derived)
    found = largest_deal(views) if title == derived[0] else None  # open on the view the headline is about
    opening = next((i for i, one in enumerate(views) if found is not None and one is found[0]), 0)
    _, print_subtitle = story.print_words("influence", title, gettext(PRINT_SUBTITLE))
    opening_view = region_view(countries, story.members, OPENING_PAD)
    if any(one.figures.loc[one.figures["has_figure"], "value_qualifier"].isin(BOUNDS).any() for one in views):
        print_subtitle += f" {bound_rule()}."
    return InfluenceScene(
        text=SceneText(title, subtitle.strip(), print_subtitle),
        views=tuple(views),
        breaks=tuple(breaks),
        largest=max(values, default=0.0),
        sections=tuple(sections),
        regional=regional,
        events=events,
        left_out=tuple(left_out),
        opening=opening,
        tiny=tiny_members(countries, story.members, opening_view, caps, [(g.x, g.y) for g in events.geometry]),
    )
